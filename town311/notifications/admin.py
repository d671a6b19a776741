from django.contrib import admin

from town311.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["=to", "subject"]
    raw_id_fields = ["request"]
    readonly_fields = ["attempts", "last_error", "created_at", "sent_at"]
