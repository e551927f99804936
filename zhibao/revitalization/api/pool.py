"""/api/v1/revitalization/pool…: the convertible pool and the grading settings over REST.

Reads go through selectors.pool (the listed pool for everyone signed in; a withdrawn patent
only for its holder's members and the center — anyone else gets the same 404 as for an id
that does not exist). Writes call services.pool; their refusals come back as
{code, message, fields} with the service's status (403 for a stranger's edit of a listing
they can see, 409 for a step the listing is past).
"""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.services.cases import WorkflowError

from ..choices import CooperationMode, Grade, OperationKind, PoolStatus
from ..grading import FACTORS
from ..models import ContactRequest, GradingConfig, PoolPatent
from ..selectors.pool import (
    PoolFilterSet,
    is_search,
    may_see_holder_contact,
    pool_patents_held_by,
    pool_patents_listed,
    pool_patents_visible_to,
)
from ..services import pool as service
from ..services.operations import operation_record

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


def _unknown_organization():
    from django.utils.translation import gettext as _

    return WorkflowError("unknown_organization", _("You do not belong to this organization."),
                         fields={"organization": [_("Not one of your organizations.")]}, status=400)


# --- serializers ---------------------------------------------------------------------------------


class ScorePartSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(choices=list(FACTORS))
    label = serializers.CharField(help_text="The factor's name in the request's language.")
    value = serializers.FloatField(help_text="0–1")
    weight = serializers.FloatField(help_text="The factor's points of 100.")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="value × weight, rounded; they add up to score.")
    detail = serializers.CharField()


def score_parts(pool_patent) -> list[dict]:
    return [{"factor": p.get("factor"), "label": str(FACTORS.get(p.get("factor"), p.get("label", ""))),
             "value": p.get("value"), "weight": p.get("weight"), "points": str(p.get("points")),
             "detail": p.get("detail", "")} for p in pool_patent.score_parts or ()]


class PoolPatentSerializer(serializers.ModelSerializer):
    publication_number = serializers.CharField(source="patent.publication_number")
    title = serializers.CharField(source="patent.title")
    patent_type = serializers.CharField(source="patent.patent_type")
    legal_status = serializers.CharField(source="patent.legal_status")
    ipc_main = serializers.CharField(source="patent.ipc_main")
    holder = OrganizationBriefSerializer()
    league = serializers.SerializerMethodField()
    key_industries = serializers.SerializerMethodField()
    modes = serializers.ListField(child=serializers.ChoiceField(choices=CooperationMode.choices))
    grade = serializers.ChoiceField(choices=Grade.choices, allow_blank=True)

    class Meta:
        model = PoolPatent
        fields = ["id", "publication_number", "title", "patent_type", "legal_status", "ipc_main", "holder", "league",
                  "key_industries", "status", "modes", "asking_price", "grade", "score", "graded_version",
                  "listed_at"]

    def get_league(self, obj) -> dict | None:
        league = obj.holder.league
        return {"code": league.code, "name": league.name} if league else None

    def get_key_industries(self, obj) -> list[str]:
        return [i.code for i in obj.industries.all()]


class EvaluationOutSerializer(serializers.Serializer):
    organization = serializers.CharField(source="organization.name")
    rating = serializers.IntegerField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ContactOutSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    user = serializers.CharField(source="user.__str__")

    class Meta:
        model = ContactRequest
        fields = ["id", "pool_patent", "user", "organization", "message", "reply", "created_at", "replied_at"]

    def get_organization(self, obj) -> str | None:
        return obj.organization.name if obj.organization_id else None


class PoolPatentDetailSerializer(PoolPatentSerializer):
    abstract = serializers.CharField(source="patent.abstract")
    application_number = serializers.CharField(source="patent.application_number")
    application_date = serializers.DateField(source="patent.application_date")
    description = serializers.CharField()
    score_parts = serializers.SerializerMethodField()
    regrading = serializers.SerializerMethodField()
    evaluations = serializers.SerializerMethodField()
    rating_mean = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    holder_side = serializers.SerializerMethodField()

    class Meta(PoolPatentSerializer.Meta):
        fields = [*PoolPatentSerializer.Meta.fields, "abstract", "application_number", "application_date",
                  "description", "score_parts", "regrading", "evaluations", "rating_mean", "contact", "holder_side"]

    @extend_schema_field(ScorePartSerializer(many=True))
    def get_score_parts(self, obj) -> list[dict]:
        return score_parts(obj)

    def get_regrading(self, obj) -> bool:
        return obj.status == PoolStatus.LISTED and obj.graded_version < self.context["config"].version

    def get_evaluations(self, obj) -> list[dict]:
        return EvaluationOutSerializer(obj.evaluations.select_related("organization").order_by("-updated_at"),
                                       many=True).data

    def get_rating_mean(self, obj) -> float | None:
        ratings = [e.rating for e in obj.evaluations.all()]
        return round(sum(ratings) / len(ratings), 2) if ratings else None

    def get_contact(self, obj) -> dict | None:
        """The holder's contact person and phone: its members and the center's operators only."""
        if not may_see_holder_contact(self.context["request"].user, obj):
            return None
        return {"name": obj.contact_name, "phone": obj.contact_phone}

    def get_holder_side(self, obj) -> bool:
        return service.is_holder_side(self.context["request"].user, obj)


