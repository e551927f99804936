"""/api/v1/revitalization/open-licences…: open-licence declarations (service RVL) over REST.

Every signed-in user lists and reads the published (and withdrawn) offers; a declaration in
review is seen by its holder and the center only (anyone else: 404). `create` declares
(multipart, with `evaluation_report` for a utility model or design), `take` takes a licence
in one step, and the steps publish / return_for_correction (operators), resubmit / withdraw
(the holder) go through POST open-licences/{number}/transitions/{name}.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.core.api.serializers import TransitionRequestSerializer, TransitionSerializer
from zhibao.core.attachments.validators import AttachmentRejected
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.patents.choices import PatentType

from ..choices import FeeMethod, OpenLicenceState
from ..models import OpenLicence, OpenLicenceGrant, PoolPatent
from ..selectors.market import open_licences_visible_to
from ..services.licences import open_licence_declare, open_licence_take
from ._market import (
    CASE_NUMBER_RE,
    ERRORS,
    PoolPatentBriefSerializer,
    idempotency_key,
    organization_of,
)


class OpenLicenceFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=OpenLicenceState.choices, label=gettext_lazy("State"))
    patent_type = django_filters.ChoiceFilter(field_name="pool_patent__patent__patent_type",
                                              choices=PatentType.choices, label=gettext_lazy("Patent type"))
    key_industry = django_filters.CharFilter(field_name="pool_patent__industries__code", max_length=32,
                                             label=gettext_lazy("Key industry (code)"), distinct=True)
    fee_method = django_filters.ChoiceFilter(choices=FeeMethod.choices, label=gettext_lazy("Fee method"))

    class Meta:
        model = OpenLicence
        fields = ["state", "patent_type", "key_industry", "fee_method"]


class OpenLicenceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    state = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(OpenLicenceState.values))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    patent = PoolPatentBriefSerializer(source="pool_patent", read_only=True)
    holder = OrganizationBriefSerializer(read_only=True)
    licences_taken = serializers.IntegerField(source="grants.count", read_only=True)

    class Meta:
        model = OpenLicence
        fields = ["number", "state", "state_label", "patent", "holder", "fee_method", "lump_sum", "royalty_rate",
                  "term_years", "terms", "decision_reason", "published_at", "withdrawn_at", "licences_taken"]
        read_only_fields = fields


class OpenLicenceDetailSerializer(OpenLicenceSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(OpenLicenceSerializer.Meta):
        fields = [*OpenLicenceSerializer.Meta.fields, "transitions"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, ol) -> list:
        return available_transitions(ol, self.context["request"].user)


class DeclareSerializer(serializers.Serializer):
    pool_patent = serializers.IntegerField()
    fee_method = serializers.ChoiceField(choices=FeeMethod.choices)
    lump_sum = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    royalty_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    term_years = serializers.IntegerField(min_value=1, max_value=20)
    terms = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    evaluation_report = serializers.FileField(required=False)
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


class TakeSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="The licensee: one of your organizations")


class GrantSerializer(serializers.ModelSerializer):
    licensee = OrganizationBriefSerializer(read_only=True)
    deal = serializers.SerializerMethodField()

    class Meta:
        model = OpenLicenceGrant
        fields = ["id", "licensee", "granted_on", "ends_on", "deal"]
        read_only_fields = fields

    def get_deal(self, grant) -> str | None:
        deal = grant.open_licence.deals.filter(buyer=grant.licensee).order_by("-pk").first()
        return deal.case.number if deal else None


@extend_schema_view(
    list=extend_schema(responses={200: OpenLicenceSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: OpenLicenceDetailSerializer, **ERRORS}),
)
class OpenLicenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """开放许可: standing offers to license a pool patent at a stated fee (专利法 第五十条至第五十二条)."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    filterset_class = OpenLicenceFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OpenLicence.objects.none()
        return open_licences_visible_to(self.request.user).order_by("-case__submitted_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])

    def get_serializer_class(self):
        return OpenLicenceSerializer if self.action == "list" else OpenLicenceDetailSerializer

    def _detail(self, ol, status=200):
        ol = self.get_queryset().get(pk=ol.pk)
        return Response(OpenLicenceDetailSerializer(ol, context=self.get_serializer_context()).data, status=status)

    @extend_schema(request={"multipart/form-data": DeclareSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
                   responses={201: OpenLicenceDetailSerializer, 200: OpenLicenceDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Declare an open licence for a pool patent your organization holds. Refused:
        evaluation_report_required, lump_sum_required, royalty_required, bad_term, not_granted,
        licensed_exclusively (409), duplicate_declaration (409)."""
        data = DeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        pool_patent = get_object_or_404(PoolPatent.objects.all(), pk=v["pool_patent"])
        try:
            ol, created = open_licence_declare(
                pool_patent=pool_patent, user=request.user, fee_method=v["fee_method"], lump_sum=v.get("lump_sum"),
                royalty_rate=v.get("royalty_rate"), term_years=v["term_years"], terms=v["terms"],
                evaluation_report=v.get("evaluation_report"), idempotency_key=idempotency_key(request, v))
        except AttachmentRejected as exc:
            message = exc.messages[0] if exc.messages else str(exc)
            raise WorkflowError(exc.code or "file_rejected", message, fields={"evaluation_report": [message]},
                                status=400) from exc
        return self._detail(ol, status=201 if created else 200)

    @extend_schema(request=TransitionRequestSerializer, responses={200: OpenLicenceDetailSerializer, **ERRORS},
                   filters=False)
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request, number=None, name=None):
        ol = self.get_object()
        data = TransitionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_transition(detail=ol, name=name, actor=request.user, comment=data.validated_data["comment"],
                        payload=data.validated_data["payload"])
        return self._detail(ol)

    @extend_schema(request=TakeSerializer, responses={201: GrantSerializer, **ERRORS}, filters=False)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def take(self, request, number=None):
        """Take a licence for one of your organizations: 201 with the grant and its deal's number.
        Refused: not_published / withdrawn (409), own_patent, already_taken (409)."""
        ol = self.get_object()
        data = TakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licensee = organization_of(request.user, data.validated_data["organization"])
        grant = open_licence_take(open_licence=ol, licensee=licensee, user=request.user)
        return Response(GrantSerializer(grant).data, status=201)


def register(router) -> None:
    router.register("open-licences", OpenLicenceViewSet, basename="api-rv-open-licence")
