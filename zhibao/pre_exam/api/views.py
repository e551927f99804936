"""/api/v1/pre-exam/: the pre-examination green channel over REST.

Reads go through the case index's `cases_visible_to(user)`, so an object another user may
not open answers the same 404 as one that does not exist. Writes call the channel's
services; their refusals (WorkflowError) come back as {code, message, fields} with the
service's status, in the request's language. Workflow steps are not here: every case of
every service moves through the kernel's POST /api/v1/cases/{number}/transitions/{name}
(see TRANSITIONS_DOC for what each step of this channel reads from `payload`).
"""

from contextlib import contextmanager

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.attachments.validators import AttachmentRejected, safe_display_name
from zhibao.core.selectors import cases_visible_to
from zhibao.core.services.cases import WorkflowError

from ..choices import FilingState, PreExamState, PriorityState
from ..models import CorrectionNotice, Filing, Opinion, PreExamCase, PriorityRequest, TechnicalField
from ..rules import is_own_case, works_in_pre_exam
from ..services.documents import pre_exam_document_add
from .serializers import (
    DocumentSerializer,
    DocumentUploadSerializer,
    FilingDetailSerializer,
    FilingSerializer,
    FilingSubmitSerializer,
    PreExamCaseDetailSerializer,
    PreExamCaseSerializer,
    PreExamSubmitSerializer,
    PriorityRequestDetailSerializer,
    PriorityRequestSerializer,
    PrioritySubmitSerializer,
    TechnicalFieldSerializer,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
CASE_NUMBER_RE = r"[A-Z]+-\d{4}-\d{6}"  # the kernel's; a number of another service simply finds nothing
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Any unique string (≤ 64 characters); a replay with the same key returns the first result "
                "with status 200 instead of 201. The form part idempotency_key does the same.",
)

TRANSITIONS_DOC = """
**Workflow steps** go through the kernel's one endpoint for every service:
`POST /api/v1/cases/{number}/transitions/{name}` with `{"comment": "…", "payload": {…}}`.
`transitions` lists the steps the caller may take now (name, label, whether a comment is required).
What each step of a pre-examination case (PE) reads from `payload` (dates are YYYY-MM-DD, never in the future):

| step | who | comment | payload |
|---|---|---|---|
| `pass_formal_check` | an examiner or the lead of the field | optional | `examiner`: user id (optional; default: automatic assignment); `failed` must be empty |
| `fail_formal_check` | an examiner or the lead of the field | required (what to correct) | `failed`: list of checklist codes (`checklist` of the case detail) |
| `reassign` | the field lead | optional | `examiner`: user id (required) |
| `start_examination` | the assigned examiner | optional | — |
| `request_correction` | the assigned examiner | required (the opinion) | — |
| `reply` | the applicant side | required (the reply) | — (upload revised documents first: POST …/documents) |
| `qualify` | the assigned examiner | optional (the opinion) | — |
| `disqualify` | the assigned examiner | required (the reason) | — |
| `record_filing` | the applicant side or field staff | optional | `cnipa_application_number` (required, e.g. 202410001234.1), `cnipa_filed_on` (default today) |
| `record_grant` | field staff | optional | `granted_on` (required), `grant_publication_number` (optional, e.g. CN123456789B) |
| `record_rejection` | field staff | required (CNIPA's reason) | `decided_on` (default today) |
| `withdraw` | the applicant side | optional | — |

Filings (PEF): `accept`, `approve` (`valid_until`, default: the configured validity), `reject`,
`return_for_correction`, `resubmit`, `withdraw`. Prioritized-examination requests (PER): `accept`,
`recommend` (refused with `quota_exhausted` past the field's yearly quota), `decline`,
`record_accepted` / `record_refused` (`cnipa_decided_on`, default today), `withdraw`.
A refused step answers 400/403/409 with `{code, message, fields}`, e.g.
`{"code": "bad_number", "fields": {"cnipa_application_number": ["…"]}}`.
"""


# --- Helpers ---------------------------------------------------------------------------------


def _idempotency_key(request, data) -> str:
    return (request.headers.get("Idempotency-Key") or data.get("idempotency_key") or "").strip()[:64]