class ListingUpdateSerializer(serializers.Serializer):
    modes = serializers.ListField(child=serializers.ChoiceField(choices=CooperationMode.choices), required=False,
                                  max_length=len(CooperationMode.values))
    asking_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False,
                                            allow_null=True)
    description = serializers.CharField(max_length=service.MAX_DESCRIPTION, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class EvaluateSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="Your enterprise's id (not the holder).")
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=service.MAX_MESSAGE, required=False, allow_blank=True, default="")


class ContactSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=service.MAX_MESSAGE)
    organization = serializers.IntegerField(required=False, allow_null=True,
                                            help_text="On behalf of one of your organizations (optional).")


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=service.MAX_MESSAGE)


class GradingSettingsSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    weights = serializers.DictField(child=serializers.FloatField(min_value=0),
                                    help_text="Points per factor: " + ", ".join(FACTORS))
    factors = serializers.SerializerMethodField()
    thresholds = serializers.DictField(child=serializers.FloatField(min_value=0, max_value=100),
                                       help_text="The lowest score of A, B and C.")
    evaluation_min_count = serializers.IntegerField(min_value=1, max_value=50)
    stale = serializers.SerializerMethodField(help_text="Listed patents not yet regraded with this version.")
    job = serializers.SerializerMethodField()

    def get_factors(self, obj) -> list[dict]:
        from ..grading import scaled_points

        points = scaled_points(obj.weights)
        return [{"factor": f, "label": str(label), "points": round(points[f], 2)} for f, label in FACTORS.items()]

    def get_stale(self, obj) -> int:
        return service.stale_count(obj)

    def get_job(self, obj) -> dict | None:
        job = self.context.get("job") or service.regrade_job_current()
        if job is None:
            return None
        return {"id": str(job.pk), "status": job.status, "progress": job.progress, "message": job.message}


# --- views ---------------------------------------------------------------------------------------


def _written(serializer_class, request):
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


