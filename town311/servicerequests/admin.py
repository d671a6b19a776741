from django.contrib import admin

from town311.servicerequests.models import Event, Follower, Photo, ServiceRequest


class EventInline(admin.TabularInline):
    model = Event
    fk_name = "request"
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "is_public", "text", "to_department"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["image", "is_hidden", "created_at"]
    readonly_fields = ["image", "created_at"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-mostly: the lifecycle is worked in the staff workspace, where
    every change leaves its event. Here only what carries no history can
    be edited."""

    list_display = ["id", "service", "status", "department", "channel", "submitted_at"]
    list_filter = ["status", "channel", "department", "service"]
    search_fields = ["=id", "description", "address"]
    date_hierarchy = "submitted_at"
    list_select_related = ["service", "department"]
    readonly_fields = [
        "status",
        "resolution",
        "department",
        "department_entered_at",
        "agency",
        "assignee",
        "duplicate_of",
        "submitted_at",
        "acknowledged_at",
        "acknowledged_department",
        "acknowledged_department_entered_at",
        "closed_at",
        "updated_at",
    ]
    inlines = [PhotoInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["request", "email", "is_reporter", "created_at"]
    raw_id_fields = ["request"]
    search_fields = ["=email"]
