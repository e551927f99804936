from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from zhibao.api import ErrorSerializer

from ..filtersets import CaseFilterSet
from ..models import Case, Job, Notification
from ..registry import registry
from ..rules import role_names
from ..selectors import cases_of_applicant, cases_visible_to, notifications_of, worklist_for
from ..services.cases import case_transition
from ..services.notifications import notification_mark_read
from ..views import jobs_visible_to
from .serializers import (
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseSerializer,
    JobSerializer,
    MeSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    ServiceSerializer,
    TransitionRequestSerializer,
)

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class MeView(generics.RetrieveAPIView):
    """The logged-in user, with roles and organizations (phone masked)."""

    serializer_class = MeSerializer

    def get_object(self):
        user = self.request.user
        user.sorted_roles = sorted(role_names(user))
        return user


@extend_schema(responses={200: ServiceSerializer(many=True)})
class ServiceListView(APIView):
    """The service catalogue from the registry (public, like the portal's home page)."""

    permission_classes = [permissions.AllowAny]

    def get(self, request):
        return Response(ServiceSerializer(registry.all(), many=True).data)


SCOPE_PARAM = OpenApiParameter(
    "scope", str, enum=["mine", "worklist", "all"],
    description="mine: my cases; worklist: what waits for me (staff); all: every case I may see. "
                "Default: worklist for staff, mine otherwise.",
)


@extend_schema(parameters=[SCOPE_PARAM], responses={200: CaseSerializer, **ERRORS})
class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases of every service, through the one case index."""

    lookup_field = "number"
    lookup_value_regex = r"[A-Z]+-\d{4}-\d{6}"
    filterset_class = CaseFilterSet

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Case.objects.none()
        if self.action != "list":
            return cases_visible_to(user)
        scope = self.request.query_params.get("scope") or ("worklist" if role_names(user) else "mine")
        if scope == "worklist":
            return worklist_for(user)
        if scope == "all":
            return cases_visible_to(user)
        return cases_of_applicant(user)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_object(self):
        case = super().get_object()
        if not self.request.user.has_perm("core.view_case", case):
            raise PermissionDenied()
        return case

    @extend_schema(request=TransitionRequestSerializer, responses={200: CaseDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request, number=None, name=None):
        """Take a workflow step on any service's case (one uniform way)."""
        case = self.get_object()
        data = TransitionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_transition(detail=case.detail, name=name, actor=request.user, comment=data.validated_data["comment"],
                        payload=data.validated_data["payload"])
        case.refresh_from_db()
        case.__dict__.pop("detail", None)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: CaseEventSerializer(many=True), **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def events(self, request, number=None):
        """The case's history, oldest first."""
        case = self.get_object()
        return Response(CaseEventSerializer(case.events.select_related("actor", "case"), many=True).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My inbox, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications_of(self.request.user)

    @extend_schema(request=NotificationReadSerializer, responses={200: NotificationReadSerializer})
    @action(detail=False, methods=["post"])
    def read(self, request):
        """Mark notifications read (all, or the given ids)."""
        data = NotificationReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = notification_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"ids": data.validated_data.get("ids", []), "updated": count, "message": _("Marked read.")})


@extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """My jobs and their progress."""

    serializer_class = JobSerializer
    filterset_class = None
    lookup_value_regex = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Job.objects.none()
        return jobs_visible_to(self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
