"""/api/v1/revitalization/demands, /matches, /pool-demands: technology demands and matching.

Reads go through the selectors (`demands_visible_to`, `matches_visible_to`), so an object the
caller may not see answers the same 404 as one that does not exist. Writes call the services;
their refusals (WorkflowError) come back as {code, message, fields} with the service's status.

Demands are looked up by case number (RVD-2025-000001). Workflow steps: `POST
demands/{number}/transitions/{name}` (or the kernel's /api/v1/cases/{number}/transitions/{name}):
`publish`, `return_for_correction` (comment required), `reject` (comment required) — operators;
`resubmit`, `close` — the enterprise's members (operators may close too).
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.api import ErrorSerializer
from zhibao.core.api.serializers import TransitionRequestSerializer, TransitionSerializer
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition

from ..choices import Answer, CooperationMode, DemandState, MatchState
from ..models import Demand, Match, PoolPatent
from ..rules import is_operator, member_of
from ..selectors.demands import (
    DemandFilterSet,
    demands_of,
    demands_visible_to,
    is_demand_side,
    matches_visible_to,
    may_see_contact,
    sees_all,
)
from ..services import matching as matching_service
from ..services.demands import demand_submit, demand_update

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
CASE_NUMBER_RE = r"RVD-\d{4}-\d{6}"
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Any unique string (≤ 64 characters); a replay with the same key returns the first demand "
                "with status 200 instead of 201.",
)


# --- serializers ---------------------------------------------------------------------------------


class DemandCodeNameSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DemandContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()


class DemandSerializer(serializers.ModelSerializer):
    """A demand; the contact is null for whom may not see it (see the selectors)."""

    number = serializers.CharField(source="case.number")
    organization = OrganizationBriefSerializer(read_only=True)
    industry = serializers.SerializerMethodField()
    key_industry = serializers.SerializerMethodField()
    league = serializers.SerializerMethodField()
    modes = serializers.ListField(child=serializers.ChoiceField(choices=CooperationMode.choices))
    state_label = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = ["id", "number", "title", "description", "organization", "industry", "key_industry", "league",
                  "budget_min", "budget_max", "modes", "deadline", "contact", "state", "state_label",
                  "decision_reason", "published_at", "closed_at", "matched_at"]

    def _user(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    @extend_schema_field(DemandCodeNameSerializer(allow_null=True))
    def get_industry(self, d):
        return {"code": d.industry.code, "name": d.industry.name} if d.industry_id else None

    @extend_schema_field(DemandCodeNameSerializer(allow_null=True))
    def get_key_industry(self, d):
        return {"code": d.key_industry.code, "name": d.key_industry.name} if d.key_industry_id else None

    @extend_schema_field(DemandCodeNameSerializer(allow_null=True))
    def get_league(self, d):
        return {"code": d.league.code, "name": d.league.name} if d.league_id else None

    def get_state_label(self, d) -> str:
        return str(DemandState(d.state).label)

    @extend_schema_field(DemandContactSerializer(allow_null=True))
    def get_contact(self, d):
        user = self._user()
        if user is None or not may_see_contact(user, d):
            return None
        return {"name": d.contact_name, "phone": d.contact_phone}


class DemandDetailSerializer(DemandSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [*DemandSerializer.Meta.fields, "transitions"]

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, d):
        user = self._user()
        if user is None or not (is_demand_side(user, d) or sees_all(user)):
            return []
        return available_transitions(d, user)


class DemandWriteSerializer(serializers.Serializer):
    """The shape of a demand; the budget range, the deadline and the modes are the service's
    checks (codes budget_range, bad_deadline, no_mode …), the same as the page's."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000)
    industry = serializers.CharField(max_length=5, help_text="GB/T 4754 code, e.g. C3985")
    key_industry = serializers.CharField(max_length=32, required=False, allow_blank=True, allow_null=True,
                                         help_text="A key industry's code, e.g. rare_earth")
    league = serializers.CharField(max_length=6, help_text="Region code of a league or city, e.g. 150200")
    budget_min = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    budget_max = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    modes = serializers.ListField(child=serializers.CharField(max_length=20), max_length=10, allow_empty=True)
    deadline = serializers.DateField()
    contact_name = serializers.CharField(max_length=50)
    contact_phone = serializers.CharField(max_length=30)


