from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organization, OrganizationVerification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "masked_mobile", "email", "is_active", "is_staff"]
    search_fields = ["username", "display_name", "email", "mobile"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Zhibao"), {"fields": ("display_name", "mobile", "resident_id")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "league", "status"]
    list_filter = ["kind", "status", "league"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["status", "verified_at", "rejection_reason", "province", "city", "county"]
    inlines = [MembershipInline]


@admin.register(OrganizationVerification)
class OrganizationVerificationAdmin(admin.ModelAdmin):
    list_display = ["case", "organization", "state"]
    list_filter = ["state"]
    readonly_fields = ["case", "organization", "state", "snapshot", "decision_reason"]
