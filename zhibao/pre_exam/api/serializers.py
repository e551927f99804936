"""Serializers of the pre-examination API: input checks the shape only (types, lengths, known
codes); every business rule is the services' (filings, intake, priority), whose refusals
come back as the one error shape {code, message, fields}."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.core.api.serializers import TransitionSerializer, UserBriefSerializer
from zhibao.patents.choices import PatentType

from ..choices import ApplicationKind, DocumentKind, FilingState, PreExamState, PriorityGround, PriorityState
from ..models import CorrectionNotice, Filing, Opinion, PreExamCase, PriorityRequest, TechnicalField

MAX_FILES_PER_KIND = 10
MAX_IPC_CODES = 20
MAX_LOCARNO_CODES = 10


def download_url(attachment) -> str | None:
    """The kernel's permission-checked download of an attachment."""
    return reverse("core:attachment_download", args=[attachment.pk]) if attachment is not None else None


# --- Small shared pieces ---------------------------------------------------------------------


class FieldBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- Technical fields ------------------------------------------------------------------------


class TechnicalFieldSerializer(serializers.ModelSerializer):
    """A field of the center; the staff also read how many examiners serve it and how many
    prioritized-examination recommendations are left in this year's quota (null for others)."""

    ipc_prefixes = serializers.ListField(child=serializers.CharField(), read_only=True)
    locarno_classes = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Locarno classes (13) or subclasses (23-03) in which the field takes designs")
    keywords = serializers.ListField(child=serializers.CharField(), read_only=True)
    examiners_count = serializers.SerializerMethodField()
    priority_quota = serializers.SerializerMethodField()
    priority_quota_left = serializers.SerializerMethodField()

    class Meta:
        model = TechnicalField
        fields = ["code", "name", "ipc_prefixes", "locarno_classes", "keywords", "examiners_count", "priority_quota",
                  "priority_quota_left"]

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    def get_examiners_count(self, field) -> int | None:
        from ..services.assignment import examiners_of

        return examiners_of(field).count() if self._staff() else None

    def get_priority_quota(self, field) -> int | None:
        return field.priority_quota if self._staff() else None

    def get_priority_quota_left(self, field) -> int | None:
        from ..services.priority import quota_left

        return quota_left(field) if self._staff() else None


# --- Filings (PEF) ---------------------------------------------------------------------------


def _state_field(states) -> serializers.CharField:
    # A plain string documented with its values: three "state" enums in one schema would
    # collide in drf-spectacular's enum naming.
    return serializers.CharField(read_only=True, help_text="One of: " + ", ".join(states.values))


class FilingSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    state = _state_field(FilingState)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    fields = FieldBriefSerializer(many=True, read_only=True)
    applicant = UserBriefSerializer(source="case.applicant", read_only=True)
    assignee = UserBriefSerializer(source="case.assignee", read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", read_only=True)
    deadline = serializers.DateField(source="case.deadline", read_only=True, allow_null=True)
    is_valid = serializers.BooleanField(read_only=True)
    renews = serializers.CharField(source="renews.case.number", read_only=True, allow_null=True, default=None,
                                   help_text="Number of the filing this one renews, if it is a renewal")
    checks = serializers.JSONField(read_only=True, help_text="What intake found: region_code, in_region, "
                                                             "legal_entity, scope {field: bool}, abnormal_records")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = ["number", "state", "state_label", "organization", "fields", "business_scope", "contact_name",
                  "contact_phone", "checks", "valid_until", "is_valid", "renews", "decision_reason", "decided_at",
                  "applicant",
                  "assignee", "submitted_at", "deadline", "url"]
        read_only_fields = fields

    def get_url(self, filing) -> str:
        return reverse("api-pre-exam-filing-detail", args=[filing.case.number])


class FilingDetailSerializer(FilingSerializer):
    renewal_open = serializers.BooleanField(read_only=True, help_text="Whether the organization may apply now "
                                                                      "to renew this filing")
    transitions = serializers.SerializerMethodField()

    class Meta(FilingSerializer.Meta):
        fields = [*FilingSerializer.Meta.fields, "renewal_open", "transitions"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, filing) -> list[dict]:
        return _transitions(filing, self.context)


class FilingSubmitSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                            help_text="Id of an organization you administer")
    fields = serializers.ListField(child=serializers.SlugField(max_length=32), required=False, max_length=20,
                                   help_text="Codes of the center's technical fields (repeat the part per field)")
    business_scope = serializers.CharField(max_length=2000, allow_blank=True,
                                           help_text="As written on the business licence")
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30)
    licence = serializers.FileField(required=False, max_length=255, help_text="Business licence: PDF, JPG or PNG")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                            help_text="Same as the Idempotency-Key header (the header wins)")


# --- Pre-examination cases (PE) --------------------------------------------------------------