class DemandCreateSerializer(DemandWriteSerializer):
    organization = serializers.IntegerField(help_text="The enterprise's id (you are one of its members)")
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class DemandUpdateSerializer(DemandWriteSerializer):
    resubmit = serializers.BooleanField(required=False, default=False,
                                        help_text="Send it back to the center in the same request")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # PATCH: what is not sent keeps its value
            field.required = False


class MatchSerializer(serializers.ModelSerializer):
    demand = serializers.SerializerMethodField()
    patent = serializers.SerializerMethodField()
    holder = OrganizationBriefSerializer(source="pool_patent.holder", read_only=True)
    state_label = serializers.SerializerMethodField()
    pushed_by = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()

    class Meta:
        model = Match
        fields = ["id", "demand", "patent", "holder", "rank", "score", "explanation", "state", "state_label",
                  "pushed_by", "pushed_at", "demand_answer", "demand_answered_at", "holder_answer",
                  "holder_answered_at", "feedback", "side", "created_at"]

    def get_demand(self, m) -> dict:
        return {"id": m.demand_id, "number": m.demand.case.number, "title": m.demand.title,
                "organization": OrganizationBriefSerializer(m.demand.organization).data}

    def get_patent(self, m) -> dict:
        p = m.pool_patent.patent
        return {"pool_patent": m.pool_patent_id, "publication_number": p.publication_number, "title": p.title,
                "grade": m.pool_patent.grade}

    def get_state_label(self, m) -> str:
        return str(MatchState(m.state).label)

    def get_pushed_by(self, m) -> str | None:
        return str(m.pushed_by) if m.pushed_by_id else None

    def get_side(self, m) -> str:
        """Which side the caller answers for: enterprise, holder or "" (none)."""
        request = self.context.get("request")
        return matching_service.side_of(request.user, m) if request is not None else ""


class MatchAnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[Answer.INTERESTED, Answer.NOT_INTERESTED])
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class MatchPrecisionSerializer(serializers.Serializer):
    pushed = serializers.IntegerField()
    answered = serializers.IntegerField()
    interested = serializers.IntegerField()
    precision = serializers.FloatField(allow_null=True)


class MatchOperatorQualitySerializer(MatchPrecisionSerializer):
    operator_id = serializers.IntegerField(allow_null=True)
    operator = serializers.CharField()


class MatchQualitySerializer(MatchPrecisionSerializer):
    both_interested = serializers.IntegerField()
    operators = MatchOperatorQualitySerializer(many=True)


# --- demands -------------------------------------------------------------------------------------


class DemandApiFilterSet(DemandFilterSet):
    scope = django_filters.ChoiceFilter(
        choices=[("published", "published"), ("mine", "mine")], method="filter_scope",
        label=gettext_lazy("published: the marketplace's list; mine: your enterprises' demands"))
    industry = django_filters.CharFilter(field_name="industry__code", max_length=5,
                                         label=gettext_lazy("Industry (GB/T 4754 code)"))
    league = django_filters.CharFilter(field_name="league__code", max_length=6, label=gettext_lazy("League (code)"))

    class Meta(DemandFilterSet.Meta):
        fields = [*DemandFilterSet.Meta.fields, "scope"]

    def filter_scope(self, queryset, name, value):
        if value == "published":
            return queryset.filter(state=DemandState.PUBLISHED)
        if value == "mine":
            return queryset.filter(pk__in=demands_of(self.request.user).values("pk"))
        return queryset


def _values(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in {"organization", "idempotency_key", "resubmit"}}


