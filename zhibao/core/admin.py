from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    CalendarDay,
    CalendarYear,
    Case,
    CaseEvent,
    Industry,
    Job,
    Notification,
    Region,
    WorkerHeartbeat,
)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_working_day", "name"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "confirmed_at"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "transition", "from_state", "to_state", "comment", "payload"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases move only through their workflow, never by editing rows."""

    list_display = ["number", "service", "title", "status", "assignee", "deadline", "submitted_at", "closed_at"]
    list_filter = ["service", "status"]
    search_fields = ["number", "title"]
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "name", "owner", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "name"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "created_at", "read_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "backend", "seen_at"]


admin.site.site_header = _("Zhibao administration")
admin.site.site_title = _("Zhibao administration")