def _organization_of(user, organization_id) -> Organization:
    """An organization the user belongs to; any other id, existing or not, is the same error."""
    organization = Organization.objects.filter(pk=organization_id, memberships__user=user).first()
    if organization is None:
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    return organization


def _field_of(code: str | None) -> TechnicalField | None:
    if not code:
        return None
    field = TechnicalField.objects.filter(active=True, code=code).first()
    if field is None:
        raise WorkflowError("unknown_field", _("“%(code)s” is not one of the center's technical fields.")
                            % {"code": code}, fields={"field": [_("Unknown field.")]}, status=400)
    return field


@contextmanager
def _upload_errors(files_by_field: dict):
    """A refused upload as the one error shape, on the part that carried the file."""
    try:
        yield
    except AttachmentRejected as exc:
        message = exc.messages[0] if exc.messages else str(exc)
        name = (exc.params or {}).get("name") if hasattr(exc, "params") else None
        where = next((key for key, files in files_by_field.items()
                      if any(safe_display_name(getattr(f, "name", "") or "") == name for f in files)),
                     next(iter(files_by_field), "non_field_errors"))
        raise WorkflowError(exc.code or "file_rejected", message, fields={where: [message]}, status=400) from exc


def _staff_on(user, case) -> bool:
    """Staff of the channel looking at a case that is not their own organization's."""
    return bool(works_in_pre_exam(user)) and not is_own_case(user, case)


def _visible(queryset, user):
    return queryset.filter(case__in=cases_visible_to(user).values("pk"))


def _numbered(attachments) -> tuple[list, dict]:
    """The attachments oldest first, and {pk: (version, current)}: version 1, 2 … within the
    kind, current for the latest of its kind."""
    attachments = sorted(attachments, key=lambda a: (a.created_at, str(a.pk)))
    counts: dict[str, int] = {}
    versions = {}
    for attachment in attachments:
        counts[attachment.kind] = counts.get(attachment.kind, 0) + 1
        versions[attachment.pk] = counts[attachment.kind]
    return attachments, {a.pk: (versions[a.pk], versions[a.pk] == counts[a.kind]) for a in attachments}


