import secrets
import zoneinfo
from datetime import time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import pgettext_lazy

from town311.lib import geo


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"“{value}” is not a time zone name. Use a name such as "
            "America/Chicago or Europe/Madrid."
        )


def validate_area(value: str) -> None:
    geo.parse_area(value)


def validate_optional_area(value: str) -> None:
    if value.strip():
        geo.parse_area(value)


class GeographyVersion(models.Model):
    """One row whose value changes whenever the town boundary, a routing
    area, a neighbourhood, an agency, a department, a service or one of its
    questions or answers is saved or deleted.

    Each web process keeps the prepared geometries of routing, and the
    services the API checks posts against, in memory, and reads this value
    to know whether they are still current; a random value
    rather than a counter, so a change rolled back and a later change can
    never leave two different states under the same value.
    """

    value = models.BigIntegerField(default=0)

    ROW = 1
    # How many times this process renewed the value, so that its own
    # caches see its changes at once without reading the row.
    renewals_here = 0

    def __str__(self) -> str:
        return f"geography version {self.value}"

    @classmethod
    def current(cls) -> int | None:
        return cls.objects.filter(pk=cls.ROW).values_list("value", flat=True).first()

    @classmethod
    def renew(cls) -> None:
        value = secrets.randbits(62)
        if not cls.objects.filter(pk=cls.ROW).update(value=value):
            cls.objects.update_or_create(pk=cls.ROW, defaults={"value": value})
        GeographyVersion.renewals_here += 1


def geography_changed(sender, **kwargs) -> None:
    """Connected to the saving and deleting of every row routing reads."""
    GeographyVersion.renew()


class AreaMixin:
    """Point tests for models that keep a GeoJSON polygon in `area`."""

    area: str

    def covers(self, lat: float, long: float) -> bool:
        return bool(self.area.strip()) and geo.covers(self.area, lat, long)


class TownQuerySet(models.QuerySet):
    def current(self) -> "Town | None":
        return self.order_by("pk").first()


