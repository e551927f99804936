"""Admin of the pre-examination channel: what the center configures (fields, settings,
checklist, letter templates, abnormal-filing register) is edited here; the cases themselves
are read-only — they move only through their workflow (services), never by editing rows."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import locarno
from .models import (
    AbnormalFilingRecord,
    CorrectionNotice,
    Filing,
    FormalCheckItem,
    NoticeTemplate,
    Opinion,
    PreExamCase,
    PreExamConfig,
    PriorityRequest,
    TechnicalField,
)


@admin.register(TechnicalField)
class TechnicalFieldAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ipc_prefixes", "locarno_classes", "lead", "priority_quota", "active", "order"]
    list_editable = ["priority_quota", "active", "order"]
    filter_horizontal = ["examiners"]
    raw_id_fields = ["lead"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "locarno_classes" and formfield is not None:
            # The scheme's 32 classes under the input: the center picks from them (locarno.py).
            formfield.help_text = format_html(
                "{}<br>{}<br>{}", db_field.help_text,
                _("The Locarno classes (edition %(edition)s):") % {"edition": locarno.EDITION},
                format_html_join("; ", "{}", ((label,) for _code, label in locarno.choices())))
        return formfield


@admin.register(PreExamConfig)
class PreExamConfigAdmin(admin.ModelAdmin):
    list_display = ["__str__", "formal_check_days", "invention_days", "utility_model_days", "design_days",
                    "reply_days", "cnipa_filing_days", "ordinary_cycle_days", "updated_at"]

    def has_add_permission(self, request):
        return not PreExamConfig.objects.exists()  # one row: the channel's settings

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FormalCheckItem)
class FormalCheckItemAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "patent_types", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    list_display = ["kind", "title", "updated_at"]


@admin.register(AbnormalFilingRecord)
class AbnormalFilingRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "organization", "recorded_on", "source", "active"]
    list_filter = ["active"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["organization"]


class _ReadOnly(admin.ModelAdmin):
    """Workflow records: visible for support, changed only by their transitions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(_ReadOnly):
    list_display = ["case", "organization", "state", "valid_until", "renews"]
    list_filter = ["state"]
    search_fields = ["case__number", "organization__name"]


@admin.register(PreExamCase)
class PreExamCaseAdmin(_ReadOnly):
    list_display = ["case", "title", "field", "patent_type", "classification", "state", "cnipa_application_number",
                    "granted_on"]
    list_filter = ["state", "field", "patent_type"]
    search_fields = ["case__number", "title", "cnipa_application_number"]

    @admin.display(description=gettext_lazy("classification"))
    def classification(self, obj):
        """The main code: Locarno for a design, IPC otherwise."""
        codes = obj.locarno_codes or obj.ipc_codes
        return codes[0] if codes else "—"


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(_ReadOnly):
    list_display = ["pre_exam_case", "stage", "status", "reply_deadline"]
    list_filter = ["stage", "status"]


@admin.register(Opinion)
class OpinionAdmin(_ReadOnly):
    list_display = ["pre_exam_case", "version", "kind", "examiner", "created_at"]


@admin.register(PriorityRequest)
class PriorityRequestAdmin(_ReadOnly):
    list_display = ["case", "application_number", "field", "ground", "state", "year"]
    list_filter = ["state", "field", "ground", "year"]
    search_fields = ["case__number", "application_number"]
