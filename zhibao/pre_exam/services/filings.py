"""预审备案 (service PEF): who may use the pre-examination channel.

An organization qualifies when it is registered in the center's region (the administrative
division code in its unified social credit code — characters 3 to 8, GB 32100-2015 — or its
address), is an independent legal entity (enterprise, university or institute: the channel
serves innovation entities, not individuals or agencies), has no abnormal-filing record, and
its business scope lies within at least one of the center's technical fields it declares.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import MembershipRole, OrganizationKind
from zhibao.core.services.cases import WorkflowError, case_submit

from ..choices import FilingState
from ..models import AbnormalFilingRecord, Filing, PreExamConfig
from .uploads import StoredFiles, checked

LEGAL_ENTITY_KINDS = (OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE)
_OPEN = (FilingState.SUBMITTED, FilingState.IN_REVIEW, FilingState.RETURNED)


def region_code_of(organization) -> str:
    """The six-digit administrative division code in the credit code, "" without one."""
    uscc = (organization.uscc or "").strip()
    return uscc[2:8] if len(uscc) == 18 and uscc[2:8].isdigit() else ""


def abnormal_records_of(organization):
    from django.db.models import Q

    q = Q(organization=organization)
    if organization.uscc:
        q |= Q(uscc=organization.uscc)
    return AbnormalFilingRecord.objects.filter(q, active=True)


def filing_checks(*, organization, fields, business_scope: str) -> dict:
    """What intake finds about an organization; the clerk sees it beside the application."""
    config = PreExamConfig.current()
    code = region_code_of(organization)
    in_region = (code.startswith(config.region_code_prefix) if code
                 else (organization.province or "").startswith(config.region_name[:2]))
    return {
        "region_code": code,
        "in_region": bool(in_region),
        "legal_entity": organization.kind in LEGAL_ENTITY_KINDS,
        "scope": {f.code: f.matches_text(business_scope) for f in fields},
        "abnormal_records": list(abnormal_records_of(organization).values_list("pk", flat=True)),
    }


def filing_refusal(checks: dict, fields) -> WorkflowError | None:
    """The first reason intake refuses, as the error the person reads; None when it may go on."""
    config = PreExamConfig.current()
    if checks["abnormal_records"]:
        return WorkflowError("abnormal_filing", _(
            "This organization has a record of abnormal patent applications and may not use the "
            "pre-examination channel. Contact the center if the record is wrong."), status=400)
    if not checks["in_region"]:
        return WorkflowError("outside_region", _(
            "The channel serves organizations registered in %(region)s: the credit code's region code "
            "(%(code)s) is not there.") % {"region": config.region_name, "code": checks["region_code"] or "—"},
            fields={"organization": [_("Registered outside the center's region.")]}, status=400)
    if not checks["legal_entity"]:
        return WorkflowError("not_legal_entity", _(
            "Only independent legal entities (enterprises, universities, research institutes) may file."),
            fields={"organization": [_("Not an independent legal entity.")]}, status=400)
    if not fields:
        return WorkflowError("no_field", _("Choose at least one of the center's technical fields."),
                             fields={"fields": [_("Choose at least one field.")]}, status=400)
    if not any(checks["scope"].values()):
        words = "；".join(f"{f.name}：{'、'.join(f.keywords[:8])}" for f in fields)
        return WorkflowError("scope_outside_fields", _(
            "The business scope does not mention any of the chosen fields. Copy it from the business "
            "licence; the fields' words are: %(words)s") % {"words": words},
            fields={"business_scope": [_("Not within the chosen technical fields.")]}, status=400)
    return None


def filing_validity_end(filing: Filing, value=None) -> dt.date:
    """The filing's last valid day: the clerk's date, or the configured months from today."""
    today = timezone.localdate()
    if value:
        try:
            end = dt.date.fromisoformat(str(value))
        except ValueError:
            raise WorkflowError("bad_date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                                fields={"valid_until": [_("Enter a date as YYYY-MM-DD.")]}, status=400)
        if end <= today:
            raise WorkflowError("bad_date", _("The validity must end after today."),
                                fields={"valid_until": [_("Must be after today.")]}, status=400)
        return end
    return today + relativedelta(months=PreExamConfig.current().filing_validity_months)


def valid_filing_of(organization, today: dt.date | None = None) -> Filing | None:
    return (Filing.objects.valid(today).filter(organization=organization).order_by("-valid_until").first())


@transaction.atomic
def filing_submit(*, user, organization, fields, business_scope: str, contact_name: str, contact_phone: str,
                  licence, idempotency_key: str = "") -> tuple[Filing, bool]:
    """Apply for filing; returns (filing, created). Refusals raise WorkflowError and store nothing;
    a replay with the same idempotency key returns the first filing (without its checks again)."""
    key = (idempotency_key or "").strip()
    if key and (existing := organization.cases.filter(service="PEF", applicant=user,
                                                      idempotency_key=key[:64]).first()):
        return existing.detail, False
    if not organization.memberships.filter(user=user, role=MembershipRole.OWNER).exists():
        raise WorkflowError("forbidden", _("Only the organization's administrator may apply for its filing."),
                            status=403)
    if not organization.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the organization verified first (service “Organization verification”)."), status=400)
    fields = list(fields)
    business_scope = (business_scope or "").strip()
    checks = filing_checks(organization=organization, fields=fields, business_scope=business_scope)
    refusal = filing_refusal(checks, fields)
    if refusal is not None:
        raise refusal
    open_filing = Filing.objects.filter(organization=organization, state__in=_OPEN).first()
    if open_filing is not None:
        raise WorkflowError("duplicate_filing", _("This organization's filing %(number)s is already in progress.")
                            % {"number": open_filing.case.number}, status=409)
    current = valid_filing_of(organization)
    if current is not None:
        raise WorkflowError("already_filed", _("This organization is filed until %(date)s (%(number)s).")
                            % {"date": current.valid_until.isoformat(), "number": current.case.number},
                            status=409)
    clean = checked("licence", licence) if licence is not None else None
    if clean is None:
        raise WorkflowError("licence_required", _("Upload the business licence (PDF, JPG or PNG)."),
                            fields={"licence": [_("Required.")]}, status=400)
    from zhibao.accounts.services import organization_snapshot

    def create(case):
        filing = Filing.objects.create(
            case=case, organization=organization, business_scope=business_scope,
            contact_name=(contact_name or "").strip()[:50], contact_phone=(contact_phone or "").strip()[:30],
            checks=checks, snapshot=organization_snapshot(organization),
        )
        filing.fields.set(fields)
        return filing

    # The title is stored in the platform's language: others read it, in theirs, later.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Pre-examination filing: %(name)s") % {"name": organization.name}
    with StoredFiles() as files:
        filing, created = case_submit(service="PEF", title=title[:200], applicant=user, organization=organization,
                                      idempotency_key=key, create_detail=create)
        if created:
            files.add(case=filing.case, kind="licence", upload=clean, user=user)
    return filing, created
