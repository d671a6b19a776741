from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from town311.alerts.models import MAX_RADIUS, MIN_RADIUS
from town311.alerts.selectors import Area
from town311.directory.gazetteer import places_search
from town311.directory.models import Neighbourhood, Service, Town

DEFAULT_RADIUS = 500


class AreaForm(forms.Form):
    """Where to hear about new requests, and about which services. The same
    fields make an e-mail subscription and a feed address."""

    where = forms.ChoiceField(
        label=_("Where"),
        choices=[
            ("place", _("Around a place")),
            ("neighbourhood", _("In a neighbourhood")),
        ],
        initial="place",
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Street or landmark"),
        required=False,
        max_length=200,
        help_text=_("For example “Main Street” or “Riverside Park”."),
    )
    lat = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90
    )
    long = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    radius = forms.IntegerField(
        label=_("Distance in metres"),
        min_value=MIN_RADIUS,
        max_value=MAX_RADIUS,
        initial=DEFAULT_RADIUS,
        required=False,
        help_text=_("From 100 to 5000 metres."),
        widget=forms.NumberInput(attrs={"step": 50}),
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Choose a neighbourhood"),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Only these services"),
        queryset=Service.objects.public().select_related("group"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to hear about every service."),
    )

    def clean(self) -> dict:
        data = super().clean()
        # Without JavaScript both kinds of area show; someone who picked a
        # neighbourhood and nothing else meant it, whatever the radio says.
        nothing_placed = not data.get("place") and data.get("lat") is None
        if nothing_placed and data.get("neighbourhood"):
            data["where"] = "neighbourhood"

        if data.get("where") == "neighbourhood":
            if not data.get("neighbourhood") and "neighbourhood" not in self.errors:
                self.add_error("neighbourhood", gettext("Choose a neighbourhood."))
            return data

        if data.get("where") == "place":
            self._clean_place(data)

        return data

    def _clean_place(self, data: dict) -> None:
        if any(name in self.errors for name in ("lat", "long", "radius", "place")):
            return

        if data.get("radius") is None:
            data["radius"] = DEFAULT_RADIUS

        lat, long = data.get("lat"), data.get("long")
        if lat is not None or long is not None:
            if lat is None:
                self.add_error("lat", gettext("Give the latitude too."))
            elif long is None:
                self.add_error("long", gettext("Give the longitude too."))
            else:
                self._check_in_town(lat, long)
            return

        text = (data.get("place") or "").strip()
        if not text:
            self.add_error(
                "place",
                gettext("Type a street or landmark, or give a latitude and longitude."),
            )
            return

        matches = places_search(text, limit=5)
        if not matches:
            self.add_error(
                "place",
                gettext(
                    "We could not find “%(text)s”. Try the name of a street or "
                    "landmark, or give a latitude and longitude."
                )
                % {"text": text},
            )
            return

        exact = [m for m in matches if m.is_exact]
        if len(matches) > 1 and len(exact) != 1:
            names = ", ".join(f"“{m.place.name}”" for m in matches)
            self.add_error(
                "place",
                gettext("Several places match: %(names)s. Type one of them in full.")
                % {"names": names},
            )
            return

        match = exact[0] if exact else matches[0]
        data["lat"], data["long"] = match.lat, match.long
        data["place"] = match.place.name

    def _check_in_town(self, lat: float, long: float) -> None:
        town = Town.objects.current()
        if town is not None and not town.covers(lat, long):
            self.add_error(
                "lat",
                gettext("This point is outside %(town)s; pick a place in town.")
                % {"town": town.name},
            )

    def chosen_area(self) -> Area:
        data = self.cleaned_data
        services = tuple(data.get("services") or ())
        if data["where"] == "neighbourhood":
            return Area(neighbourhood=data["neighbourhood"], services=services)

        return Area(
            lat=data["lat"], long=data["long"], radius=data["radius"], services=services
        )

    def place_name(self) -> str:
        if self.cleaned_data.get("where") != "place":
            return ""

        return self.cleaned_data.get("place") or ""

    def area_query(self) -> list[tuple[str, str]]:
        """The chosen area as this form's own fields, cleaned, to carry it
        to the next step."""
        area = self.chosen_area()
        services = [("services", s.code) for s in area.services]
        if area.neighbourhood is not None:
            return [
                ("where", "neighbourhood"),
                ("neighbourhood", area.neighbourhood.slug),
            ] + services

        return [
            ("where", "place"),
            ("place", self.place_name()),
            ("lat", f"{area.lat:.6f}"),
            ("long", f"{area.long:.6f}"),
            ("radius", str(area.radius)),
        ] + services

    def feed_query(self) -> list[tuple[str, str]]:
        """The feed address's parameters for the chosen area."""
        area = self.chosen_area()
        if area.neighbourhood is not None:
            query = [("area", area.neighbourhood.slug)]
        else:
            query = [
                ("lat", f"{area.lat:.6f}"),
                ("long", f"{area.long:.6f}"),
                ("radius", str(area.radius)),
            ]

        return query + [("service", s.code) for s in area.services]


class SubscribeForm(AreaForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("We e-mail you a link to confirm first."),
    )

    field_order = ["email"]

    def __init__(self, *args, email_required: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The feed address needs no e-mail, only the area.
        self.fields["email"].required = email_required


class FeedForm(forms.Form):
    """The feed's query string: ?lat=&long=&radius= or ?area=, and any
    number of &service=."""

    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    radius = forms.IntegerField(
        required=False, min_value=MIN_RADIUS, max_value=MAX_RADIUS
    )
    area = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.all(), to_field_name="slug", required=False
    )
    service = forms.ModelMultipleChoiceField(
        queryset=Service.objects.public(), to_field_name="code", required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data

        has_point = data.get("lat") is not None or data.get("long") is not None
        if has_point and data.get("area"):
            raise forms.ValidationError(
                gettext("Give either lat and long or an area, not both.")
            )

        if has_point and (data.get("lat") is None or data.get("long") is None):
            raise forms.ValidationError(gettext("Give both lat and long."))

        return data

    def chosen_area(self) -> Area:
        data = self.cleaned_data
        services = tuple(data.get("service") or ())
        if data.get("area"):
            return Area(neighbourhood=data["area"], services=services)

        if data.get("lat") is not None:
            return Area(
                lat=data["lat"],
                long=data["long"],
                radius=data.get("radius") or DEFAULT_RADIUS,
                services=services,
            )

        return Area(services=services)
