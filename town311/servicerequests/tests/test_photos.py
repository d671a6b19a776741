import io
import shutil
import struct
import tempfile
import time
import zlib
from unittest.mock import patch

import pillow_heif
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, ImageCms, ImageFile
from PIL.TiffImagePlugin import IFDRational

from town311.lib.errors import InvalidInput
from town311.servicerequests import photos
from town311.servicerequests.models import Photo, ServiceRequest
from town311.test import CENTRE, BaseTestCase

DRAFT_KEY = "d1c3f0a8b7e64f5a9c2b1e0d9f8a7b6c"

# Where the demo's photos were taken: 40° 57' 12.34" N, 97° 21' 0" W.
GPS_IFD = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (
        IFDRational(40, 1),
        IFDRational(57, 1),
        IFDRational(1234, 100),
    ),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (
        IFDRational(97, 1),
        IFDRational(21, 1),
        IFDRational(0, 1),
    ),
}
GPS = (40.953428, -97.35)


def image_bytes(
    format: str = "JPEG",
    size: tuple[int, int] = (60, 40),
    colour: str = "red",
    mode: str = "RGB",
    **options,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "pothole.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def camera_exif(orientation: int = 1) -> Image.Exif:
    """EXIF as a phone writes it: who made the camera, which way up it
    was held and where it was."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Riverphone"
    exif[ExifTags.Base.Model] = "RP-7, serial 0042"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS_IFD
    return exif


def blank_png(width: int, height: int) -> bytes:
    """A 1-bit greyscale PNG of the given size whose pixels are all zero,
    compressed row by row, so even a huge one is small to build and send."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    # Each row is a filter byte and the row's bits, all zero.
    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj()
    idat = b"".join(compressor.compress(row) for _ in range(height))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


class PhotoTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        media = tempfile.mkdtemp(prefix="town311-photos-")
        cls.addClassCleanup(shutil.rmtree, media, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media))

    def make_request(self) -> ServiceRequest:
        return ServiceRequest.objects.create(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            department=self.roads,
        )

    def store(self, data: bytes, **kwargs) -> photos.StoredPhoto:
        kwargs.setdefault("draft_key", DRAFT_KEY)
        return photos.photo_store(upload(data), **kwargs)

    def assertRefused(self, data: bytes, expected: str, **kwargs) -> str:
        with self.assertRaises(InvalidInput) as refused:
            self.store(data, **kwargs)

        message = refused.exception.errors["photos"]
        self.assertIn(expected, message)
        self.assertTrue(message.endswith("."), message)
        return message

    def open_stored(self, field) -> Image.Image:
        with field.open("rb") as f:
            image = Image.open(io.BytesIO(f.read()))
            image.load()
        return image

    def assertNoMetadata(self, image: Image.Image) -> None:
        self.assertEqual(dict(image.getexif()), {})
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
            self.assertNotIn(key, image.info)