@extend_schema_view(
    list=extend_schema(responses={200: PoolPatentSerializer(many=True), **ERRORS},
                       description="The listed pool patents. `q` is the corpus search language "
                                   "(e.g. `稀土 AND IPC=H01F`), restricted to the pool."),
    retrieve=extend_schema(responses={200: PoolPatentDetailSerializer, **ERRORS}),
    partial_update=extend_schema(request=ListingUpdateSerializer, responses={200: PoolPatentDetailSerializer,
                                                                              **ERRORS}),
)
class PoolPatentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """可转化专利资源库: the patents offered for transfer or licence, graded and explained."""
    lookup_value_regex = r"[0-9]+"  # an id: anything else is 404, never a 500

    filterset_class = PoolFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PoolPatent.objects.none()
        if self.action == "list":
            return pool_patents_listed()
        return pool_patents_visible_to(self.request.user)

    def get_serializer_class(self):
        return PoolPatentSerializer if self.action == "list" else PoolPatentDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["config"] = GradingConfig.current()
        return context

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if is_search(request.query_params) and not request.query_params.get("page"):
            operation_record(kind=OperationKind.SEARCH, user=request.user,
                             detail=request.query_params.get("q", "")[:200])
        return response

    def _detail(self, pool_patent, status=200):
        pool_patent = self.get_queryset().get(pk=pool_patent.pk)
        return Response(PoolPatentDetailSerializer(pool_patent, context=self.get_serializer_context()).data,
                        status=status)

    def retrieve(self, request, *args, **kwargs):
        """One pool patent with its explanation (`score_parts` add up to `score`), the evaluations,
        and the holder's contact for its members and the center."""
        pool_patent = self.get_object()
        if not service.is_holder_side(request.user, pool_patent):
            operation_record(kind=OperationKind.VIEW, user=request.user, pool_patent=pool_patent)
        return self._detail(pool_patent)

    def partial_update(self, request, *args, **kwargs):
        """The holder's members change how the patent is offered (fields not sent stay)."""
        pool_patent = self.get_object()
        values = _written(ListingUpdateSerializer, request)
        current = {"modes": pool_patent.modes, "asking_price": pool_patent.asking_price,
                   "description": pool_patent.description, "contact_name": pool_patent.contact_name,
                   "contact_phone": pool_patent.contact_phone}
        current.update(values)
        service.pool_patent_update(pool_patent=pool_patent, user=request.user, **current)
        return self._detail(pool_patent)

    @extend_schema(request=EvaluateSerializer, responses={201: PoolPatentDetailSerializer,
                                                          200: PoolPatentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def evaluate(self, request, pk=None):
        """An enterprise's market evaluation (1–5, comment): 201 the first time, 200 when it
        updates the enterprise's earlier rating; the patent is regraded at once. Refused with
        own_patent (403) for the holder, not_enterprise, organization_not_verified."""
        pool_patent = self.get_object()
        values = _written(EvaluateSerializer, request)
        organization = Organization.objects.filter(pk=values["organization"], memberships__user=request.user).first()
        if organization is None:
            raise _unknown_organization()
        _evaluation, created = service.pool_patent_evaluate(
            pool_patent=pool_patent, user=request.user, organization=organization, rating=values["rating"],
            comment=values.get("comment", ""))
        return self._detail(pool_patent, status=201 if created else 200)

    @extend_schema(methods=["GET"], responses={200: ContactOutSerializer(many=True), **ERRORS}, filters=False,
                   operation_id="revitalization_pool_patent_contacts_list", description="The questions to the holder you may read: all for the holder's side and the "
                               "center, your own for anyone else.")
    @extend_schema(methods=["POST"], request=ContactSerializer,
                   responses={201: ContactOutSerializer, 200: ContactOutSerializer, **ERRORS}, filters=False,
                   operation_id="revitalization_pool_patent_contacts_create", description="Ask the holder through the platform; its members are notified. The same words "
                               "sent again within minutes answer 200 with the first request.")
    @action(detail=True, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def contacts(self, request, pk=None):
        pool_patent = self.get_object()
        if request.method == "POST":
            values = _written(ContactSerializer, request)
            organization = None
            if values.get("organization") is not None:
                organization = Organization.objects.filter(pk=values["organization"],
                                                           memberships__user=request.user).first()
                if organization is None:
                    raise _unknown_organization()
            contact, created = service.contact_request_send(pool_patent=pool_patent, user=request.user,
                                                            message=values["message"], organization=organization)
            return Response(ContactOutSerializer(contact).data, status=201 if created else 200)
        return Response(ContactOutSerializer(service.contacts_visible_to(request.user, pool_patent), many=True).data)

    @extend_schema(request=None, responses={200: PoolPatentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def withdraw(self, request, pk=None):
        """The holder's members take the patent off the public pool."""
        pool_patent = service.pool_patent_withdraw(pool_patent=self.get_object(), user=request.user)
        return self._detail(pool_patent)

    @extend_schema(request=None, responses={200: PoolPatentDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def relist(self, request, pk=None):
        """The holder's members offer a withdrawn patent again (regraded)."""
        pool_patent = service.pool_patent_relist(pool_patent=self.get_object(), user=request.user)
        return self._detail(pool_patent)


@extend_schema_view(list=extend_schema(responses={200: ContactOutSerializer(many=True), **ERRORS}))
class ContactRequestViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Questions to holders: those you sent, and those sent to your organizations' pool patents."""
    lookup_value_regex = r"[0-9]+"  # an id: anything else is 404, never a 500

    serializer_class = ContactOutSerializer
    filterset_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContactRequest.objects.none()
        from django.db.models import Q

        user = self.request.user
        held = pool_patents_held_by(user).values("pk")
        return (ContactRequest.objects.filter(Q(user=user) | Q(pool_patent_id__in=held))
                .select_related("user", "organization").order_by("-created_at"))

    @extend_schema(request=ReplySerializer, responses={200: ContactOutSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The holder's members answer; the sender is notified."""
        contact = get_object_or_404(self.get_queryset(), pk=pk)
        values = _written(ReplySerializer, request)
        contact = service.contact_request_reply(contact=contact, user=request.user, reply=values["reply"])
        return Response(ContactOutSerializer(contact).data)


class GradingSettingsView(APIView):
    """分级分类: the grading model's settings (a single row, so a plain view, not a viewset)."""

    @extend_schema(operation_id="revitalization_grading_settings_retrieve",
                   responses={200: GradingSettingsSerializer, **ERRORS})
    def get(self, request):
        """The grading settings (everybody signed in reads them: the grades are explained publicly)."""
        return Response(GradingSettingsSerializer(GradingConfig.current()).data)

    @extend_schema(operation_id="revitalization_grading_settings_update", request=GradingSettingsSerializer,
                   responses={200: GradingSettingsSerializer, **ERRORS},
                   description="Operators change the weights, thresholds and evaluations needed: validated, "
                               "the version bumped and the regrade of the whole pool queued (`job`).")
    def put(self, request):
        values = _written(GradingSettingsSerializer, request)
        config, job = service.grading_config_update(
            weights=values["weights"], thresholds=values["thresholds"],
            evaluation_min_count=values["evaluation_min_count"], actor=request.user)
        return Response(GradingSettingsSerializer(config, context={"job": job}).data)


def register(router) -> None:
    router.register("pool-contacts", ContactRequestViewSet, basename="api-rv-pool-contact")
    router.register("pool", PoolPatentViewSet, basename="api-rv-pool")



urlpatterns = [path("grading/settings", GradingSettingsView.as_view(), name="api-rv-grading-settings")]
