"""Admin for curators: correcting a patent record goes through patents.services, which
queues the reindex, so the search index follows every edit."""

from django.contrib import admin

from .models import Collection, ImportPreset, IpcCode, Patent
from .services import patent_delete, patent_save, patents_reindex_queue


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = ["publication_number", "title", "first_applicant", "patent_type", "application_date",
                    "legal_status", "province"]
    list_filter = ["patent_type", "legal_status", "applicant_type", "province"]
    search_fields = ["=publication_number", "=application_number", "title", "first_applicant"]
    date_hierarchy = "application_date"
    readonly_fields = ["content_hash", "source_file", "created_at", "updated_at"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted work

    def save_model(self, request, obj, form, change):
        patent_save(patent=obj, user=request.user)

    def delete_model(self, request, obj):
        patent_delete(patent=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        numbers = list(queryset.values_list("publication_number", flat=True))
        queryset.delete()
        patents_reindex_queue(publication_numbers=numbers, user=request.user, deleted=True)


@admin.register(IpcCode)
class IpcCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "level", "title"]
    list_filter = ["level"]
    search_fields = ["code", "title"]
    raw_id_fields = ["parent"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_public", "patent_count", "refreshed_at"]
    search_fields = ["name", "slug", "query"]


@admin.register(ImportPreset)
class ImportPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "updated_at"]
    search_fields = ["name"]
