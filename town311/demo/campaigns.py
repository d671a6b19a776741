"""Riverton's bike-rack campaign: residents photograph the racks downtown.

The campaign runs from three weeks before the history's end to two months
after it, so a demo loaded today has it open. Its submissions are replayed
through the campaign services, dated over those three weeks: published
racks (some confirmed since, some with a later copy merged into them),
racks waiting for a moderator (one of them a copy of a published rack, to
merge), and a few rejected with a reason. Each photo is a small picture
drawn here, so the pages have thumbnails to show.
"""

import io
import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from town311.campaigns import services
from town311.campaigns.models import (
    Campaign,
    CampaignQuestion,
    CampaignQuestionValue,
    Datatype,
    Submission,
)
from town311.demo import places, texts
from town311.demo.places import Places

SLUG = "bike-racks"
OPEN_BEFORE_END = timedelta(days=21)
OPEN_AFTER_END = timedelta(days=69)

RACK_TYPES = (
    ("inverted-u", "Inverted U"),
    ("wave", "Wave"),
    ("grid", "Grid"),
    ("wheel-bender", "Wheel-bender"),
    ("other", "Other"),
)
# How often each type turns up: old downtown racks are mostly U's and waves.
TYPE_WEIGHTS = (5, 3, 2, 1, 1)
BIKES = {"inverted-u": (2, 8), "wave": (5, 11), "grid": (6, 14)}

# Each published rack is this far from every other, well beyond the
# campaign's 15 m, so none stops another as a nearby point.
RACK_SPACING_KM = 0.04

PUBLISHED = 16
CONFIRMED = 7
MERGED = 4
PENDING = 5
REJECT_REASONS = (
    "The photo shows a parking meter, not a bike rack.",
    "Too blurry to tell what is there; please send a sharper photo.",
    "This rack is inside a private garage; the map shows public racks only.",
)

# The background of each type's photo, and its rack's colour.
PHOTO_COLOURS = {
    "inverted-u": ("#6b8f71", "#2f3e46"),
    "wave": ("#8fa6cb", "#1d3557"),
    "grid": ("#c9ada7", "#4a4e69"),
    "wheel-bender": ("#e9c46a", "#264653"),
    "other": ("#a8dadc", "#463f3a"),
}
PHOTO_SIZE = (480, 360)


@dataclass
class _Rack:
    lat: float
    long: float
    answers: dict
    email: str