class Town(models.Model):
    """The town this installation serves. There is one."""

    name = models.CharField(max_length=100, help_text="For example “Riverton”.")
    display_name = models.CharField(
        max_length=100, help_text="Shown on every page, e.g. “Riverton 311”."
    )
    time_zone = models.CharField(
        max_length=64,
        default="America/Chicago",
        validators=[validate_time_zone],
        help_text="Periods and dates are counted in this time zone.",
    )
    boundary = models.TextField(
        validators=[validate_area],
        help_text="The town limits as a GeoJSON Polygon or MultiPolygon.",
    )
    logo = models.ImageField(upload_to="town/", blank=True)
    colour = models.CharField(
        max_length=7,
        default="#1f5f8b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f5f8b.")],
    )
    email = models.EmailField(blank=True, help_text="Public contact address.")
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    business_days = models.CharField(
        max_length=7,
        default="12345",
        validators=[
            RegexValidator(r"^[1-7]{1,7}$", "List weekdays as digits, Monday = 1.")
        ],
        help_text="Working weekdays as digits, Monday = 1: “12345” is Monday "
        "to Friday. Targets are counted in working hours.",
    )
    business_hours_start = models.TimeField(default=time(8, 0))
    business_hours_end = models.TimeField(default=time(17, 0))
    # Public domain by default: 311 records are facts the town gathers for
    # everyone, and a dedication with no conditions lets anyone mix them
    # with other data. PDDL is written for databases, so it also waives the
    # database right some countries grant, which CC0's wording leaves vaguer.
    open_data_licence_name = models.CharField(
        "open data licence",
        max_length=200,
        default="Open Data Commons Public Domain Dedication and License (PDDL) 1.0",
        help_text="The licence the open datasets are published under.",
    )
    open_data_licence_url = models.URLField(
        "open data licence address",
        default="https://opendatacommons.org/licenses/pddl/1-0/",
        help_text="The licence's full text; the data catalogue links to it.",
    )
    open_data_publisher = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who publishes the open data, e.g. “City of Riverton”. "
        "Leave empty to use the town's name.",
    )
    open_data_contact_email = models.EmailField(
        "open data contact e-mail",
        blank=True,
        help_text="Where questions about the open data go. Leave empty to use "
        "the public contact address.",
    )

    objects = TownQuerySet.as_manager()

    def __str__(self) -> str:
        return self.display_name

    def covers(self, lat: float, long: float) -> bool:
        return geo.covers(self.boundary, lat, long)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def open_data_publisher_name(self) -> str:
        return self.open_data_publisher or self.name

    @property
    def open_data_contact(self) -> str:
        return self.open_data_contact_email or self.email

    def clean(self) -> None:
        if not self.pk and Town.objects.exists():
            raise ValidationError("There is already a town; edit it instead.")


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    email = models.EmailField(
        help_text="Where the department's reminders and reports go."
    )
    phone = models.CharField(max_length=40, blank=True)
    acknowledge_target = models.DurationField(
        default=timedelta(days=2),
        help_text="How soon a new request should be acknowledged (days hh:mm:ss).",
    )
    close_target = models.DurationField(
        default=timedelta(days=10),
        help_text="How soon a request should be closed (days hh:mm:ss).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(AreaMixin, models.Model):
    """An outside body (county, state, utility) that handles what the town
    does not."""

    class Kind(models.TextChoices):
        COUNTY = "county", "County"
        STATE = "state", "State"
        UTILITY = "utility", "Utility"
        OTHER = "other", "Other"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    description = models.TextField(
        blank=True, help_text="What they handle, in a sentence residents understand."
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    area = models.TextField(
        "area covered",
        blank=True,
        validators=[validate_optional_area],
        help_text="GeoJSON Polygon or MultiPolygon of where they work; "
        "leave empty if they cover no particular area.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class ServiceGroup(models.Model):
    name = models.CharField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceQuerySet(models.QuerySet):
    def public(self) -> "ServiceQuerySet":
        return self.filter(is_active=True, is_public=True)


class Service(models.Model):
    """A kind of request residents can pick, such as “Pothole”."""

    code = models.SlugField(
        max_length=50, unique=True, help_text="Open311 service_code; keep it stable."
    )
    name = models.CharField(max_length=100)
    group = models.ForeignKey(
        ServiceGroup, models.PROTECT, related_name="services", null=True, blank=True
    )
    description = models.TextField(blank=True)
    keywords = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated words residents may search for.",
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        related_name="services",
        help_text="Where requests go unless a routing area says otherwise.",
    )
    is_public = models.BooleanField(
        "public",
        default=True,
        help_text="Residents can pick it and its requests are published. "
        "Untick for staff-only services.",
    )
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["group__order", "order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class ServiceAttribute(models.Model):
    """An extra question of a service, with an Open311 datatype."""

    class Datatype(models.TextChoices):
        STRING = "string", "Short text"
        NUMBER = "number", "Number"
        DATETIME = "datetime", "Date and time"
        TEXT = "text", "Long text"
        SINGLEVALUELIST = "singlevaluelist", "Pick one"
        MULTIVALUELIST = "multivaluelist", "Pick any"

    LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)

    service = models.ForeignKey(Service, models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=50, help_text="Open311 attribute code.")
    description = models.CharField(
        "question", max_length=300, help_text="The question as residents read it."
    )
    datatype = models.CharField(max_length=20, choices=Datatype)
    datatype_description = models.CharField(
        max_length=300, blank=True, help_text="A hint, e.g. “in feet”."
    )
    required = models.BooleanField(default=False)
    variable = models.BooleanField(
        default=True,
        help_text="Untick for a note shown to residents that takes no answer.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "code"], name="attribute_code_unique_per_service"
            )
        ]

    def __str__(self) -> str:
        return self.description


class AttributeValue(models.Model):
    """One choice of a list question."""

    attribute = models.ForeignKey(
        ServiceAttribute, models.CASCADE, related_name="values"
    )
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "key"], name="value_key_unique_per_attribute"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoutingArea(AreaMixin, models.Model):
    """A polygon that sends a service, or every service, somewhere else.

    When several areas hold a point, one for the request's own service beats
    one for all services, and then the smallest area wins.
    """

    name = models.CharField(max_length=100)
    area = models.TextField(
        validators=[validate_area], help_text="GeoJSON Polygon or MultiPolygon."
    )
    service = models.ForeignKey(
        Service,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_areas",
        help_text="Leave empty to route every service inside the area.",
    )
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, related_name="routing_areas"
    )
    agency = models.ForeignKey(
        Agency, models.CASCADE, null=True, blank=True, related_name="routing_areas"
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(department__isnull=False, agency__isnull=True)
                    | models.Q(department__isnull=True, agency__isnull=False)
                ),
                name="routing_area_has_one_destination",
                violation_error_message="Choose a department or an agency for "
                "the area, not both.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Errors are tied to fields, which also keeps the check constraint's
        # generic message from being shown a second time.
        if self.department_id is None and self.agency_id is None:
            raise ValidationError(
                {
                    "department": "Choose where requests inside the area go: "
                    "a department or an agency."
                }
            )

        if self.department_id is not None and self.agency_id is not None:
            raise ValidationError(
                {
                    "agency": "Choose a department or an agency, not both: "
                    "clear one of them."
                }
            )

        self._check_inside_town()

    def _check_inside_town(self) -> None:
        town = Town.objects.current()
        try:
            area = geo.parse_area(self.area)
            boundary = geo.prepared_area(town.boundary) if town else None
        except ValidationError:
            # The field's own validator reports a bad area.
            return

        # Routing only applies inside the town, so an area wholly outside
        # it would never be used; usually latitude and longitude are swapped.
        if boundary is not None and not boundary.intersects(area):
            raise ValidationError(
                {
                    "area": f"The area lies entirely outside {town.name}, so it "
                    "would never be used. Check that GeoJSON lists longitude "
                    "before latitude."
                }
            )

    @property
    def destination(self) -> "Department | Agency":
        return self.department or self.agency


class Neighbourhood(AreaMixin, models.Model):
    """A named part of town residents know, used to browse requests, to
    subscribe to alerts and to compare response times across the town."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    area = models.TextField(
        validators=[validate_area], help_text="GeoJSON Polygon or MultiPolygon."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A street or landmark residents may type instead of placing a pin.

    This is the town's own gazetteer: it needs no outside geocoding
    service, and it knows the names locals use ("the old mill").
    """

    class Kind(models.TextChoices):
        # Translated: residents read the kind next to each place found.
        STREET = "street", pgettext_lazy("kind of place", "Street")
        LANDMARK = "landmark", pgettext_lazy("kind of place", "Landmark")
        INTERSECTION = "intersection", pgettext_lazy("kind of place", "Intersection")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.LANDMARK)
    aliases = models.CharField(
        max_length=300, blank=True, help_text="Other names, comma-separated."
    )
    lat = models.FloatField("latitude")
    long = models.FloatField("longitude")

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="place_name")]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day the town does not work; targets do not count it."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class Blocker(models.Model):
    """A reason a request is waiting, shown to residents in plain words."""

    name = models.CharField(
        max_length=100, unique=True, help_text="What staff pick, e.g. “Scheduled”."
    )
    public_text = models.CharField(
        max_length=200,
        help_text="What residents read, e.g. “The work is on our schedule.”",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
