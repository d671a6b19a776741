import json
from unittest import mock

from django.test import override_settings
from PIL import Image

from town311.report.tests.base import (
    DRAFT_KEY,
    PHOTO_GPS,
    ReportTestCase,
    jpeg_bytes,
    photo_upload,
)
from town311.servicerequests.models import Photo, ServiceRequest

SPOT = (40.004, -89.996)


class PhotosWithoutJavaScriptTests(ReportTestCase):
    def test_it_attaches_photos_sent_with_the_form(self):
        response = self.post_report(
            lat=SPOT[0], long=SPOT[1], photos=[photo_upload(), photo_upload("b.jpg")]
        )

        request = ServiceRequest.objects.get()
        self.assertEqual(response.status_code, 302)
        self.assertEqual(request.photos.count(), 2)
        self.assertFalse(Photo.objects.filter(request=None).exists())

    def test_it_keeps_photos_when_the_form_comes_back(self):
        response = self.post_report(photos=[photo_upload()], reporter_email="nope")

        draft = Photo.objects.get()
        self.assertIsNone(draft.request)
        self.assertEqual(draft.draft_key, DRAFT_KEY)
        self.assertContains(response, 'alt="Photo 1 of your report"')
        self.assertContains(response, draft.thumbnail.url)
        self.assertContains(
            response, f'<input type="checkbox" name="remove_photos" value="{draft.pk}">'
        )

        self.post_report(lat=SPOT[0], long=SPOT[1])

        draft.refresh_from_db()
        self.assertEqual(draft.request, ServiceRequest.objects.get())

    def test_it_removes_the_photos_ticked_for_removal(self):
        self.post_report(photos=[photo_upload(), photo_upload("b.jpg")])
        first, second = Photo.objects.all()
        storage = first.image.storage

        self.post_report(lat=SPOT[0], long=SPOT[1], remove_photos=[str(first.pk)])

        self.assertEqual(list(ServiceRequest.objects.get().photos.all()), [second])
        self.assertFalse(Photo.objects.filter(pk=first.pk).exists())
        self.assertFalse(storage.exists(first.image.name))

    def test_it_removes_only_photos_of_its_own_draft(self):
        other = self.client.post(
            "/report/pothole/",
            {"draft_key": "another-draft-key-of-someone", "photos": photo_upload()},
        )
        self.assertEqual(other.status_code, 200)
        theirs = Photo.objects.get()

        self.post_report(remove_photos=[str(theirs.pk)])

        self.assertTrue(Photo.objects.filter(pk=theirs.pk).exists())

    def test_it_says_what_is_wrong_with_a_file(self):
        response = self.post_report(
            lat=SPOT[0],
            long=SPOT[1],
            description="Hole",
            photos=[photo_upload("notes.jpg", b"These are my notes, not a photo.")],
        )

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertFalse(Photo.objects.exists())
        self.assertContains(response, '<ul class="errorlist" id="id_photos_error">')
        self.assertContains(response, "“notes.jpg”: This file is not a photo")
        self.assertContains(response, 'aria-describedby="photos-help id_photos_error"')
        self.assertContains(response, 'href="#id_photos"')
        self.assertContains(response, "Hole</textarea>")

    @override_settings(PHOTOS_PER_REQUEST=2)
    def test_it_takes_only_as_many_photos_as_allowed(self):
        response = self.post_report(
            photos=[photo_upload("a.jpg"), photo_upload("b.jpg"), photo_upload("c.jpg")]
        )

        self.assertEqual(Photo.objects.count(), 2)
        self.assertContains(response, "You can add up to 2 photos to a report.")

    def test_it_fills_in_where_the_photo_was_taken_for_checking(self):
        response = self.post_report(description="Hole", photos=[photo_upload()])

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertContains(
            response, "We filled in the coordinates of where your photo"
        )
        self.assertContains(response, f'value="{PHOTO_GPS[0]:.6f}"')
        self.assertContains(response, f'value="{PHOTO_GPS[1]:.6f}"')
        self.assertNotContains(response, "Tell us where the problem is")

    def test_it_stores_no_exif(self):
        self.post_report(lat=SPOT[0], long=SPOT[1], photos=[photo_upload()])

        photo = ServiceRequest.objects.get().photos.get()
        with photo.image.open() as stored, Image.open(stored) as image:
            self.assertEqual(dict(image.getexif()), {})


class PhotoUploadTests(ReportTestCase):
    def upload(self, photo=None, draft_key=DRAFT_KEY):
        data = {"draft_key": draft_key}
        if photo is not False:
            data["photo"] = photo or photo_upload()
        return self.client.post("/report/pothole/photos/", data)

    def test_it_stores_a_draft_photo_and_offers_its_position(self):
        response = self.upload()

        photo = Photo.objects.get()
        self.assertEqual(response.status_code, 201)
        self.assertEqual(
            json.loads(response.content),
            {
                "id": photo.pk,
                "thumbnail": photo.thumbnail.url,
                "gps": {"lat": PHOTO_GPS[0], "long": PHOTO_GPS[1]},
            },
        )
        self.assertEqual(photo.draft_key, DRAFT_KEY)
        self.assertIsNone(photo.request)

    def test_it_has_no_position_for_a_photo_without_gps(self):
        response = self.upload(photo_upload(data=jpeg_bytes(gps=False)))

        self.assertIsNone(json.loads(response.content)["gps"])

    def test_it_refuses_a_file_that_is_not_a_photo(self):
        response = self.upload(photo_upload("virus.jpg", b"MZ\x90\x00 not a photo"))

        self.assertEqual(response.status_code, 400)
        self.assertIn("“virus.jpg”: This file is not a photo", response.json()["error"])
        self.assertFalse(Photo.objects.exists())

    def test_it_refuses_a_missing_file_or_a_bad_draft_key(self):
        self.assertEqual(self.upload(photo=False).status_code, 400)
        self.assertEqual(self.upload(draft_key="short").status_code, 400)
        self.assertFalse(Photo.objects.exists())

    @override_settings(PHOTOS_PER_REQUEST=1)
    def test_it_refuses_one_photo_too_many(self):
        self.upload()

        response = self.upload()

        self.assertEqual(response.status_code, 400)
        self.assertIn("can have 1 photo", response.json()["error"])
        self.assertEqual(Photo.objects.count(), 1)

    def test_it_refuses_a_staff_only_service(self):
        response = self.client.post(
            "/report/work-order/photos/",
            {"draft_key": DRAFT_KEY, "photo": photo_upload()},
        )

        self.assertEqual(response.status_code, 404)

    def test_it_takes_only_posts(self):
        self.assertEqual(self.client.get("/report/pothole/photos/").status_code, 405)


class PhotoStorageFailureTests(ReportTestCase):
    def test_it_asks_to_try_again_when_storage_fails(self):
        with (
            mock.patch(
                "town311.report.views.photo_store", side_effect=OSError("disk full")
            ),
            self.assertLogs("town311.report", "ERROR"),
        ):
            page = self.post_report(photos=[photo_upload()])
            upload = self.client.post(
                "/report/pothole/photos/",
                {"draft_key": DRAFT_KEY, "photo": photo_upload()},
            )

        self.assertContains(page, "We could not keep “pothole.jpg” just now")
        self.assertEqual(upload.status_code, 503)
        self.assertIn("try again", upload.json()["error"])