class ChannelViewSet(viewsets.GenericViewSet):
    """Shared by the channel's case viewsets: looked up by case number among visible cases."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    parser_classes = [MultiPartParser]
    model = None

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.model.objects.none()
        return _visible(self.base_queryset(), self.request.user).order_by("-case__submitted_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])


# --- Technical fields ------------------------------------------------------------------------


@extend_schema(responses={200: TechnicalFieldSerializer(many=True), **ERRORS})
class TechnicalFieldListView(generics.ListAPIView):
    """The center's active technical fields. For the channel's staff, also the number of
    examiners who serve each field and the prioritized-examination quota left this year
    (null for everybody else)."""

    serializer_class = TechnicalFieldSerializer
    pagination_class = None
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        return TechnicalField.objects.filter(active=True)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["staff"] = not getattr(self, "swagger_fake_view", False) and works_in_pre_exam(self.request.user)
        return context


# --- Filings (PEF) ---------------------------------------------------------------------------


class FilingFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FilingState.choices, label=gettext_lazy("State"))

    class Meta:
        model = Filing
        fields = ["state"]


@extend_schema_view(
    list=extend_schema(responses={200: FilingSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: FilingDetailSerializer, **ERRORS}, description=TRANSITIONS_DOC),
)
class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChannelViewSet):
    """预审备案: an organization's filings to use the pre-examination channel."""

    model = Filing
    filterset_class = FilingFilterSet

    def base_queryset(self):
        return (Filing.objects.select_related("case__applicant", "case__assignee", "organization", "renews__case")
                .prefetch_related("fields"))

    def get_serializer_class(self):
        return FilingDetailSerializer if self.action == "retrieve" else FilingSerializer

    @extend_schema(request={"multipart/form-data": FilingSubmitSerializer}, parameters=[IDEMPOTENCY],
                   responses={201: FilingDetailSerializer, 200: FilingDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Apply for the organization's filing (the organization's administrator, once it is
        verified): intake checks region, legal entity, abnormal-filing records and that the
        business scope lies in the chosen fields. 201 with the filing; a replay with the same
        idempotency key answers 200 with the same filing."""
        from ..services.filings import filing_submit

        data = FilingSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = _organization_of(request.user, values["organization"])
        codes = list(dict.fromkeys(values.get("fields") or []))
        fields = list(TechnicalField.objects.filter(active=True, code__in=codes))
        unknown = sorted(set(codes) - {f.code for f in fields})
        if unknown:
            raise WorkflowError("unknown_field", _("Not technical fields of the center: %(codes)s")
                                % {"codes": "、".join(unknown)}, fields={"fields": [_("Unknown field.")]}, status=400)
        licence = values.get("licence")
        with _upload_errors({"licence": [licence] if licence else []}):
            filing, created = filing_submit(
                user=request.user, organization=organization, fields=fields,
                business_scope=values["business_scope"], contact_name=values["contact_name"],
                contact_phone=values["contact_phone"], licence=licence,
                idempotency_key=_idempotency_key(request, values),
            )
        filing = self.get_queryset().get(pk=filing.pk)
        return Response(FilingDetailSerializer(filing, context=self.get_serializer_context()).data,
                        status=201 if created else 200)


# --- Pre-examination cases (PE) --------------------------------------------------------------


class PreExamCaseFilterSet(django_filters.FilterSet):
    field = django_filters.CharFilter(field_name="field__code", max_length=32,
                                      label=gettext_lazy("Technical field (code)"))
    state = django_filters.ChoiceFilter(choices=PreExamState.choices, label=gettext_lazy("State"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=gettext_lazy("Overdue"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=gettext_lazy("Assigned to me"))

    class Meta:
        model = PreExamCase
        fields = ["field", "state", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"case__closed_at__isnull": True, "case__deadline__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = self.request.user
        return queryset.filter(case__assignee=user) if value else queryset.exclude(case__assignee=user)


@extend_schema_view(
    list=extend_schema(responses={200: PreExamCaseSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: PreExamCaseDetailSerializer, **ERRORS}, description=TRANSITIONS_DOC),
)
class PreExamCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChannelViewSet):
    """专利预审: applications pre-examined by the center before they are filed at CNIPA."""

    model = PreExamCase
    filterset_class = PreExamCaseFilterSet

    def base_queryset(self):
        qs = PreExamCase.objects.select_related("case__applicant", "case__assignee", "case__organization", "field")
        if self.action in {"retrieve", "create"}:
            qs = qs.select_related("filing__case").prefetch_related(
                Prefetch("notices", queryset=CorrectionNotice.objects.select_related("letter")),
                Prefetch("opinions", queryset=Opinion.objects.select_related("letter")),
            )
        return qs

    def get_serializer_class(self):
        return PreExamCaseDetailSerializer if self.action == "retrieve" else PreExamCaseSerializer

    def retrieve(self, request, *args, **kwargs):
        """One case with its notices, opinions and the steps you may take now."""
        detail = self.get_object()
        return Response(self._detail_data(detail))

    def _detail_data(self, detail) -> dict:
        context = self.get_serializer_context()
        context["staff"] = _staff_on(self.request.user, detail.case)
        return PreExamCaseDetailSerializer(detail, context=context).data

    @extend_schema(request={"multipart/form-data": PreExamSubmitSerializer}, parameters=[IDEMPOTENCY],
                   responses={201: PreExamCaseDetailSerializer, 200: PreExamCaseDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Submit an application for pre-examination with its documents, each file a part
        named by its kind (pe_request, pe_description, pe_claims, pe_abstract, pe_drawings;
        several parts of one kind allowed). Refused at the door with a code: pct_refused,
        divisional_refused, no_valid_filing, abnormal_filing, bad_ipc, ipc_outside_fields,
        ipc_field_mismatch, field_not_filed, duplicate_submission (409), documents_missing …
        A design is classified by Locarno (locarno_codes), not IPC: ipc_for_design, no_locarno,
        bad_locarno, locarno_outside_fields, locarno_field_mismatch; Locarno codes on an invention
        or a utility model: locarno_not_for_type."""
        from ..choices import DocumentKind
        from ..services.intake import pre_exam_submit

        data = PreExamSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = _organization_of(request.user, values["organization"])
        field = _field_of(values.get("field"))
        documents = {k.value: list(values.get(k.value) or []) for k in DocumentKind}
        codes, locarno = values["ipc_codes"], values["locarno_codes"]
        with _upload_errors(documents):
            detail, created = pre_exam_submit(
                user=request.user, organization=organization, patent_type=values["patent_type"],
                title=values["title"], abstract=values["abstract"],
                ipc_codes=codes[0] if len(codes) == 1 else codes,
                locarno_codes=locarno[0] if len(locarno) == 1 else locarno, field=field,
                documents={k: v for k, v in documents.items() if v},
                application_kind=values["application_kind"], agency=values["agency"], agent=values["agent"],
                idempotency_key=_idempotency_key(request, values),
            )
        detail = self.get_queryset().get(pk=detail.pk)
        return Response(self._detail_data(detail), status=201 if created else 200)

    @extend_schema(methods=["GET"], responses={200: DocumentSerializer(many=True), **ERRORS}, filters=False,
                   description="The case's files you may see (the application documents in every version, the "
                               "center's letters), each numbered within its kind, with its download address.")
    @extend_schema(methods=["POST"], request={"multipart/form-data": DocumentUploadSerializer},
                   responses={201: DocumentSerializer, **ERRORS}, filters=False,
                   description="A new version of an application document: only the applicant side, only while a "
                               "correction notice is open (states formal_correction and correction), otherwise "
                               "409 not_in_correction. Upload every revised document, then take the step `reply` "
                               "(POST /api/v1/cases/{number}/transitions/reply).")
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None,
            url_name="documents")
    def documents(self, request, number=None):
        """The case's files (GET), or a new version of an application document (POST)."""
        detail = self.get_object()
        if request.method == "POST":
            data = DocumentUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            upload = data.validated_data["file"]
            with _upload_errors({"file": [upload]}):
                added = pre_exam_document_add(detail=detail, kind=data.validated_data["kind"], uploaded_file=upload,
                                              user=request.user)
            _all, versions = _numbered(attachments_for(detail.case, request.user))
            return Response(DocumentSerializer(added, context={"versions": versions}).data, status=201)
        attachments, versions = _numbered(attachments_for(detail.case, request.user))
        return Response(DocumentSerializer(attachments, many=True, context={"versions": versions}).data)


