"""/api/v1/revitalization/inventories: the inventory (盘点, service RVI) over REST.

Reads go through selectors.inventory (`inventories_visible_to`), so an inventory another user
may not open answers the same 404 as one that does not exist. Writes call services.inventory;
their refusals (WorkflowError) come back as {code, message, fields}. The workflow's steps are
`POST …/inventories/{number}/transitions/{name}` with {"comment", "payload"} (the same shape as
the kernel's /api/v1/cases/{number}/transitions/{name}, which works too), answering the
inventory as it is after the step.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.api.serializers import TransitionRequestSerializer, TransitionSerializer, UserBriefSerializer
from zhibao.core.models import Region
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.patents.api.serializers import PatentBriefSerializer

from ..choices import ItemDecision, NotPooledReason
from ..models import Inventory
from ..selectors.inventory import (
    InventoryFilterSet,
    InventoryItemFilterSet,
    inventories_visible_to,
    inventory_items,
    inventory_progress,
    line_counts,
)
from ..services.inventory import (
    Decision,
    inventory_counts,
    inventory_create_from_corpus,
    inventory_create_from_upload,
    inventory_items_decide,
    inventory_items_decide_all,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
CASE_NUMBER_RE = r"RVI-\d{4}-\d{6}"
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Any unique string (≤ 64 characters); a replay with the same key returns the first inventory "
                "with status 200 instead of 201. The field idempotency_key does the same.",
)
TRANSITIONS_DOC = """
Steps (`POST …/inventories/{number}/transitions/{name}`, body `{"comment": "…"}`):

| step | who | comment | condition |
|---|---|---|---|
| `submit` | the institution (its members), from open or returned | optional | every matched line decided (`undecided` otherwise) |
| `withdraw` | the institution, from open or returned | optional | — |
| `accept` | an operator, from submitted | optional | — |
| `return_to_institution` | the operator, from in_review | required (the reason) | — |
| `complete` | the operator, from in_review | optional | every line whose effective decision is `pooled` enters the pool |

