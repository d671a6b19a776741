from datetime import timedelta
from io import StringIO
from unittest.mock import patch

from django.core.management import call_command
from django.utils import timezone

from town311.servicerequests import photos
from town311.servicerequests.models import Photo
from town311.servicerequests.tests.test_photos import (
    DRAFT_KEY,
    PhotoTestCase,
    image_bytes,
)


class PrunePhotoDraftsTests(PhotoTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.old_draft = self.make_photo(hours_ago=25)
        self.new_draft = self.make_photo(hours_ago=23)
        self.attached = self.make_photo(hours_ago=24 * 30, request=self.make_request())

    def make_photo(self, *, hours_ago: int, request=None) -> Photo:
        photo = self.store(image_bytes(), request=request).photo
        created_at = timezone.now() - timedelta(hours=hours_ago)
        Photo.objects.filter(pk=photo.pk).update(created_at=created_at)
        return photo

    def prune(self, *args) -> str:
        stdout = StringIO()
        call_command("prune_photo_drafts", *args, stdout=stdout)
        return stdout.getvalue().strip()

    def exists(self, photo: Photo) -> bool:
        storage = photo.image.storage
        return storage.exists(photo.image.name) and storage.exists(photo.thumbnail.name)

    def test_it_deletes_drafts_older_than_a_day_with_their_files(self):
        output = self.prune()

        self.assertEqual(output, "Deleted 1 photo draft older than a day.")
        self.assertEqual(set(Photo.objects.all()), {self.new_draft, self.attached})
        self.assertFalse(self.old_draft.image.storage.exists(self.old_draft.image.name))
        self.assertFalse(
            self.old_draft.thumbnail.storage.exists(self.old_draft.thumbnail.name)
        )
        self.assertTrue(self.exists(self.new_draft))
        self.assertTrue(self.exists(self.attached))

    def test_it_deletes_in_batches(self):
        older = self.make_photo(hours_ago=48)

        with patch.object(photos, "PRUNE_BATCH", 1):
            output = self.prune()

        self.assertEqual(output, "Deleted 2 photo drafts older than a day.")
        self.assertFalse(Photo.objects.filter(pk__in=[older.pk, self.old_draft.pk]))
        self.assertFalse(older.image.storage.exists(older.image.name))

    def test_it_only_counts_with_dry_run(self):
        self.make_photo(hours_ago=48)

        output = self.prune("--dry-run")

        self.assertEqual(output, "Would delete 2 photo drafts older than a day.")
        self.assertEqual(Photo.objects.count(), 4)
        self.assertTrue(self.exists(self.old_draft))

    def test_it_reports_when_there_is_nothing_to_delete(self):
        self.prune()

        self.assertEqual(self.prune(), "Deleted 0 photo drafts older than a day.")
        self.assertEqual(Photo.objects.filter(draft_key=DRAFT_KEY).count(), 1)

    def test_it_carries_on_when_a_file_is_already_gone(self):
        self.old_draft.image.storage.delete(self.old_draft.image.name)

        self.assertEqual(self.prune(), "Deleted 1 photo draft older than a day.")
        self.assertFalse(Photo.objects.filter(pk=self.old_draft.pk).exists())