# --- Prioritized-examination requests (PER) --------------------------------------------------


class PriorityRequestFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=PriorityState.choices, label=gettext_lazy("State"))
    field = django_filters.CharFilter(field_name="field__code", max_length=32,
                                      label=gettext_lazy("Technical field (code)"))

    class Meta:
        model = PriorityRequest
        fields = ["state", "field"]


@extend_schema_view(
    list=extend_schema(responses={200: PriorityRequestSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: PriorityRequestDetailSerializer, **ERRORS}, description=TRANSITIONS_DOC),
)
class PriorityRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChannelViewSet):
    """优先审查推荐: requests that the center recommend an application filed at CNIPA for
    prioritized examination."""

    model = PriorityRequest
    filterset_class = PriorityRequestFilterSet

    def base_queryset(self):
        return PriorityRequest.objects.select_related("case__applicant", "case__assignee", "organization", "field",
                                                      "pre_exam_case__case")

    def get_serializer_class(self):
        return PriorityRequestDetailSerializer if self.action == "retrieve" else PriorityRequestSerializer

    @extend_schema(request={"multipart/form-data": PrioritySubmitSerializer}, parameters=[IDEMPOTENCY],
                   responses={201: PriorityRequestDetailSerializer, 200: PriorityRequestDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Ask for a recommendation, with the prior-art search report (search_report). 201 with
        the request; a replay with the same idempotency key answers 200 with the same one."""
        from ..services.priority import priority_submit

        data = PrioritySubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = _organization_of(request.user, values["organization"])
        report = values.get("search_report")
        with _upload_errors({"search_report": [report] if report else []}):
            priority, created = priority_submit(
                user=request.user, organization=organization, application_number=values["application_number"],
                title=values["title"], field=_field_of(values.get("field")), ground=values["ground"],
                ground_detail=values["ground_detail"], search_report=report,
                idempotency_key=_idempotency_key(request, values),
            )
        priority = self.get_queryset().get(pk=priority.pk)
        return Response(PriorityRequestDetailSerializer(priority, context=self.get_serializer_context()).data,
                        status=201 if created else 200)
