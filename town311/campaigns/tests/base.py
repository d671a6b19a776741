"""Shared set-up for the campaign tests: a frozen clock, a bike-rack
campaign over the east half of Testville, and real little photos."""

import io
import math
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from town311.campaigns import services
from town311.campaigns.models import (
    Campaign,
    CampaignQuestion,
    CampaignQuestionValue,
    Datatype,
    Submission,
)
from town311.lib.geo import EARTH_RADIUS_M
from town311.test import CENTRE, BaseTestCase, square

# A Monday, 04:00 in the town (Chicago), inside the campaign's dates.
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
STARTS_ON = date(2026, 5, 1)
ENDS_ON = date(2026, 5, 31)

# The campaign covers the east half of the town; its middle is here.
EAST = (CENTRE[0], CENTRE[1] + 0.005)
CONTRIBUTOR_EMAIL = "cyclist.quibblesworth@example.org"
OTHER_EMAIL = "another.rider@example.org"

RACK_TYPES = (
    ("inverted-u", "Inverted U"),
    ("wave", "Wave"),
    ("grid", "Grid"),
    ("wheel-bender", "Wheel-bender"),
    ("other", "Other"),
)

# 40° 0' 3.6" N, 89° 59' 42" W: in the campaign's area.
PHOTO_GPS = (40.001, -89.995)
GPS_IFD = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (
        IFDRational(40, 1),
        IFDRational(0, 1),
        IFDRational(36, 10),
    ),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (
        IFDRational(89, 1),
        IFDRational(59, 1),
        IFDRational(42, 1),
    ),
}


def jpeg(colour: str = "green", *, gps: bool = False) -> bytes:
    """A small JPEG; with `gps`, carrying the camera's make and position."""
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Make] = "Riverphone"
        exif[ExifTags.IFD.GPSInfo] = GPS_IFD
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes | None = None, name: str = "rack.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or jpeg(), content_type="image/jpeg")


def moved(lat: float, long: float, *, north_m: float = 0, east_m: float = 0):
    """The point `north_m` north and `east_m` east of (lat, long)."""
    metres_per_degree = math.radians(1) * EARTH_RADIUS_M
    return (
        lat + north_m / metres_per_degree,
        long + east_m / (metres_per_degree * math.cos(math.radians(lat))),
    )


class CampaignTestCase(BaseTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        media = tempfile.mkdtemp(prefix="town311-campaigns-")
        cls.addClassCleanup(shutil.rmtree, media, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media))

    def setUp(self) -> None:
        super().setUp()
        travel = time_machine.travel(NOW, tick=False)
        self.clock = travel.start()
        self.addCleanup(travel.stop)
        self.campaign = self.make_campaign()

    def make_campaign(self, **fields) -> Campaign:
        values = {
            "slug": "bike-racks",
            "title": "Every bike rack in Testville",
            "description": "Send a photo of each bike rack you pass.",
            "why": "So the town knows where racks are missing.",
            "area_name": "East Testville",
            "area": square(*EAST, 0.005),
            "starts_on": STARTS_ON,
            "ends_on": ENDS_ON,
            "photo_required": True,
            "publication": Campaign.Publication.MODERATED,
            "created_by": self.coordinator,
        }
        values.update(fields)
        campaign = Campaign.objects.create(**values)
        CampaignQuestion.objects.create(
            campaign=campaign,
            code="bikes",
            description="How many bikes fit?",
            datatype=Datatype.NUMBER,
            required=True,
            order=1,
        )
        rack_type = CampaignQuestion.objects.create(
            campaign=campaign,
            code="type",
            description="Type",
            datatype=Datatype.SINGLEVALUELIST,
            order=2,
        )
        CampaignQuestionValue.objects.bulk_create(
            CampaignQuestionValue(question=rack_type, key=key, name=name, order=order)
            for order, (key, name) in enumerate(RACK_TYPES, start=1)
        )
        return campaign

    def submit(self, **fields) -> Submission:
        values = {
            "campaign": self.campaign,
            "lat": EAST[0],
            "long": EAST[1],
            "answers": {"bikes": "6", "type": "inverted-u"},
            "photo": upload(),
            "contributor_email": CONTRIBUTOR_EMAIL,
        }
        values.update(fields)
        return services.submission_submit(**values)

    def published(self, **fields) -> Submission:
        """A point on the map, approved by the coordinator."""
        submission = self.submit(**fields)
        return services.submission_approve(submission, by=self.coordinator)
