from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from zhibao.api import ErrorSerializer
from zhibao.core.api.serializers import CaseSerializer

from ..models import Organization
from ..selectors import organizations_visible_to
from ..services import organization_create, organization_update, organization_verification_submit
from .serializers import OrganizationSerializer

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Any unique string; a replayed request with the same key returns the first result.",
)


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Organizations: mine, or all of them for staff who handle organizations."""

    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Organization.objects.none()
        return organizations_visible_to(self.request.user)

    @extend_schema(responses={201: OrganizationSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in {"kind", "name", "uscc", "address", "industry"}}
        org = organization_create(user=request.user, **data)
        return Response(self.get_serializer(org).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OrganizationSerializer, **ERRORS})
    def partial_update(self, request, *args, **kwargs):
        org = self.get_object()
        if not request.user.has_perm("accounts.change_organization", org):
            raise PermissionDenied()
        serializer = self.get_serializer(org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        organization_update(organization=org, user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(org).data)

    @extend_schema(request=None, parameters=[IDEMPOTENCY], responses={201: CaseSerializer, 200: CaseSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def verification(self, request, pk=None):
        """Ask the center to verify this organization (opens an ORG case)."""
        org = self.get_object()
        verification, created = organization_verification_submit(
            organization=org, user=request.user, idempotency_key=request.headers.get("Idempotency-Key", "")
        )
        return Response(CaseSerializer(verification.case).data, status=201 if created else 200)
