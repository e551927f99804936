"""Admin for curators: correcting a patent record goes through patents.services, which
queues the reindex, so the search index follows every edit."""

from django import forms
from django.contrib import admin

from .collections import publication_numbers_normalize, query_validate
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


class CollectionAdminForm(forms.ModelForm):
    """The admin checks what the collection services check: a query that parses, numbers that
    are publication numbers."""

    class Meta:
        model = Collection
        fields = ["slug", "name", "description", "query", "includes", "excludes", "is_public", "owner"]

    def clean(self):
        data = super().clean()
        errors = {}
        for name, check in (("query", lambda v: query_validate(v, field="query")),
                            ("includes", lambda v: publication_numbers_normalize(list(v or []), field="includes")),
                            ("excludes", lambda v: publication_numbers_normalize(list(v or []), field="excludes"))):
            if name in data:
                try:
                    data[name] = check(data[name])
                except forms.ValidationError as exc:  # {field: message}, as the services raise it
                    errors.update(exc.message_dict)
        if errors:
            raise forms.ValidationError(errors)
        return data


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    form = CollectionAdminForm
    list_display = ["name", "slug", "is_public", "patent_count", "refreshed_at"]
    search_fields = ["name", "slug", "query"]


@admin.register(ImportPreset)
class ImportPresetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "updated_at"]
    search_fields = ["name"]
