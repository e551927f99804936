"""Pieces shared by the marketplace's API modules (deals, open licences, roadshows)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from zhibao.accounts.api.serializers import OrganizationBriefSerializer
from zhibao.accounts.models import Organization
from zhibao.api import ErrorSerializer
from zhibao.core.services.cases import WorkflowError
from zhibao.patents.api.serializers import PatentBriefSerializer

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
CASE_NUMBER_RE = r"[A-Z]+-\d{4}-\d{6}"


def idempotency_key(request, data=None) -> str:
    return (request.headers.get("Idempotency-Key") or (data or {}).get("idempotency_key") or "").strip()[:64]


def organization_of(user, organization_id) -> Organization:
    """An organization the user belongs to; any other id, existing or not, is the same error."""
    organization = Organization.objects.filter(pk=organization_id, memberships__user=user).first()
    if organization is None:
        raise WorkflowError("unknown_organization", _("You do not belong to this organization."),
                            fields={"organization": [_("Not one of your organizations.")]}, status=400)
    return organization


class PoolPatentBriefSerializer(PatentBriefSerializer):
    """A pool patent where a deal, an open licence or a roadshow names it: the patent's brief
    (read through the pool patent), with the pool patent's id and its holder."""

    pool_patent = serializers.IntegerField(source="pk")
    holder = OrganizationBriefSerializer()

    def get_fields(self):
        fields = super().get_fields()
        for name in PatentBriefSerializer._declared_fields:
            fields[name].source = f"patent.{name}"
        return {"pool_patent": fields.pop("pool_patent"), **fields}
