from django.contrib import admin, messages

from town311.open311.keys import api_key_issue, api_key_revoke
from town311.open311.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "owner",
        "rate_limit",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "=prefix", "owner__username"]
    fields = ["name", "owner", "rate_limit"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["owner"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return self.fields
        return [*self.fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change) -> None:
        raw_key = None if change else api_key_issue(obj)
        super().save_model(request, obj, form, change)

        # The message lives in the session until the next page shows it;
        # after that the raw key exists nowhere on our side.
        if raw_key:
            self.message_user(
                request,
                f"The key for {obj.name} is {raw_key} — copy it now and give it "
                "to its owner; it will not be shown again.",
                messages.WARNING,
            )

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request, queryset) -> None:
        keys = list(queryset.filter(revoked_at__isnull=True))
        for api_key in keys:
            api_key_revoke(api_key=api_key)
            self.log_change(request, api_key, "Revoked.")
        self.message_user(request, f"{len(keys)} API key(s) revoked.", messages.SUCCESS)
