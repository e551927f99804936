"""Writes for people and organizations; views, forms and the API call these."""

import functools
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhibao.core.choices import Role
from zhibao.core.models import Region
from zhibao.core.services.cases import WorkflowError, case_submit

from .choices import MembershipRole, OrganizationStatus, VerificationState
from .models import Membership, Organization, OrganizationVerification

logger = logging.getLogger(__name__)
User = get_user_model()


def user_register(
    *, username: str, password: str, email: str = "", mobile: str | None = None, display_name: str = ""
) -> User:
    """Create an applicant account after validating every field (errors in Chinese)."""
    user = User(username=username.strip(), email=email.strip(), mobile=(mobile or None), display_name=display_name.strip())
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


@functools.lru_cache(maxsize=4096)
def _parse_address(address: str) -> tuple[str, str, str, str]:
    import cpca

    row = cpca.transform([address]).iloc[0]
    clean = lambda v: "" if v is None or str(v) in ("nan", "None", "市辖区") else str(v)  # noqa: E731
    return clean(row["省"]), clean(row["市"]), clean(row["区"]), clean(row["adcode"])


def address_regions(address: str) -> dict:
    """Province, city and county read from a Chinese address (cpca), with the Inner
    Mongolia league and banner when the address lies there."""
    if not address.strip():
        return {"province": "", "city": "", "county": "", "league": None, "banner": None}
    province, city, county, adcode = _parse_address(address.strip())
    banner = Region.objects.filter(code=adcode, level="county").first() if adcode else None
    league = banner.parent if banner else None
    if league is None and adcode:
        league = Region.objects.filter(code=adcode[:4] + "00", level="league").first()
    return {"province": province, "city": city, "county": county, "league": league, "banner": banner}


def _apply_fields(org: Organization, fields: dict) -> None:
    for name in ("kind", "name", "uscc", "address", "industry"):
        if name in fields:
            value = fields[name]
            setattr(org, name, (value.strip() if isinstance(value, str) else value) or ("" if name != "uscc" else None))
    if org.uscc:
        org.uscc = org.uscc.upper()
    regions = address_regions(org.address or "")
    for name, value in regions.items():
        setattr(org, name, value)


def _check_industry(org: Organization) -> None:
    """Once the GB/T 4754 table is loaded, an industry code must be one of its classes."""
    from zhibao.core.industries import industry_lookup
    from zhibao.core.models import Industry

    if org.industry and Industry.objects.exists() and industry_lookup(org.industry) is None:
        raise ValidationError({"industry": _("%(code)s is not a GB/T 4754-2017 industry code.") % {"code": org.industry}})


def organization_create(*, user, kind: str, name: str, uscc: str = "", address: str = "", industry: str = "") -> Organization:
    """Register an organization; its creator becomes its owner."""
    with transaction.atomic():
        org = Organization(created_by=user)
        _apply_fields(org, {"kind": kind, "name": name, "uscc": uscc, "address": address, "industry": industry})
        org.full_clean()
        _check_industry(org)
        org.save()
        Membership.objects.create(user=user, organization=org, role=MembershipRole.OWNER)
    return org


def organization_update(*, organization: Organization, user, **fields) -> Organization:
    """Owners edit their organization's details; a verified one must be re-verified after."""
    if not organization.memberships.filter(user=user, role=MembershipRole.OWNER).exists():
        raise WorkflowError("forbidden", _("Only an owner of the organization can change it."), status=403)
    if organization.status == OrganizationStatus.PENDING:
        raise WorkflowError("pending", _("The organization is being verified; wait for the decision before editing."))
    with transaction.atomic():
        _apply_fields(organization, fields)
        if organization.status == OrganizationStatus.VERIFIED:
            organization.status = OrganizationStatus.UNVERIFIED
        organization.full_clean()
        _check_industry(organization)
        organization.save()
    return organization


def organization_join(*, user, join_code: str) -> Membership:
    org = Organization.objects.filter(join_code=join_code.strip().upper()).first()
    if org is None:
        raise ValidationError({"join_code": _("No organization has this join code. Ask its owner for the code.")})
    membership, _created = Membership.objects.get_or_create(user=user, organization=org)
    return membership


def organization_snapshot(org: Organization) -> dict:
    return {
        "kind": org.kind, "name": org.name, "uscc": org.uscc or "", "address": org.address,
        "province": org.province, "city": org.city, "county": org.county,
        "league": org.league_id or "", "banner": org.banner_id or "", "industry": org.industry,
    }


