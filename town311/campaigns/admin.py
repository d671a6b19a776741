from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from town311.campaigns import services
from town311.campaigns.models import (
    Campaign,
    CampaignQuestion,
    CampaignQuestionValue,
    Confirmation,
    Submission,
)
from town311.lib.errors import ActionError

AREA_HELP = (
    "Draw the area in any GeoJSON editor and paste the result here; GeoJSON "
    "lists longitude before latitude. Leave it empty for the whole town."
)


class CampaignQuestionInline(admin.TabularInline):
    model = CampaignQuestion
    extra = 1
    show_change_link = True
    fields = [
        "order",
        "code",
        "description",
        "datatype",
        "datatype_description",
        "required",
    ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "starts_on",
        "ends_on",
        "state",
        "publication",
        "published_count",
        "pending_count",
    ]
    list_filter = ["publication", "photo_required"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_on"
    readonly_fields = ["created_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [CampaignQuestionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "why"]}),
        ("Where and when", {"fields": ["area_name", "area", "starts_on", "ends_on"]}),
        ("Submissions", {"fields": ["photo_required", "publication"]}),
        (
            "Open data",
            {
                "fields": ["licence_name", "licence_url"],
                "description": "Leave both empty to publish under the town's "
                "open-data licence.",
            },
        ),
        (None, {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                published=Count(
                    "submissions",
                    filter=Q(submissions__status=Submission.Status.PUBLISHED),
                ),
                pending=Count(
                    "submissions",
                    filter=Q(submissions__status=Submission.Status.PENDING),
                ),
            )
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["area"].help_text = AREA_HELP
        return form

    def save_model(self, request, obj: Campaign, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description="now")
    def state(self, obj: Campaign) -> str:
        return services.campaign_state(obj)

    @admin.display(description="published", ordering="published")
    def published_count(self, obj: Campaign) -> int:
        return obj.published

    @admin.display(description="waiting", ordering="pending")
    def pending_count(self, obj: Campaign) -> int:
        return obj.pending


class CampaignQuestionValueInline(admin.TabularInline):
    model = CampaignQuestionValue
    extra = 1
    fields = ["order", "key", "name"]


@admin.register(CampaignQuestion)
class CampaignQuestionAdmin(admin.ModelAdmin):
    list_display = ["description", "campaign", "code", "datatype", "required"]
    list_filter = ["datatype", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["description", "code", "campaign__title"]
    inlines = [CampaignQuestionValueInline]


class ConfirmationInline(admin.TabularInline):
    model = Confirmation
    extra = 0
    can_delete = False
    fields = ["confirmed_at", "contributor_email"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Submissions as they stand. Moderation changes them through the staff
    pages (or the action here), which check each move and thank the
    contributor, so nothing is edited directly."""

    list_display = [
        "pk",
        "campaign",
        "status",
        "submitted_at",
        "published_at",
        "confirmations",
    ]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign"]
    search_fields = ["=pk", "=contributor_email"]
    date_hierarchy = "submitted_at"
    inlines = [ConfirmationInline]
    actions = ["approve"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [field.name for field in Submission._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Approve the pending submissions")
    def approve(self, request, queryset) -> None:
        try:
            changed = services.submissions_bulk(
                action="approve", submissions=queryset, by=request.user
            )
        except ActionError as error:
            self.message_user(request, error.message, messages.ERROR)
            return

        self.message_user(
            request, f"{changed} submission(s) published.", messages.SUCCESS
        )
