"""/api/v1/revitalization/roadshows…: roadshows over REST.

Everyone signed in lists and reads roadshows (filtered as the list page and its Excel export:
`when=upcoming|past`, `q`, `key_industry`, `state`); operators create them and
record attendance; members of a verified enterprise register (and cancel before the start);
an intent on a presented patent opens a deal once the roadshow has started.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.core.services.cases import WorkflowError

from ..choices import DealKind, RoadshowState
from ..models import KeyIndustry, PoolPatent, Roadshow, RoadshowRegistration
from ..rules import is_operator
from ..selectors.market import RoadshowFilterSet, registrations_visible_to, roadshows_visible_to
from ..services import roadshows as service
from ._market import (
    ERRORS,
    PoolPatentBriefSerializer,
    idempotency_key,
    organization_of,
)
from .deals import DealDetailSerializer


class RoadshowSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="One of: " + ", ".join(RoadshowState.values))
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    key_industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    patents = PoolPatentBriefSerializer(many=True, read_only=True)
    registrations = serializers.IntegerField(source="registrations.count", read_only=True)

    class Meta:
        model = Roadshow
        fields = ["id", "title", "starts_at", "place", "online_url", "key_industry", "description", "state",
                  "state_label", "patents", "registrations"]
        read_only_fields = fields


class RoadshowCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(required=False, allow_blank=True, default="")
    key_industry = serializers.SlugRelatedField(slug_field="code", queryset=KeyIndustry.objects.filter(active=True),
                                                required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    patents = serializers.PrimaryKeyRelatedField(many=True, queryset=PoolPatent.objects.all(), required=False,
                                                 default=list)


class RegistrationSerializer(serializers.ModelSerializer):
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = RoadshowRegistration
        fields = ["id", "roadshow", "organization", "attendees", "attended", "created_at"]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    attendees = serializers.IntegerField(min_value=1, max_value=service.MAX_ATTENDEES, default=1)


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.DictField(child=serializers.BooleanField(), help_text="{registration id: true/false}")


class IntentSerializer(serializers.Serializer):
    pool_patent = serializers.IntegerField()
    organization = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=[DealKind.ASSIGNMENT, DealKind.LICENCE])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


@extend_schema_view(
    list=extend_schema(responses={200: RoadshowSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: RoadshowSerializer, **ERRORS}),
)
class RoadshowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """路演: events where pool patents are presented to enterprises."""
    lookup_value_regex = r"[0-9]+"  # an id: anything else is 404, never a 500

    serializer_class = RoadshowSerializer
    filterset_class = RoadshowFilterSet  # the list page's and the export's filter (`when`, `q`, …)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Roadshow.objects.none()
        qs = roadshows_visible_to(self.request.user).prefetch_related("patents__patent", "patents__holder")
        return qs.order_by("-starts_at", "-pk")

    @extend_schema(request=RoadshowCreateSerializer, responses={201: RoadshowSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Announce a roadshow (operators)."""
        if not is_operator(request.user):
            raise WorkflowError("forbidden", _forbidden(), status=403)
        data = RoadshowCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roadshow = service.roadshow_create(actor=request.user, **data.validated_data)
        return Response(RoadshowSerializer(self.get_queryset().get(pk=roadshow.pk)).data, status=201)

    @extend_schema(request=RegisterSerializer, responses={201: RegistrationSerializer, 200: RegistrationSerializer,
                                                          **ERRORS}, filters=False)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def register(self, request, pk=None):
        """Register one of your enterprises (again: change the number of people)."""
        roadshow = self.get_object()
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = organization_of(request.user, data.validated_data["organization"])
        registration, created = service.roadshow_register(roadshow=roadshow, organization=organization,
                                                          user=request.user,
                                                          attendees=data.validated_data["attendees"])
        return Response(RegistrationSerializer(registration).data, status=201 if created else 200)

    @extend_schema(request=None, responses={204: None, **ERRORS}, filters=False,
                   parameters=[OpenApiParameter("registration", int, OpenApiParameter.PATH)])
    @action(detail=True, methods=["delete"], url_path=r"registrations/(?P<registration>\d+)",
            filterset_class=None, pagination_class=None)
    def unregister(self, request, pk=None, registration=None):
        """Cancel your enterprise's registration, before the roadshow starts."""
        roadshow = self.get_object()
        reg = get_object_or_404(registrations_visible_to(request.user), pk=registration, roadshow=roadshow)
        service.roadshow_registration_cancel(registration=reg, user=request.user)
        return Response(status=204)

    @extend_schema(methods=["GET"], responses={200: RegistrationSerializer(many=True), **ERRORS}, filters=False)
    @extend_schema(methods=["POST"], request=AttendanceSerializer,
                   responses={200: RegistrationSerializer(many=True), **ERRORS}, filters=False)
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def registrations(self, request, pk=None):
        """The registrations you may see (operators: all, and they record attendance with POST;
        an enterprise: its own)."""
        roadshow = self.get_object()
        if request.method == "POST":
            data = AttendanceSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            attended = {}
            for key, value in data.validated_data["attended"].items():
                if not str(key).isdigit():
                    raise WorkflowError("unknown_registration", str(key), status=400)
                attended[int(key)] = value
            service.roadshow_attendance_record(roadshow=roadshow, actor=request.user, attended=attended)
        qs = registrations_visible_to(request.user).filter(roadshow=roadshow).order_by("created_at", "pk")
        return Response(RegistrationSerializer(qs, many=True).data)

    @extend_schema(request=IntentSerializer, responses={201: DealDetailSerializer, 200: DealDetailSerializer,
                                                        **ERRORS}, filters=False)
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def intent(self, request, pk=None):
        """An intent on a presented patent (during or after the roadshow): 201 with the deal."""
        roadshow = self.get_object()
        data = IntentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        buyer = organization_of(request.user, v["organization"])
        pool_patent = get_object_or_404(PoolPatent.objects.all(), pk=v["pool_patent"])
        deal, created = service.roadshow_intent(roadshow=roadshow, pool_patent=pool_patent, buyer=buyer,
                                                user=request.user, kind=v["kind"], note=v["note"],
                                                idempotency_key=idempotency_key(request, v))
        from ..selectors.market import deals_visible_to

        deal = deals_visible_to(request.user).get(pk=deal.pk)
        return Response(DealDetailSerializer(deal, context=self.get_serializer_context()).data,
                        status=201 if created else 200)


def _forbidden():
    from django.utils.translation import gettext as _

    return _("Only the center's operators organize roadshows.")


def register(router) -> None:
    router.register("roadshows", RoadshowViewSet, basename="api-rv-roadshow")