def _transitions(detail, context) -> list[dict]:
    from zhibao.core.services.cases import available_transitions

    request = context.get("request")
    user = getattr(request, "user", None)
    items = available_transitions(detail, user)
    for item in items:  # a RETURN_VALUE target (reassign) is not a state name
        if not isinstance(item["target"], str):
            item["target"], item["target_label"] = "", ""
    return TransitionSerializer(items, many=True).data


class PreExamCaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    state = _state_field(PreExamState)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    patent_type_label = serializers.CharField(source="get_patent_type_display", read_only=True)
    application_kind_label = serializers.CharField(source="get_application_kind_display", read_only=True)
    field = FieldBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(source="case.organization", read_only=True, allow_null=True)
    applicant = UserBriefSerializer(source="case.applicant", read_only=True)
    assignee = UserBriefSerializer(source="case.assignee", read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", read_only=True)
    deadline = serializers.DateField(source="case.deadline", read_only=True, allow_null=True,
                                     help_text="The current step's due date (working days)")
    overdue = serializers.BooleanField(source="case.is_overdue", read_only=True)
    ipc_codes = serializers.ListField(child=serializers.CharField(), read_only=True,
                                      help_text="An invention's or a utility model's IPC codes, canonical")
    locarno_codes = serializers.ListField(child=serializers.CharField(), read_only=True,
                                          help_text="A design's Locarno class-subclass codes (13-03), the main first")
    url = serializers.SerializerMethodField()

    class Meta:
        model = PreExamCase
        fields = ["number", "title", "patent_type", "patent_type_label", "application_kind",
                  "application_kind_label", "state", "state_label", "field", "ipc_codes", "locarno_codes", "organization",
                  "applicant", "assignee", "submitted_at", "deadline", "overdue", "cnipa_application_number", "url"]
        read_only_fields = fields

    def get_url(self, detail) -> str:
        return reverse("api-pre-exam-case-detail", args=[detail.case.number])


class NoticeSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    items = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="The failed checks")
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = CorrectionNotice
        fields = ["id", "stage", "stage_label", "text", "items", "issued_at", "reply_deadline", "status",
                  "status_label", "replied_at", "reply_text", "letter_url"]
        read_only_fields = fields

    def get_letter_url(self, notice) -> str | None:
        return download_url(notice.letter)


class OpinionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    is_draft = serializers.BooleanField(read_only=True)
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ["version", "kind", "kind_label", "is_draft", "text", "created_at", "letter_url"]
        read_only_fields = fields

    def get_letter_url(self, opinion) -> str | None:
        return download_url(opinion.letter)


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    hint = serializers.CharField(allow_blank=True)


class PreExamCaseDetailSerializer(PreExamCaseSerializer):
    """One case. `opinions` holds the sent ones for the applicant side, drafts too for the
    staff; `suggestion` and `formal_check` are for the staff (null for the applicant side)."""

    filing = serializers.CharField(source="filing.case.number", read_only=True)
    notices = NoticeSerializer(many=True, read_only=True)
    opinions = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()
    formal_check = serializers.SerializerMethodField()
    grant_cycle_days = serializers.IntegerField(read_only=True, allow_null=True,
                                                help_text="Days from filing at CNIPA to grant")
    checklist = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()
    documents_url = serializers.SerializerMethodField()

    class Meta(PreExamCaseSerializer.Meta):
        fields = [*PreExamCaseSerializer.Meta.fields, "abstract", "agency", "agent", "filing", "exam_deadline",
                  "assigned_at", "qualified_on", "decision_reason", "cnipa_filed_on", "granted_on",
                  "grant_publication_number", "decided_on", "grant_cycle_days", "notices", "opinions", "suggestion",
                  "formal_check", "checklist", "transitions", "documents_url"]
        read_only_fields = fields

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    @extend_schema_field(OpinionSerializer(many=True))
    def get_opinions(self, detail) -> list[dict]:
        opinions = list(detail.opinions.all())
        if not self._staff():
            opinions = [o for o in opinions if not o.is_draft]
        return OpinionSerializer(opinions, many=True).data

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True,
                          "description": "Staff only: {subclasses: [[code, confidence]], field, field_name, "
                                         "field_confidence, trained_on}"})
    def get_suggestion(self, detail) -> dict | None:
        return detail.suggestion if self._staff() else None

    @extend_schema_field({"type": "object", "nullable": True, "additionalProperties": True,
                          "description": "Staff only: {passed, by, at, items: {code: bool}}"})
    def get_formal_check(self, detail) -> dict | None:
        return detail.formal_check if self._staff() else None

    @extend_schema_field(ChecklistItemSerializer(many=True, allow_null=True))
    def get_checklist(self, detail) -> list[dict] | None:
        """Staff only: the formal checklist (the codes fail_formal_check's payload names)."""
        from ..services.workflow import checklist_for

        if not self._staff():
            return None
        return [{"code": i.code, "label": i.label, "hint": i.hint} for i in checklist_for(detail)]

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, detail) -> list[dict]:
        return _transitions(detail, self.context)

    def get_documents_url(self, detail) -> str:
        return reverse("api-pre-exam-case-documents", args=[detail.case.number])