class PhotoRefusalTests(PhotoTestCase):
    def test_it_refuses_a_text_file_named_like_a_photo(self):
        message = self.assertRefused(
            b"Dear Riverton, the pothole on Main St is back.\n",
            "not a photo we can read",
        )

        self.assertIn("JPEG, PNG, WebP or HEIC", message)
        self.assertFalse(Photo.objects.exists())

    def test_it_refuses_an_empty_file(self):
        self.assertRefused(b"", "not a photo we can read")

    def test_it_refuses_formats_it_does_not_accept(self):
        self.assertRefused(image_bytes("GIF"), "not a photo we can read")
        self.assertRefused(image_bytes("BMP"), "not a photo we can read")
        self.assertRefused(image_bytes("TIFF"), "not a photo we can read")

    def test_it_refuses_a_huge_png_without_decoding_it(self):
        bomb = blank_png(20_000, 20_000)
        self.assertLess(len(bomb), 200_000)

        started = time.monotonic()
        with patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError):
            self.assertRefused(bomb, "more pixels than we accept")
        self.assertLess(time.monotonic() - started, 1)
        self.assertFalse(Photo.objects.exists())

    @override_settings(PHOTO_MAX_PIXELS=200_000_000)
    def test_it_refuses_what_pillow_warns_about(self):
        # Under the town's limit, but over Pillow's own warning threshold.
        bomb = blank_png(10_000, 10_000)

        with patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError):
            self.assertRefused(bomb, "more pixels than we accept")

    @override_settings(PHOTO_MAX_PIXELS=2_000_000)
    def test_it_refuses_more_pixels_than_the_setting_allows(self):
        message = self.assertRefused(
            blank_png(2000, 1001), "2000 × 1001 pixels, more than the 2"
        )

        self.assertIn("send a smaller copy", message)

    @override_settings(PHOTO_MAX_BYTES=1000)
    def test_it_refuses_a_file_over_the_size_limit(self):
        data = image_bytes(size=(400, 400), colour="blue")
        data += b"\x00" * 1000

        message = self.assertRefused(data, "more than the 1000")
        self.assertIn("send a smaller copy", message)

    @override_settings(PHOTO_MAX_BYTES=1000)
    def test_it_refuses_a_stream_longer_than_the_size_limit(self):
        stream = io.BytesIO(image_bytes() + b"\x00" * 2000)

        with self.assertRaises(InvalidInput):
            photos.photo_store(stream, draft_key=DRAFT_KEY)

    def test_it_refuses_a_truncated_jpeg(self):
        data = image_bytes(size=(600, 400), colour="green", quality=95)

        self.assertRefused(data[: len(data) // 2], "did not arrive whole")

    def test_it_refuses_a_truncated_png(self):
        noisy = Image.effect_noise((300, 300), 80).convert("RGB")
        buffer = io.BytesIO()
        noisy.save(buffer, "PNG")
        data = buffer.getvalue()

        self.assertRefused(data[: len(data) // 2], "did not arrive whole")

    def test_it_refuses_a_sixth_photo(self):
        for _ in range(5):
            self.store(image_bytes())

        message = self.assertRefused(image_bytes(), "up to 5 photos")
        self.assertEqual(Photo.objects.count(), 5)
        self.assertIn("remove one", message)

    def test_it_refuses_a_sixth_photo_on_a_request(self):
        request = self.make_request()
        for _ in range(5):
            self.store(image_bytes(), request=request, draft_key="")

        self.assertRefused(image_bytes(), "up to 5 photos", request=request)
        # Another form's drafts are counted on their own.
        self.store(image_bytes(), draft_key="another-form")

    def test_it_needs_a_request_or_a_draft_key(self):
        with self.assertRaises(ValueError):
            photos.photo_store(upload(image_bytes()))

    def test_it_refuses_an_overlong_draft_key(self):
        self.assertRefused(image_bytes(), "reload the page", draft_key="k" * 65)


class PhotoStoreTests(PhotoTestCase):
    def test_it_strips_exif_and_returns_the_gps_position(self):
        data = image_bytes(exif=camera_exif(), comment=b"Taken by Ann on Ferry St")

        stored = self.store(data)

        self.assertEqual(stored.gps, GPS)
        photo = Photo.objects.get()
        self.assertEqual(photo, stored.photo)
        for field in (photo.image, photo.thumbnail):
            with field.open("rb") as f:
                content = f.read()
            self.assertNotIn(b"Riverphone", content)
            self.assertNotIn(b"Exif", content)
            self.assertNotIn(b"Ferry St", content)
            image = Image.open(io.BytesIO(content))
            self.assertEqual(image.format, "JPEG")
            self.assertNoMetadata(image)

    def test_it_strips_xmp_and_the_colour_profile(self):
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Ann Example</x:xmpmeta>'
        data = image_bytes(icc_profile=srgb, xmp=xmp, colour="#336699")

        stored = self.store(data)

        image = self.open_stored(stored.photo.image)
        self.assertNoMetadata(image)
        red, green, blue = image.getpixel((30, 20))
        self.assertAlmostEqual(red, 0x33, delta=4)
        self.assertAlmostEqual(green, 0x66, delta=4)
        self.assertAlmostEqual(blue, 0x99, delta=4)

    def test_it_turns_the_photo_upright(self):
        # The camera was held on its side: the sensor's left (red) half is
        # the top of the picture, orientation 6 says so.
        sideways = Image.new("RGB", (80, 40), "blue")
        sideways.paste("red", (0, 0, 40, 40))
        buffer = io.BytesIO()
        sideways.save(buffer, "JPEG", exif=camera_exif(orientation=6), quality=95)

        stored = self.store(buffer.getvalue())

        image = self.open_stored(stored.photo.image)
        self.assertEqual(image.size, (40, 80))
        self.assertEqual((stored.photo.width, stored.photo.height), (40, 80))
        top, bottom = image.getpixel((20, 10)), image.getpixel((20, 70))
        self.assertGreater(top[0], 200)
        self.assertLess(top[2], 60)
        self.assertGreater(bottom[2], 200)
        self.assertLess(bottom[0], 60)
        self.assertNoMetadata(image)

    def test_it_stores_a_resized_copy_and_a_thumbnail(self):
        stored = self.store(image_bytes(size=(3000, 1500), colour="olive"))

        photo = stored.photo
        self.assertEqual((photo.width, photo.height), (2048, 1024))
        self.assertEqual(self.open_stored(photo.image).size, (2048, 1024))
        self.assertEqual(self.open_stored(photo.thumbnail).size, (400, 200))
        self.assertIsNone(stored.gps)

    def test_it_keeps_a_small_photo_at_its_size(self):
        stored = self.store(image_bytes(size=(300, 200)))

        self.assertEqual(self.open_stored(stored.photo.image).size, (300, 200))
        self.assertEqual(self.open_stored(stored.photo.thumbnail).size, (300, 200))

    def test_it_gives_files_random_names(self):
        first = self.store(image_bytes()).photo
        second = self.store(image_bytes()).photo

        names = [first.image.name, first.thumbnail.name, second.image.name]
        self.assertEqual(len(set(names)), 3)
        for name in names:
            self.assertTrue(name.startswith("requests/"), name)
            self.assertNotIn("pothole", name)
        self.assertTrue(first.image.name.endswith(".jpg"))

    def test_it_accepts_a_jpeg_with_a_second_picture(self):
        # Phone cameras add a depth map or preview: Pillow reads an MPO.
        buffer = io.BytesIO()
        first, second = Image.new("RGB", (60, 40), "red"), Image.new("L", (30, 20))
        first.save(buffer, "MPO", save_all=True, append_images=[second])
        self.assertEqual(Image.open(buffer).format, "MPO")

        stored = self.store(buffer.getvalue())

        image = self.open_stored(stored.photo.image)
        self.assertEqual((image.format, image.size), ("JPEG", (60, 40)))

    def test_it_converts_a_cmyk_jpeg_to_rgb(self):
        stored = self.store(image_bytes(mode="CMYK", colour=(0, 255, 255, 0)))

        image = self.open_stored(stored.photo.image)
        self.assertEqual(image.mode, "RGB")
        red, green, blue = image.getpixel((10, 10))
        self.assertGreater(red, 200)
        self.assertLess(max(green, blue), 60)

    def test_it_accepts_png_and_keeps_transparency(self):
        data = image_bytes("PNG", size=(120, 90), colour=(0, 128, 0, 100), mode="RGBA")

        stored = self.store(data)

        image = self.open_stored(stored.photo.image)
        self.assertEqual(image.format, "PNG")
        self.assertEqual(image.mode, "RGBA")
        self.assertEqual(image.getpixel((5, 5)), (0, 128, 0, 100))
        self.assertTrue(stored.photo.thumbnail.name.endswith(".png"))
        self.assertNoMetadata(image)

    def test_it_drops_a_png_s_colour_profile_and_keeps_its_alpha(self):
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        data = image_bytes(
            "PNG", colour=(200, 40, 40, 120), mode="RGBA", icc_profile=srgb
        )

        image = self.open_stored(self.store(data).photo.image)

        self.assertNoMetadata(image)
        red, green, blue, alpha = image.getpixel((5, 5))
        self.assertAlmostEqual(red, 200, delta=4)
        self.assertAlmostEqual(green, 40, delta=4)
        self.assertEqual(alpha, 120)

    def test_it_accepts_a_palette_png(self):
        data = image_bytes("PNG", size=(50, 50), colour=3, mode="P")

        stored = self.store(data)

        self.assertEqual(self.open_stored(stored.photo.image).format, "PNG")

    def test_it_reads_16_bit_grey_without_washing_it_out(self):
        data = image_bytes("PNG", size=(20, 20), colour=32768, mode="I;16")

        stored = self.store(data)

        image = self.open_stored(stored.photo.image)
        self.assertAlmostEqual(image.getpixel((5, 5)), 128, delta=2)

    def test_it_accepts_webp_with_exif_and_strips_it(self):
        data = image_bytes("WEBP", size=(160, 120), exif=camera_exif(), quality=90)

        stored = self.store(data)

        self.assertEqual(stored.gps, GPS)
        for field in (stored.photo.image, stored.photo.thumbnail):
            image = self.open_stored(field)
            self.assertEqual(image.format, "WEBP")
            self.assertNoMetadata(image)

    def test_it_accepts_heic_from_a_phone(self):
        if not pillow_heif.libheif_info().get("HEIF"):
            self.skipTest("this libheif has no HEIC encoder to make a test photo")

        data = image_bytes("HEIF", size=(64, 48), exif=camera_exif().tobytes())

        stored = self.store(data)

        self.assertEqual(stored.gps, GPS)
        image = self.open_stored(stored.photo.image)
        self.assertEqual(image.format, "JPEG")
        self.assertEqual(image.size, (64, 48))
        self.assertNoMetadata(image)

    def test_it_accepts_a_photo_with_transparency_as_jpeg_on_white(self):
        if not pillow_heif.libheif_info().get("HEIF"):
            self.skipTest("this libheif has no HEIC encoder to make a test photo")

        data = image_bytes("HEIF", size=(64, 48), colour=(255, 0, 0, 0), mode="RGBA")

        image = self.open_stored(self.store(data).photo.image)
        self.assertEqual(image.mode, "RGB")
        self.assertGreater(min(image.getpixel((10, 10))), 240)

    def test_it_stores_a_photo_on_a_request(self):
        request = self.make_request()

        stored = self.store(image_bytes(), request=request, draft_key="ignored")

        self.assertEqual(stored.photo.request, request)
        self.assertEqual(stored.photo.draft_key, "")
        self.assertFalse(stored.photo.is_hidden)


class PhotoGpsTests(PhotoTestCase):
    def test_it_reads_the_position_and_rewinds(self):
        photo = upload(image_bytes(exif=camera_exif()))

        self.assertEqual(photos.photo_gps(photo), GPS)
        self.assertEqual(photo.tell(), 0)
        self.assertEqual(photos.photo_store(photo, draft_key=DRAFT_KEY).gps, GPS)

    def test_it_reads_southern_and_eastern_positions(self):
        exif = camera_exif()
        gps = dict(GPS_IFD)
        gps[ExifTags.GPS.GPSLatitudeRef] = "S"
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        exif[ExifTags.IFD.GPSInfo] = gps

        self.assertEqual(
            photos.photo_gps(upload(image_bytes(exif=exif))), (-GPS[0], -GPS[1])
        )

    def test_it_returns_none_without_a_usable_position(self):
        no_fix = camera_exif()
        no_fix[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (IFDRational(0, 1),) * 3,
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (IFDRational(0, 1),) * 3,
        }
        broken = camera_exif()
        broken[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (IFDRational(40, 0),) * 3,
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (IFDRational(97, 1),) * 3,
        }

        for data in (
            image_bytes(),
            image_bytes(exif=no_fix),
            image_bytes(exif=broken),
            b"not a photo",
        ):
            self.assertIsNone(photos.photo_gps(upload(data)))


class PhotosAttachTests(PhotoTestCase):
    def test_it_attaches_the_form_s_drafts(self):
        first = self.store(image_bytes()).photo
        second = self.store(image_bytes()).photo
        other = self.store(image_bytes(), draft_key="another-form").photo
        request = self.make_request()

        attached = photos.photos_attach(draft_key=DRAFT_KEY, service_request=request)

        self.assertEqual(attached, 2)
        self.assertEqual(list(request.photos.all()), [first, second])
        self.assertEqual(request.photos.filter(draft_key="").count(), 2)
        other.refresh_from_db()
        self.assertIsNone(other.request)
        self.assertEqual(
            photos.photos_attach(draft_key=DRAFT_KEY, service_request=request), 0
        )

    def test_it_attaches_no_more_than_the_limit(self):
        request = self.make_request()
        for _ in range(2):
            self.store(image_bytes(), request=request)
        drafts = [self.store(image_bytes()).photo for _ in range(4)]

        attached = photos.photos_attach(draft_key=DRAFT_KEY, service_request=request)

        self.assertEqual(attached, 3)
        self.assertEqual(request.photos.count(), 5)
        drafts[3].refresh_from_db()
        self.assertIsNone(drafts[3].request)

    def test_it_attaches_nothing_without_a_draft_key(self):
        self.store(image_bytes(), draft_key="x")
        request = self.make_request()

        self.assertEqual(photos.photos_attach(draft_key="", service_request=request), 0)
        self.assertFalse(request.photos.exists())