def campaign_create(*, demo, seed: int, end: datetime) -> Campaign:
    """Create the campaign and replay its submissions up to `end`."""
    zone = demo.town.zone
    last_day = end.astimezone(zone).date()
    campaign = Campaign.objects.create(
        slug=SLUG,
        title="Every bike rack in Riverton",
        description="Send a photo of every bike rack you pass downtown, with "
        "how many bikes it holds and what kind it is.",
        why="The town is choosing where to add racks next year. A map of the "
        "racks already there shows the streets that have none.",
        area_name="Downtown",
        area=places.geojson(places.DOWNTOWN),
        starts_on=last_day - OPEN_BEFORE_END,
        ends_on=last_day + OPEN_AFTER_END,
        photo_required=True,
        publication=Campaign.Publication.MODERATED,
        created_by=demo.coordinator,
    )
    CampaignQuestion.objects.create(
        campaign=campaign,
        code="bikes",
        description="How many bikes fit?",
        datatype=Datatype.NUMBER,
        datatype_description="Count the places to lock a bike, not the bikes there.",
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

    start = datetime.combine(campaign.starts_on, time(7, 0), tzinfo=zone)
    _Replay(demo, campaign, random.Random(seed), start=start, end=end).run()
    return campaign


class _Replay:
    def __init__(self, demo, campaign, rng, *, start: datetime, end: datetime):
        self.campaign = campaign
        self.rng = rng
        self.start = start
        # Nothing is dated in the last minutes, so every action lies before
        # the end whatever delays are drawn.
        self.end = end - timedelta(minutes=5)
        self.places = Places(rng)
        self.moderators = [demo.coordinator, *demo.staff.values()]
        self.photo_count = 0
        self.taken: list[tuple[float, float]] = []

    def run(self) -> None:
        published = [self._published() for _ in range(PUBLISHED)]

        for point in self.rng.sample(published, CONFIRMED):
            for _ in range(self.rng.randint(1, 3)):
                moment = self._after(point.published_at, hours=(6, 120))
                services.point_confirm(point=point, at=moment)

        for point in self.rng.sample(published, MERGED):
            copy = self._copy_of(point)
            services.submission_merge(
                copy,
                into=point,
                by=self.rng.choice(self.moderators),
                at=self._after(copy.submitted_at, hours=(1, 30)),
            )

        # The newest few wait for a moderator; one is a copy of a published
        # rack, to merge.
        for _ in range(PENDING - 1):
            self._submit(self._rack(), at=self._recent())
        self._copy_of(self.rng.choice(published), at=self._recent())

        for reason in REJECT_REASONS:
            submission = self._submit(self._rack(), at=self._moment())
            services.submission_reject(
                submission,
                by=self.rng.choice(self.moderators),
                reason=reason,
                at=self._after(submission.submitted_at, hours=(2, 40)),
            )

    def _published(self) -> Submission:
        submission = self._submit(self._rack(), at=self._moment(share=0.7))
        return services.submission_approve(
            submission,
            by=self.rng.choice(self.moderators),
            at=self._after(submission.submitted_at, hours=(1, 36)),
        )

    def _copy_of(self, point: Submission, at: datetime | None = None) -> Submission:
        """Another resident's photo of the same rack, a few metres off."""
        x, y = places.to_km(point.lat, point.long)
        nx, ny = self.places.near(x, y, metres=8)
        lat, long = places.to_lat_long(nx, ny)
        rack = _Rack(lat, long, dict(point.answers), self._email())
        return self._submit(
            rack,
            at=at or self._after(point.published_at, hours=(12, 96)),
            different_point=True,
        )

    def _rack(self) -> _Rack:
        while True:
            x, y = self.places.point("downtown")
            if all(
                (x - tx) ** 2 + (y - ty) ** 2 > RACK_SPACING_KM**2
                for tx, ty in self.taken
            ):
                break
        self.taken.append((x, y))

        kind = self.rng.choices([key for key, _ in RACK_TYPES], TYPE_WEIGHTS)[0]
        low, high = BIKES.get(kind, (2, 6))
        answers = {"bikes": self.rng.randint(low, high)}
        # A few residents skip the question they are not sure about.
        if self.rng.random() < 0.9:
            answers["type"] = kind
        lat, long = places.to_lat_long(x, y)
        return _Rack(lat, long, answers, self._email())

    def _email(self) -> str:
        # About half leave an address to be thanked at.
        _, email, _ = texts.reporter(self.rng)
        return email if self.rng.random() < 0.5 else ""

    def _submit(
        self, rack: _Rack, *, at: datetime, different_point: bool = False
    ) -> Submission:
        return services.submission_submit(
            campaign=self.campaign,
            lat=rack.lat,
            long=rack.long,
            answers=rack.answers,
            photo=self._photo(rack.answers.get("type", "other"), rack.answers["bikes"]),
            contributor_email=rack.email,
            different_point=different_point,
            at=at,
        )

    def _moment(self, share: float = 1.0) -> datetime:
        """A moment in the first `share` of the campaign so far."""
        span = (self.end - self.start) * share
        return self.start + span * self.rng.random()

    def _recent(self) -> datetime:
        return self.end - timedelta(hours=self.rng.uniform(1, 60))

    def _after(self, moment: datetime, *, hours: tuple[float, float]) -> datetime:
        later = moment + timedelta(hours=self.rng.uniform(*hours))
        return min(later, self.end)

    def _photo(self, kind: str, bikes: int) -> SimpleUploadedFile:
        self.photo_count += 1
        background, colour = PHOTO_COLOURS[kind]
        image = Image.new("RGB", PHOTO_SIZE, background)
        draw = ImageDraw.Draw(image)
        width, height = PHOTO_SIZE

        # The pavement, and a row of hoops as the rack.
        draw.rectangle([0, height * 0.7, width, height], fill="#9a9a9a")
        hoops = max(2, min(bikes // 2, 6))
        gap = width / (hoops + 1)
        for i in range(1, hoops + 1):
            x = gap * i
            draw.arc(
                [x - 24, height * 0.42, x + 24, height * 0.58],
                180,
                360,
                fill=colour,
                width=8,
            )
            draw.line([x - 24, height * 0.5, x - 24, height * 0.72], colour, 8)
            draw.line([x + 24, height * 0.5, x + 24, height * 0.72], colour, 8)

        name = dict(RACK_TYPES)[kind]
        font = ImageFont.load_default(size=28)
        draw.text((20, 20), f"Bike rack {self.photo_count}", fill="white", font=font)
        draw.text((20, 60), f"{name}, {bikes} bikes", fill="white", font=font)

        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        return SimpleUploadedFile(
            f"rack-{self.photo_count}.jpg", buffer.getvalue(), "image/jpeg"
        )