Decisions: `POST …/decisions` — the institution while open or returned, an operator (the
center's decision) while in review.
"""


# --- serializers -----------------------------------------------------------------------------

class InventorySerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    league = serializers.CharField(source="organization.league_id", allow_null=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    applicant = UserBriefSerializer(source="case.applicant", read_only=True)
    assignee = UserBriefSerializer(source="case.assignee", read_only=True, allow_null=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", read_only=True)
    deadline = serializers.DateField(source="case.deadline", read_only=True, allow_null=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Inventory
        fields = ["number", "organization", "league", "source_name", "state", "state_label", "applicant",
                  "assignee", "submitted_at", "deadline", "return_reason", "completed_at", "counts"]

    def get_counts(self, inventory) -> dict:
        counts = self.context.get("counts", {}).get(inventory.pk)
        if counts is None:
            c = inventory_counts(inventory)
            return {"lines": c["lines"], "matched": c["matched"], **c["effective"]}
        return counts


class InventoryDetailSerializer(InventorySerializer):
    counts = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField()
    url = serializers.CharField(source="case.get_absolute_url", read_only=True)

    class Meta(InventorySerializer.Meta):
        fields = [*InventorySerializer.Meta.fields, "transitions", "url"]

    def get_counts(self, inventory) -> dict:
        return inventory_counts(inventory)

    def get_transitions(self, inventory) -> list[dict]:
        return TransitionSerializer(available_transitions(inventory, self.context["request"].user), many=True).data


class InventoryItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    line = serializers.IntegerField()
    number = serializers.CharField()
    matched = serializers.BooleanField()
    patent = PatentBriefSerializer(allow_null=True)
    unmatched_reason = serializers.CharField()
    inventor_contact = serializers.CharField()
    notes = serializers.CharField()
    institution_decision = serializers.CharField()
    institution_reason = serializers.CharField()
    center_decision = serializers.CharField()
    center_reason = serializers.CharField()
    reason_text = serializers.CharField()
    decision = serializers.CharField(help_text="The effective decision: the center's once made, else the institution's.")


class InventoryCreateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    file = serializers.FileField(required=False, help_text="The list (.xlsx; columns 公开号或申请号, 发明人联系方式, 备注)")
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                           help_text="Without a file: every corpus patent of this applicant "
                                                     "(empty: the institution's own name)")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ItemDecision.choices)
    reason = serializers.ChoiceField(choices=NotPooledReason.choices, required=False, allow_blank=True, default="")
    reason_text = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class LineDecisionSerializer(DecisionSerializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class DecisionsRequestSerializer(serializers.Serializer):
    """Either `decisions` (one per line), or `all` with one decision for many lines."""

    decisions = LineDecisionSerializer(many=True, required=False, max_length=20_000)
    all = DecisionSerializer(required=False, help_text="One decision for every matched line (or those in `ids`)")
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                max_length=20_000)
    only_undecided = serializers.BooleanField(required=False, default=True,
                                              help_text="With `all`: only lines this side has not decided yet")

    def validate(self, data):
        if bool(data.get("decisions")) == bool(data.get("all")):
            raise serializers.ValidationError(_("Send either “decisions” or “all”."))
        return data


class DecisionsResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    counts = serializers.DictField()


class ProgressSerializer(serializers.Serializer):
    institutions = serializers.ListField(child=serializers.DictField())
    leagues = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()
    all = serializers.BooleanField(help_text="True when every institution is shown (operators, leaders)")


# --- the viewset -----------------------------------------------------------------------------

def _organization_of(user, organization_id) -> Organization:
    organization = Organization.objects.filter(pk=organization_id, memberships__user=user).first()
    if organization is None:
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    return organization


@extend_schema_view(
    list=extend_schema(responses={200: InventorySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: InventoryDetailSerializer, **ERRORS}, description=TRANSITIONS_DOC),
)
class InventoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """盘点: institutions' lists of their patents, matched to the corpus and decided line by line."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = InventoryFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Inventory.objects.none()
        return inventories_visible_to(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])

    def get_serializer_class(self):
        return InventoryDetailSerializer if self.action == "retrieve" else InventorySerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = {**self.get_serializer_context(), "counts": line_counts([i.pk for i in page])}
        return self.get_paginated_response(InventorySerializer(page, many=True, context=context).data)

    def _detail(self, inventory, status=200) -> Response:
        inventory = self.get_queryset().get(pk=inventory.pk)
        return Response(InventoryDetailSerializer(inventory, context=self.get_serializer_context()).data,
                        status=status)

    @extend_schema(request={"multipart/form-data": InventoryCreateSerializer,
                            "application/json": InventoryCreateSerializer}, parameters=[IDEMPOTENCY],
                   responses={201: InventoryDetailSerializer, 200: InventoryDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Make an inventory for an institution (a verified university or institute you belong
        to): upload `file` (multipart), or send `applicant_name` (JSON or form) to list every
        corpus patent of that applicant. Refused: bad_file, missing_header, empty_list,
        too_many_lines, no_patents, not_institution, organization_not_verified, forbidden."""
        data = InventoryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = _organization_of(request.user, values["organization"])
        key = (request.headers.get("Idempotency-Key") or values.get("idempotency_key") or "").strip()[:64]
        if values.get("file") is not None:
            inventory, created = inventory_create_from_upload(user=request.user, organization=organization,
                                                              uploaded_file=values["file"], idempotency_key=key)
        else:
            inventory, created = inventory_create_from_corpus(
                user=request.user, organization=organization, applicant_name=values.get("applicant_name", ""),
                idempotency_key=key)
        return self._detail(inventory, status=201 if created else 200)

    @extend_schema(responses={200: InventoryItemSerializer(many=True), **ERRORS}, filters=False, parameters=[
        OpenApiParameter("match", str, enum=["matched", "unmatched"]),
        OpenApiParameter("decision", str, enum=[*ItemDecision.values],
                         description="The effective decision of matched lines"),
        OpenApiParameter("q", str, description="Part of the number or the title"),
        OpenApiParameter("page", int), OpenApiParameter("page_size", int)])
    @action(detail=True, methods=["get"], filterset_class=None, url_name="items")
    def items(self, request, number=None):
        """The lines, in order, with their match result and both decisions (filters: match,
        decision, q)."""
        inventory = self.get_object()
        filterset = InventoryItemFilterSet(request.query_params, queryset=inventory_items(inventory), request=request)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(InventoryItemSerializer(page, many=True).data)

    @extend_schema(request=DecisionsRequestSerializer, responses={200: DecisionsResultSerializer, **ERRORS},
                   filters=False)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None, url_name="decisions")
    def decisions(self, request, number=None):
        """Decide lines: `{"decisions": [{"id", "decision", "reason", "reason_text"}, …]}`, or one
        decision for many: `{"all": {"decision": "pooled"}, "only_undecided": true}` (optionally
        `ids`). The institution decides while open or returned; an operator while in review (the
        center's decision). One bad line refuses the whole request."""
        inventory = self.get_object()
        data = DecisionsRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("decisions"):
            updated = inventory_items_decide(inventory=inventory, user=request.user, decisions={
                d["id"]: Decision(d["decision"], d["reason"], d["reason_text"]) for d in values["decisions"]})
        else:
            a = values["all"]
            updated = inventory_items_decide_all(inventory=inventory, user=request.user,
                                                 decision=Decision(a["decision"], a["reason"], a["reason_text"]),
                                                 only_undecided=values["only_undecided"], item_ids=values.get("ids"))
        return Response({"updated": updated, "counts": inventory_counts(inventory)})

    @extend_schema(request=TransitionRequestSerializer, responses={200: InventoryDetailSerializer, **ERRORS},
                   filters=False, description=TRANSITIONS_DOC)
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None,
            pagination_class=None, url_name="transition")
    def transition(self, request, number=None, name=None):
        """Take a workflow step; answers the inventory after it."""
        inventory = self.get_object()
        data = TransitionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_transition(detail=inventory, name=name, actor=request.user, comment=data.validated_data["comment"],
                        payload=data.validated_data["payload"])
        return self._detail(inventory)

    @extend_schema(responses={200: ProgressSerializer, **ERRORS}, filters=False,
                   parameters=[OpenApiParameter("league", str, description="League / city code (GB/T 2260)")])
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None, url_name="progress")
    def progress(self, request):
        """Progress per institution and per league (matched, pooled, rate = pooled / matched, in
        percent): every institution for operators and leaders, your own institutions otherwise."""
        code = (request.query_params.get("league") or "").strip()
        league = None
        if code:
            league = Region.objects.filter(level="league", code=code).first()
            if league is None:
                raise WorkflowError("unknown_league", _("“%(code)s” is not a league or city code.") % {"code": code},
                                    fields={"league": [_("Unknown code.")]}, status=400)
        return Response(inventory_progress(request.user, league=league))


def register(router) -> None:
    router.register("inventories", InventoryViewSet, basename="api-rv-inventory")

