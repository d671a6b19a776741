from django.contrib import admin, messages

from town311.notifications.models import Message
from town311.notifications.services import message_send_again


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["=to", "subject"]
    raw_id_fields = ["request"]
    readonly_fields = ["headers", "attempts", "last_error", "created_at", "sent_at"]
    actions = ["send_again"]

    @admin.action(description="Send again (messages given up)")
    def send_again(self, request, queryset) -> None:
        count = sum(
            1
            for message in queryset.filter(status=Message.Status.FAILED)
            if message_send_again(message)
        )
        self.message_user(
            request, f"{count} message(s) will be sent again.", messages.SUCCESS
        )