def _document_fields():
    return {
        kind.value: serializers.ListField(
            child=serializers.FileField(max_length=255), required=False, max_length=MAX_FILES_PER_KIND,
            help_text=kind.name.replace("_", " ").capitalize() + (" (PDF, DOCX, JPG or PNG)"
                                                                  if kind == DocumentKind.DRAWINGS else " (PDF or DOCX)"),
        )
        for kind in DocumentKind
    }


class PreExamSubmitSerializer(serializers.Serializer):
    """The application and its documents; each document kind is a file part named by the
    kind (several parts of one kind allowed)."""

    organization = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                            help_text="Id of an organization you belong to (with a valid filing)")
    patent_type = serializers.ChoiceField(choices=PatentType.choices)
    application_kind = serializers.ChoiceField(choices=ApplicationKind.choices, required=False,
                                               default=ApplicationKind.ORDINARY,
                                               help_text="PCT national phase and divisional applications are refused")
    title = serializers.CharField(max_length=200)
    abstract = serializers.CharField(max_length=5000)
    ipc_codes = serializers.ListField(child=serializers.CharField(max_length=200), max_length=MAX_IPC_CODES,
                                      required=False, default=list,
                                      help_text="An invention's or a utility model's IPC codes, the main one first "
                                                "(one part each, or one part separated by ; or ,); none for a design")
    locarno_codes = serializers.ListField(child=serializers.CharField(max_length=50), max_length=MAX_LOCARNO_CODES,
                                          required=False, default=list,
                                          help_text="A design's Locarno class and subclass (13-03), the main one "
                                                    "first (one part each, or one part separated by ;); only for "
                                                    "a design")
    field = serializers.SlugField(max_length=32, required=False, help_text="Code of the technical field")
    agency = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agent = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                            help_text="Same as the Idempotency-Key header (the header wins)")

    def get_fields(self):
        fields = super().get_fields()
        fields.update(_document_fields())
        return fields


class DocumentSerializer(serializers.Serializer):
    """An attachment of a case, numbered within its kind (version 1 is the first upload)."""

    id = serializers.UUIDField()
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="1, 2 … within the kind, oldest first")
    current = serializers.SerializerMethodField(help_text="The latest version of its kind")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField(source="created_at")
    url = serializers.SerializerMethodField(help_text="The permission-checked download")

    def get_kind_label(self, attachment) -> str:
        from zhibao.core.attachments.kinds import KINDS

        kind = KINDS.get(attachment.kind)
        return str(kind.label) if kind else attachment.kind

    def get_version(self, attachment) -> int:
        return self.context["versions"][attachment.pk][0]

    def get_current(self, attachment) -> bool:
        return self.context["versions"][attachment.pk][1]

    def get_url(self, attachment) -> str:
        return download_url(attachment)


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(max_length=255)


# --- Prioritized-examination requests (PER) --------------------------------------------------


class PriorityRequestSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    state = _state_field(PriorityState)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    ground_label = serializers.CharField(source="get_ground_display", read_only=True)
    field = FieldBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    pre_exam_case = serializers.SerializerMethodField()
    applicant = UserBriefSerializer(source="case.applicant", read_only=True)
    assignee = UserBriefSerializer(source="case.assignee", read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", read_only=True)
    deadline = serializers.DateField(source="case.deadline", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = PriorityRequest
        fields = ["number", "application_number", "title", "field", "ground", "ground_label", "ground_detail",
                  "state", "state_label", "organization", "pre_exam_case", "year", "decision_reason",
                  "cnipa_decided_on", "applicant", "assignee", "submitted_at", "deadline", "url"]
        read_only_fields = fields

    def get_pre_exam_case(self, request) -> str | None:
        """The number of the pre-examination case of the same application, if any."""
        return request.pre_exam_case.case.number if request.pre_exam_case_id else None

    def get_url(self, request) -> str:
        return reverse("api-pre-exam-priority-detail", args=[request.case.number])


class PriorityRequestDetailSerializer(PriorityRequestSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(PriorityRequestSerializer.Meta):
        fields = [*PriorityRequestSerializer.Meta.fields, "transitions"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, request) -> list[dict]:
        return _transitions(request, self.context)


class PrioritySubmitSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                            help_text="Id of an organization you belong to")
    application_number = serializers.CharField(max_length=40, help_text="CNIPA application number, "
                                                                        "e.g. 202410001234.1")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    field = serializers.SlugField(max_length=32, required=False, help_text="Code of the technical field")
    ground = serializers.ChoiceField(choices=PriorityGround.choices)
    ground_detail = serializers.CharField(max_length=5000, help_text="Why the ground applies")
    search_report = serializers.FileField(required=False, max_length=255,
                                          help_text="Prior-art search report (PDF or DOCX)")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                            help_text="Same as the Idempotency-Key header (the header wins)")
