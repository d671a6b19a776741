from django.contrib import admin

from town311.alerts.models import Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "neighbourhood", "radius", "created_at", "confirmed_at"]
    list_filter = ["neighbourhood"]
    search_fields = ["=email", "place_name"]
    raw_id_fields = ["neighbourhood"]
    filter_horizontal = ["services"]
    readonly_fields = ["created_at", "confirmed_at"]
