from django.contrib import admin
from django.db import models

from town311.directory.models import (
    Agency,
    AttributeValue,
    Blocker,
    Department,
    Holiday,
    Neighbourhood,
    Place,
    RoutingArea,
    Service,
    ServiceAttribute,
    ServiceGroup,
    Town,
)

AREA_HELP = (
    "Draw the area in any GeoJSON editor and paste the result here; "
    "GeoJSON lists longitude before latitude."
)


@admin.register(Town)
class TownAdmin(admin.ModelAdmin):
    list_display = ["display_name", "time_zone"]
    # A town's website and licence addresses are typed without a scheme as
    # often as with one, and today they are all https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request) -> bool:
        return not Town.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "acknowledge_target", "close_target", "is_active"]
    list_filter = ["is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "website"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    show_change_link = True
    fields = ["order", "code", "description", "datatype", "required", "variable"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group", "department", "is_public", "is_active"]
    list_filter = ["group", "department", "is_public", "is_active"]
    search_fields = ["name", "code", "keywords"]
    list_select_related = ["group", "department"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [ServiceAttributeInline]


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    fields = ["order", "key", "name"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin):
    list_display = ["description", "service", "code", "datatype", "required"]
    list_filter = ["datatype", "service"]
    list_select_related = ["service"]
    search_fields = ["description", "code", "service__name"]
    inlines = [AttributeValueInline]


@admin.register(RoutingArea)
class RoutingAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "service_or_all", "destination", "is_active", "updated_at"]
    list_filter = ["is_active", "service", "department", "agency"]
    list_select_related = ["service", "department", "agency"]
    search_fields = ["name"]
    readonly_fields = ["updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["area"].help_text = AREA_HELP
        return form

    @admin.display(description="service", ordering="service__name")
    def service_or_all(self, obj: RoutingArea) -> str:
        return obj.service.name if obj.service else "All services"

    @admin.display(description="sends requests to")
    def destination(self, obj: RoutingArea) -> str:
        return str(obj.destination or "")


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["area"].help_text = AREA_HELP
        return form


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "lat", "long"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(Blocker)
class BlockerAdmin(admin.ModelAdmin):
    """The short list staff pick from when a request is waiting. Requests
    keep their blocker, so one in use is switched off rather than deleted."""

    list_display = ["name", "public_text", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "public_text"]
