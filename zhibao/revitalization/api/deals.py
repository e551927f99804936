"""/api/v1/revitalization/deals…: deals (service RVT) over REST.

Reads go through selectors.market.deals_visible_to: the two parties and the center see a
deal, anyone else the same 404 as for a number that does not exist. The steps are taken here
(POST deals/{number}/transitions/{name}) as well as on the kernel's uniform endpoint, because
the holder is not the case's organization and the kernel would not find the case for it.

| step | who | comment | payload |
|---|---|---|---|
| `negotiate` | a party or an operator | optional | — |
| `sign` | a party or an operator | optional | `kind` (assignment, licence), `amount` (10,000 yuan, > 0 unless `free`: true), `signed_on` (YYYY-MM-DD, not in the future), `starts_on` / `ends_on` (required for a licence) |
| `record` | a party or an operator | optional | `recordal_number`, `recorded_on` (not in the future, not before signing) |
| `cancel` | a party or an operator | required | — |
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.core.api.serializers import TransitionRequestSerializer, TransitionSerializer, UserBriefSerializer
from zhibao.core.attachments.views import content_disposition
from zhibao.core.services.cases import available_transitions, case_transition

from ..choices import DealKind, DealState
from ..models import Deal, PoolPatent
from ..selectors.demands import matches_visible_to
from ..selectors.market import deals_visible_to
from ..services.deals import DOCX_CONTENT_TYPE, contract_filename, deal_contract_docx, deal_start
from ._market import (
    CASE_NUMBER_RE,
    ERRORS,
    PoolPatentBriefSerializer,
    idempotency_key,
    organization_of,
)

IDEMPOTENCY = OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
                               description="A replay with the same key returns the first deal with status 200.")


class DealSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    state = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(DealState.values))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    patent = PoolPatentBriefSerializer(source="pool_patent", read_only=True)
    seller = OrganizationBriefSerializer(read_only=True)
    buyer = OrganizationBriefSerializer(read_only=True)
    applicant = UserBriefSerializer(source="case.applicant", read_only=True)
    submitted_at = serializers.DateTimeField(source="case.submitted_at", read_only=True)
    roadshow = serializers.PrimaryKeyRelatedField(read_only=True)
    match = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The pushed match the deal came from")
    open_licence = serializers.CharField(source="open_licence.case.number", read_only=True, default=None)

    class Meta:
        model = Deal
        fields = ["number", "state", "state_label", "kind", "kind_label", "patent", "seller", "buyer", "applicant",
                  "amount", "signed_on", "starts_on", "ends_on", "recordal_number", "recorded_on", "note", "roadshow",
                  "match", "open_licence", "submitted_at"]
        read_only_fields = fields


class DealDetailSerializer(DealSerializer):
    transitions = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta(DealSerializer.Meta):
        fields = [*DealSerializer.Meta.fields, "transitions", "files"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, deal) -> list:
        return available_transitions(deal, self.context["request"].user)

    def get_files(self, deal) -> list[dict]:
        from django.urls import reverse

        return [{"id": str(a.pk), "kind": a.kind, "name": a.original_name, "created_at": a.created_at.isoformat(),
                 "url": reverse("revitalization:deal_file", args=[deal.case.number, a.pk])}
                for a in deal.case.attachments.order_by("created_at")]


class DealStartSerializer(serializers.Serializer):
    pool_patent = serializers.IntegerField()
    organization = serializers.IntegerField(help_text="The enterprise (buyer): one of your organizations")
    kind = serializers.ChoiceField(choices=[DealKind.ASSIGNMENT, DealKind.LICENCE])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    match = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                     max_value=2**63 - 1,
                                     help_text="The pushed match (供需对接) on this patent that the intent answers; "
                                               "the organization must be its demand's enterprise")


@extend_schema_view(
    list=extend_schema(responses={200: DealSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DealDetailSerializer, **ERRORS}, description=__doc__),
)
class DealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """交易: deals on pool patents, from intent to the contract's recordal at CNIPA."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    filterset_class = None
    filterset_fields = ["state", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deal.objects.none()
        return deals_visible_to(self.request.user).order_by("-case__submitted_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])

    def get_serializer_class(self):
        return DealDetailSerializer if self.action != "list" else DealSerializer

    @extend_schema(request=DealStartSerializer, parameters=[IDEMPOTENCY],
                   responses={201: DealDetailSerializer, 200: DealDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Express an intent on a listed pool patent for one of your organizations (the buyer),
        optionally answering a match the center pushed (`match`).
        Refused: own_patent, duplicate_deal (409), not_listed (409), kind_not_offered, bad_kind,
        bad_match, match_enterprise."""
        data = DealStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        buyer = organization_of(request.user, v["organization"])
        pool_patent = get_object_or_404(PoolPatent.objects.listed(), pk=v["pool_patent"])
        match = None
        if v["match"] is not None:
            match = get_object_or_404(matches_visible_to(request.user).select_related("demand__organization"),
                                      pk=v["match"])
        deal, created = deal_start(pool_patent=pool_patent, buyer=buyer, user=request.user, kind=v["kind"],
                                   note=v["note"], idempotency_key=idempotency_key(request, v), match=match)
        deal = self.get_queryset().get(pk=deal.pk)
        return Response(DealDetailSerializer(deal, context=self.get_serializer_context()).data,
                        status=201 if created else 200)

    @extend_schema(request=TransitionRequestSerializer, responses={200: DealDetailSerializer, **ERRORS},
                   filters=False)
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request, number=None, name=None):
        """Take a step on the deal (see the table in the deal's description)."""
        deal = self.get_object()
        data = TransitionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_transition(detail=deal, name=name, actor=request.user, comment=data.validated_data["comment"],
                        payload=data.validated_data["payload"])
        deal = self.get_queryset().get(pk=deal.pk)
        return Response(DealDetailSerializer(deal, context=self.get_serializer_context()).data)

    @extend_schema(responses={(200, DOCX_CONTENT_TYPE): bytes, **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def contract(self, request, number=None):
        """The contract filled from the deal as it is now (DOCX)."""
        deal = self.get_object()
        response = HttpResponse(deal_contract_docx(deal), content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(contract_filename(deal))
        return response


def register(router) -> None:
    router.register("deals", DealViewSet, basename="api-rv-deal")