def organization_verification_submit(
    *, organization: Organization, user, idempotency_key: str = "", licence=None, documents=()
) -> tuple[OrganizationVerification, bool]:
    """Ask the center to verify an organization (opens an ORG case).

    `licence` (the business licence, 营业执照, attachment kind "licence") and `documents`
    (kind "document") are uploaded files, or CleanUploads a form already checked. They are
    checked before the case opens — a refused file opens no case and raises a
    ValidationError keyed "licence" / "documents" — and attached in the case's own
    transaction. Whether a licence is required is the submitting form's rule for now (the
    API and the test personas still submit without files).
    """
    from zhibao.core.attachments.services import attachment_add, attachment_files_discard
    from zhibao.core.attachments.validators import CleanUpload, validate_upload

    if not organization.memberships.filter(user=user, role=MembershipRole.OWNER).exists():
        raise WorkflowError("forbidden", _("Only an owner of the organization can ask for verification."), status=403)
    if idempotency_key:
        from zhibao.core.models import Case

        existing = Case.objects.filter(applicant=user, service="ORG", idempotency_key=idempotency_key).first()
        if existing:
            return existing.detail, False
    if organization.status == OrganizationStatus.VERIFIED:
        raise WorkflowError("already_verified", _("This organization is already verified."))
    open_states = [VerificationState.SUBMITTED, VerificationState.IN_REVIEW, VerificationState.RETURNED]
    if organization.verifications.filter(state__in=open_states).exists():
        raise WorkflowError("duplicate", _("A verification of this organization is already under way."))
    # Every file is checked before the case opens, and every refused one is reported under
    # the field it came in.
    uploads, errors = [], {}
    for field, kind, files in (("licence", "licence", [licence] if licence else []),
                               ("documents", "document", list(documents or []))):
        for uploaded in files:
            try:
                uploads.append(uploaded if isinstance(uploaded, CleanUpload)
                               else validate_upload(kind=kind, uploaded_file=uploaded))
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    stored = []

    def create_detail(case):
        organization.status = OrganizationStatus.PENDING
        organization.rejection_reason = ""
        organization.save(update_fields=["status", "rejection_reason", "updated_at"])
        verification = OrganizationVerification.objects.create(
            case=case, organization=organization, snapshot=organization_snapshot(organization)
        )
        for upload in uploads:
            stored.append(attachment_add(case=case, kind=upload.kind, uploaded_file=upload, user=user))
        return verification

    # Stored titles are in the platform's language, whoever submits.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Organization verification: %(name)s") % {"name": organization.name}
    # The submit event records what was sent, by hash: the case history proves which files.
    payload = {"attachments": [{"kind": u.kind, "name": u.name, "sha256": u.sha256} for u in uploads]} if uploads else None
    try:
        verification, created = case_submit(
            service="ORG",
            title=title,
            applicant=user,
            organization=organization,
            idempotency_key=idempotency_key,
            create_detail=create_detail,
            payload=payload,
        )
    except BaseException:
        attachment_files_discard(stored)  # the case was rolled back; so are its files
        raise
    if not created:
        attachment_files_discard(stored)  # a concurrent replay won: the first case stands alone
    return verification, created


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})


def user_set_roles(*, user, roles: list[str], actor=None, request=None) -> None:
    """Give a user exactly these staff roles (groups), recording the change.

    三员分立 (GB/T 22239 level 3): the system, security and audit administrators are three
    different people, and none of them also handles applicants' cases.
    """
    roles = sorted({str(r) for r in roles})
    unknown = set(roles) - {r.value for r in Role}
    if unknown:
        raise ValidationError({"roles": _("Unknown roles: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    admin = set(roles) & ADMIN_ROLES
    if len(admin) > 1 or (admin and len(roles) > 1):
        raise ValidationError({"roles": _(
            "The system, security and audit administrator roles must each be held alone, by different people."
        )})
    before = sorted(user.groups.values_list("name", flat=True))
    groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
    user.groups.set(groups)
    user.__dict__.pop("_zhibao_roles", None)  # drop the cached role set
    if before != roles:
        from zhibao.core.models import SecurityEventKind
        from zhibao.core.services.security import security_event_record

        security_event_record(kind=SecurityEventKind.ROLE_CHANGE, request=request, user=actor,
                              detail={"user_id": user.pk, "username": user.get_username(), "before": before,
                                      "after": roles})
