from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from town311.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "department"]
    list_filter = ["role", "department", "is_active", "is_superuser"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Town work", {"fields": ["role", "department", "granted_departments"]}),
    ]
    filter_horizontal = [*BaseUserAdmin.filter_horizontal, "granted_departments"]
