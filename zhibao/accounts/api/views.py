from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

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


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="Username or mobile number")
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(max_length=16, required=False, allow_blank=True,
                                help_text="Staff accounts: the current two-factor code (or a backup code)")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


@extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer, **ERRORS})
class TokenView(APIView):
    """Exchange a login for an API token. Staff accounts must add their two-factor code."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    def post(self, request):
        from django.contrib.auth import authenticate
        from django_otp import match_token
        from rest_framework.authtoken.models import Token

        from ..middleware import needs_second_factor

        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request._request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            raise AuthenticationFailed(_("Wrong username or password."))
        if needs_second_factor(user) and settings.ZHIBAO_STAFF_2FA:
            code = (data.validated_data.get("otp") or "").strip()
            if not code or match_token(user, code) is None:
                raise ValidationError({"otp": [_("Staff accounts need a valid two-factor code.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
