"""Shared set-up for the reporting tests: photos, places and requests."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from town311.directory.models import Place
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, BaseTestCase

DRAFT_KEY = "draft-key-for-the-report-tests"

# Where the test photo was taken: 40° 0' 10.8" N, 89° 59' 52.8" W, a few
# hundred metres from the centre of the test town.
PHOTO_GPS = (40.003, -89.998)
GPS_IFD = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (IFDRational(40), IFDRational(0), IFDRational(108, 10)),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (
        IFDRational(89),
        IFDRational(59),
        IFDRational(528, 10),
    ),
}

# Metres per degree of latitude on the sphere the duplicate finder uses.
METRES_PER_DEGREE = 111_194.93


def jpeg_bytes(*, gps: bool = True, size=(64, 48)) -> bytes:
    """A small JPEG as a phone writes it: camera details and a position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Testphone"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS_IFD

    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo_upload(name: str = "pothole.jpg", data: bytes | None = None):
    data = jpeg_bytes() if data is None else data
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


class ReportMixin:
    """Makers for the tests; mix into a test case that has the test town."""

    def make_request(self, *, lat=CENTRE[0], long=CENTRE[1], **fields):
        """A public pothole request already in the Roads queue."""
        now = timezone.now()
        values = {
            "service": self.pothole,
            "lat": lat,
            "long": long,
            "description": "Deep hole in the right lane",
            "department": self.roads,
            "department_entered_at": now,
            "submitted_at": now - timedelta(days=1),
            "updated_at": now,
        }
        values.update(fields)
        return ServiceRequest.objects.create(**values)

    def make_place(self, name: str, *, kind=Place.Kind.LANDMARK, **fields):
        fields.setdefault("lat", CENTRE[0] + 0.002)
        fields.setdefault("long", CENTRE[1] - 0.003)
        return Place.objects.create(name=name, kind=kind, **fields)

    def north_of_centre(self, metres: float) -> tuple[float, float]:
        return CENTRE[0] + metres / METRES_PER_DEGREE, CENTRE[1]


class ReportTestCase(ReportMixin, BaseTestCase):
    def post_report(self, service_code: str = "pothole", **data):
        """Post the report form as a browser without JavaScript would."""
        data.setdefault("draft_key", DRAFT_KEY)
        return self.client.post(f"/report/{service_code}/", data)
