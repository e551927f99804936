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
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import MembershipRole, OrganizationKind
from zhibao.core.services.cases import WorkflowError, case_submit

from ..choices import FilingState, NoticeKind
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


def validity_start(filing: Filing) -> dt.date:
    """The day a filing's validity counts from: today, or — for a renewal approved while the
    filing it renews is still valid — that filing's last day, so the renewal loses no day."""
    today = timezone.localdate()
    renewed = filing.renews
    if renewed is not None and renewed.state == FilingState.APPROVED and renewed.valid_until:
        return max(today, renewed.valid_until)
    return today


def renewal_opens_on(filing: Filing) -> dt.date | None:
    """The first day an organization may apply to renew an approved filing."""
    if filing.state != FilingState.APPROVED or filing.valid_until is None:
        return None
    return filing.valid_until - dt.timedelta(days=PreExamConfig.current().filing_renewal_days)


def renewal_is_open(filing: Filing, today: dt.date | None = None) -> bool:
    """Whether the organization may apply now to renew this filing: it is valid, its renewal
    window has opened and no renewal of it is in progress or approved."""
    today = today or timezone.localdate()
    opens = renewal_opens_on(filing)
    return bool(opens is not None and filing.valid_until >= today >= opens
                and not filing.renewals.filter(state__in=(*_OPEN, FilingState.APPROVED)).exists())


def filing_validity_end(filing: Filing, value=None) -> dt.date:
    """The filing's last valid day: the clerk's date, or the configured months from the day its
    validity starts (today, or the end of the filing it renews)."""
    today = timezone.localdate()
    start = validity_start(filing)
    if value:
        try:
            end = dt.date.fromisoformat(str(value))
        except ValueError:
            raise WorkflowError("bad_date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                                fields={"valid_until": [_("Enter a date as YYYY-MM-DD.")]}, status=400)
        if end <= start:
            message = (_("The validity must end after today.") if start == today else
                       _("A renewal's validity must end after %(date)s, when the current filing ends.")
                       % {"date": start.isoformat()})
            raise WorkflowError("bad_date", message, fields={"valid_until": [message]}, status=400)
        return end
    return start + relativedelta(months=PreExamConfig.current().filing_validity_months)


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
    if current is not None and timezone.localdate() < renewal_opens_on(current):
        raise WorkflowError("already_filed", _(
            "This organization is filed until %(date)s (%(number)s); it may apply to renew from %(opens)s.")
            % {"date": current.valid_until.isoformat(), "number": current.case.number,
               "opens": renewal_opens_on(current).isoformat()}, status=409)
    clean = checked("licence", licence) if licence is not None else None
    if clean is None:
        raise WorkflowError("licence_required", _("Upload the business licence (PDF, JPG or PNG)."),
                            fields={"licence": [_("Required.")]}, status=400)
    from zhibao.accounts.services import organization_snapshot

    def create(case):
        filing = Filing.objects.create(
            case=case, organization=organization, business_scope=business_scope,
            contact_name=(contact_name or "").strip()[:50], contact_phone=(contact_phone or "").strip()[:30],
            checks=checks, snapshot=organization_snapshot(organization), renews=current,
        )
        filing.fields.set(fields)
        return filing

    # The title is stored in the platform's language: others read it, in theirs, later.
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("Renewal of the pre-examination filing: %(name)s") if current is not None
                 else _("Pre-examination filing: %(name)s")) % {"name": organization.name}
    with StoredFiles() as files:
        filing, created = case_submit(service="PEF", title=title[:200], applicant=user, organization=organization,
                                      idempotency_key=key, create_detail=create)
        if created:
            files.add(case=filing.case, kind="licence", upload=clean, user=user)
    return filing, created


def filing_approval_letter(filing: Filing, *, actor):
    """The filing approval notice (备案通知书): the fields filed and the validity, kept on the
    filing's case as a letter of the center (kind pe_letter), like the case letters."""
    from .letters import letter_issue

    names = "、".join(f.name for f in filing.fields.order_by("code"))
    return letter_issue(detail=filing, kind=NoticeKind.FILING_APPROVAL, actor=actor, text=names,
                        deadline=filing.valid_until)


def filing_expiry_reminders(today: dt.date | None = None) -> int:
    """Remind each organization once, when its filing's renewal opens, that the filing ends and
    how to renew; a filing already renewed (an open or approved renewal) is left alone."""
    from django.db.models import Exists, OuterRef

    from zhibao.core.services.notifications import notification_send

    today = today or timezone.localdate()
    config = PreExamConfig.current()
    renewed = Filing.objects.filter(renews=OuterRef("pk"), state__in=(*_OPEN, FilingState.APPROVED))
    due = (Filing.objects.valid(today)
           .filter(valid_until__lte=today + dt.timedelta(days=config.filing_renewal_days))
           .exclude(expiry_notified_for=models.F("valid_until"))
           .filter(~Exists(renewed)).select_related("case__applicant", "organization"))
    told = 0
    for filing in due:
        case = filing.case
        notification_send(
            recipient=case.applicant, case=case, url=case.get_absolute_url(),
            title=_("The pre-examination filing of %(name)s ends on %(date)s")
            % {"name": filing.organization.name, "date": filing.valid_until.isoformat()},
            body=_("Apply to renew it before then (pre-examination → filings → renew): the renewal's validity "
                   "follows on from the current one's, so none is lost."),
        )
        Filing.objects.filter(pk=filing.pk).update(expiry_notified_for=filing.valid_until)
        told += 1
    return told