@extend_schema_view(
    list=extend_schema(responses={200: DemandSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: DemandDetailSerializer, **ERRORS}),
)
class DemandViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """技术需求: published demands (every signed-in user), your enterprises' (every state), all for
    the center's operators."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    filterset_class = DemandApiFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Demand.objects.none()
        return demands_visible_to(self.request.user).order_by("-case__submitted_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])

    def get_serializer_class(self):
        return DemandSerializer if self.action == "list" else DemandDetailSerializer

    def _detail(self, demand, status=200):
        demand = self.get_queryset().get(pk=demand.pk)
        return Response(DemandDetailSerializer(demand, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request=DemandCreateSerializer, parameters=[IDEMPOTENCY],
                   responses={201: DemandDetailSerializer, 200: DemandDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Post a demand for the center's review (a member of a verified enterprise). Refusals:
        unknown_organization, not_enterprise, organization_not_verified, budget_range,
        bad_deadline, no_mode, unknown_mode, unknown_industry, unknown_league … (400)."""
        data = DemandCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        from zhibao.accounts.models import Organization

        organization = Organization.objects.filter(pk=values["organization"], memberships__user=request.user).first()
        key = (request.headers.get("Idempotency-Key") or values.get("idempotency_key") or "").strip()
        demand, created = demand_submit(user=request.user, organization=organization, idempotency_key=key,
                                        **_values(values))
        return self._detail(demand, status=201 if created else 200)

    @extend_schema(request=DemandUpdateSerializer, responses={200: DemandDetailSerializer, **ERRORS})
    def partial_update(self, request, *args, **kwargs):
        """Change a demand while it is returned for correction (the enterprise's members);
        `resubmit: true` sends it back to the center at once. Refused with not_editable (409)
        in any other state, forbidden (403) for anybody else who may see it."""
        demand = self.get_object()
        data = DemandUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        demand = demand_update(demand=demand, user=request.user, resubmit=values.get("resubmit", False),
                               **_values(values))
        return self._detail(demand)

    @extend_schema(request=TransitionRequestSerializer, responses={200: DemandDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request, number=None, name=None):
        """Take a workflow step (publish, return_for_correction, reject, resubmit, close)."""
        demand = self.get_object()
        data = TransitionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        demand = case_transition(detail=demand, name=name, actor=request.user,
                                 comment=data.validated_data["comment"], payload=data.validated_data["payload"])
        return self._detail(demand)

    @extend_schema(responses={200: MatchSerializer(many=True), **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def matches(self, request, number=None):
        """The demand's matches, best first: all for the center's operators, the pushed ones
        for the enterprise."""
        demand = self.get_object()
        matches = matches_visible_to(request.user).filter(demand=demand).order_by("rank")
        return Response(MatchSerializer(matches, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: MatchSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def rematch(self, request, number=None):
        """Match the demand with the pool again now (operators): pushed matches are kept."""
        demand = self.get_object()
        if not is_operator(request.user) or member_of(request.user, demand.organization_id):
            raise WorkflowError("forbidden", _("Only the center's operators match demands."),
                                status=403)
        matching_service.demand_match(demand)
        matches = matches_visible_to(request.user).filter(demand=demand).order_by("rank")
        return Response(MatchSerializer(matches, many=True, context=self.get_serializer_context()).data)


# --- matches -------------------------------------------------------------------------------------


class MatchFilterSet(django_filters.FilterSet):
    demand = django_filters.CharFilter(field_name="demand__case__number", max_length=20,
                                       label=gettext_lazy("Demand (case number)"))
    pool_patent = django_filters.NumberFilter(field_name="pool_patent_id", label=gettext_lazy("Pool patent"),
                                             min_value=1, max_value=2**63 - 1, decimal_places=0)
    state = django_filters.ChoiceFilter(choices=MatchState.choices, label=gettext_lazy("State"))

    class Meta:
        model = Match
        fields = ["demand", "pool_patent", "state"]


@extend_schema_view(
    list=extend_schema(responses={200: MatchSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: MatchSerializer, **ERRORS}),
)
class MatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """供需对接: operators see every match; an enterprise or a holder the ones pushed to it."""
    lookup_value_regex = r"[0-9]+"  # an id: anything else is 404, never a 500

    serializer_class = MatchSerializer
    filterset_class = MatchFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Match.objects.none()
        return matches_visible_to(self.request.user).order_by("-pk")

    def _one(self, match):
        match = self.get_queryset().get(pk=match.pk)
        return Response(MatchSerializer(match, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: MatchSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def push(self, request, pk=None):
        """Push a suggestion to both sides (operators of neither side); both are notified."""
        return self._one(matching_service.match_push(match=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses={200: MatchSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """Set a suggestion aside (operators of neither side)."""
        return self._one(matching_service.match_dismiss(match=self.get_object(), actor=request.user))

    @extend_schema(request=MatchAnswerSerializer, responses={200: MatchSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer a pushed match for your side (the enterprise's or the holder's members):
        interested or not_interested, with feedback."""
        data = MatchAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        match = matching_service.match_answer(match=self.get_object(), user=request.user,
                                              answer=data.validated_data["answer"],
                                              feedback=data.validated_data["feedback"])
        return self._one(match)

    @extend_schema(responses={200: MatchQualitySerializer, **ERRORS}, filters=False)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def quality(self, request):
        """The match quality: the precision of pushed matches (those the enterprise answered
        interested, of those it answered), overall and per operator (the center's staff)."""
        if not sees_all(request.user):
            raise NotFound()
        return Response(matching_service.match_quality())


# --- a pool patent's demands ---------------------------------------------------------------------


class RankedDemandSerializer(serializers.Serializer):
    demand = DemandSerializer()
    score = serializers.FloatField()
    shared_terms = serializers.ListField(child=serializers.CharField())
    ipc_overlap = serializers.ListField(child=serializers.CharField())


class LikelyEnterpriseSerializer(serializers.Serializer):
    organization = OrganizationBriefSerializer()
    score = serializers.FloatField()
    demands = serializers.ListField(child=serializers.IntegerField())
    own_patents = serializers.IntegerField()
    industry = serializers.ListField(child=serializers.CharField())


class PoolDemandsSerializer(serializers.Serializer):
    pool_patent = serializers.IntegerField()
    demands = RankedDemandSerializer(many=True)
    enterprises = LikelyEnterpriseSerializer(many=True)


class PoolDemandsViewSet(viewsets.GenericViewSet):
    """For a pool patent (its holder's members and the center): ranked published demands and
    the enterprises likely to want it."""
    lookup_value_regex = r"[0-9]+"  # an id: anything else is 404, never a 500

    queryset = PoolPatent.objects.none()
    serializer_class = PoolDemandsSerializer
    filterset_class = None
    pagination_class = None

    @extend_schema(responses={200: PoolDemandsSerializer, **ERRORS})
    def retrieve(self, request, pk=None):
        pool_patent = PoolPatent.objects.select_related("patent", "holder").filter(pk=pk).first()
        if pool_patent is None or not (member_of(request.user, pool_patent.holder_id) or sees_all(request.user)):
            raise NotFound()
        ranked = matching_service.pool_patent_demands(pool_patent, limit=50)
        enterprises = matching_service.likely_enterprises(pool_patent, demand_matches=ranked)
        context = self.get_serializer_context()
        return Response({
            "pool_patent": pool_patent.pk,
            "demands": [{"demand": DemandSerializer(d, context=context).data, "score": round(m.score, 6),
                         "shared_terms": list(m.shared_terms), "ipc_overlap": list(m.ipc_overlap)}
                        for d, m in ranked[:20]],
            "enterprises": [{**e, "organization": OrganizationBriefSerializer(e["organization"]).data}
                            for e in enterprises],
        })


def register(router) -> None:
    router.register("demands", DemandViewSet, basename="api-rv-demand")
    router.register("matches", MatchViewSet, basename="api-rv-match")
    router.register("pool-demands", PoolDemandsViewSet, basename="api-rv-pool-demands")
