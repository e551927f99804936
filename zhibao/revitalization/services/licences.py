"""开放许可 (service RVL): the holder's open-licence declaration and the licences taken under it.

专利法 第五十条: a patentee may declare to CNIPA that it will license anyone to exploit its
patent, stating the fee, how it is paid and the term; a utility model or design patent's
declaration needs the patent evaluation report (专利权评价报告, 第五十条第一款). 第五十一条: anyone
who notifies the patentee in writing and pays the fee obtains the licence; the licence under
an open-licence declaration may not be exclusive or sole (第三款). 第五十条第二款: a withdrawal
announced stops new licences; licences already granted stay valid. 第五十二条: disputes over
an open licence are settled by the parties, CNIPA's mediation or the courts (not the platform).

The platform carries the center's side: the holder declares, an operator checks and publishes,
and an enterprise takes a licence in one step (the written notice, a deal recording the
payment side, a PDF notice for both parties).
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.selectors import organization_members
from zhibao.core.services.cases import WorkflowError, case_submit
from zhibao.core.services.notifications import notification_send
from zhibao.patents.choices import PatentType

from ..choices import DealKind, DealState, FeeMethod, OpenLicenceState, OperationKind, PoolStatus
from ..models import Deal, OpenLicence, OpenLicenceGrant
from ..rules import member_of
from .deals import _tell
from .operations import operation_record

L = OpenLicenceState
OPEN_DECLARATION_STATES = (L.SUBMITTED, L.RETURNED, L.PUBLISHED)
NEEDS_EVALUATION_REPORT = (PatentType.UTILITY_MODEL, PatentType.DESIGN)
MAX_TERM_YEARS = 20  # an invention's whole term (专利法 第四十二条): no licence outlives it
MAX_AMOUNT = Decimal("9999999999.99")


def _decimal(value, *, key: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise WorkflowError("bad_number", _("%(label)s must be a number.") % {"label": label},
                            fields={key: [_("Enter a number.")]}, status=400)


def licence_terms_clean(*, fee_method: str, lump_sum, royalty_rate, term_years) -> tuple:
    """(fee method, lump sum, royalty rate, term) as the method requires, or a refusal:
    a lump sum needs the sum, a royalty the rate, the mixed method both (and nothing else)."""
    if fee_method not in FeeMethod.values:
        raise WorkflowError("bad_fee_method", _("Choose how the licence fee is paid."),
                            fields={"fee_method": [_("Required.")]}, status=400)
    lump = _decimal(lump_sum, key="lump_sum", label=_("The lump sum"))
    rate = _decimal(royalty_rate, key="royalty_rate", label=_("The royalty rate"))
    wants_lump = fee_method in (FeeMethod.LUMP_SUM, FeeMethod.LUMP_SUM_AND_ROYALTY)
    wants_rate = fee_method in (FeeMethod.ROYALTY, FeeMethod.LUMP_SUM_AND_ROYALTY)
    if wants_lump and (lump is None or lump <= 0 or lump > MAX_AMOUNT):
        raise WorkflowError("lump_sum_required", _("This fee method needs a lump sum of more than 0 (10,000 yuan)."),
                            fields={"lump_sum": [_("More than 0.")]}, status=400)
    if wants_rate and (rate is None or rate <= 0 or rate > 100):
        raise WorkflowError("royalty_required", _("This fee method needs a royalty rate above 0 and at most 100 per cent of sales."),
                            fields={"royalty_rate": [_("More than 0, at most 100.")]}, status=400)
    try:
        term = int(term_years)
    except (TypeError, ValueError):
        term = 0
    if not 1 <= term <= MAX_TERM_YEARS:
        raise WorkflowError("bad_term", _("The licence term is 1 to %(max)d years.") % {"max": MAX_TERM_YEARS},
                            fields={"term_years": [_("1 to %(max)d years.") % {"max": MAX_TERM_YEARS}]}, status=400)
    return fee_method, (lump if wants_lump else None), (rate if wants_rate else None), term


def exclusive_licence_in_force(pool_patent, today: dt.date | None = None) -> Deal | None:
    """A signed licence or assignment that bars an open licence, or None.

    第五十一条第三款: an open licensee holds an ordinary licence, and a patent already licensed
    exclusively or solely (独占 / 排他许可) cannot be offered to everyone. A deal does not record
    whether its licence is exclusive, so — keeping it simple and on the safe side — every licence
    contract signed on the platform and still in force counts as one; the holder who granted an
    ordinary licence asks the center to correct it. An assignment signed means the holder is no
    longer the patentee, which bars the declaration as well."""
    today = today or timezone.localdate()
    signed = (DealState.CONTRACTED, DealState.RECORDED)
    return (Deal.objects.filter(pool_patent=pool_patent, state__in=signed)
            .filter(Q(kind=DealKind.ASSIGNMENT) | Q(kind=DealKind.LICENCE) & (Q(ends_on__isnull=True)
                                                                              | Q(ends_on__gte=today)))
            .select_related("case").first())


def has_evaluation_report(open_licence: OpenLicence) -> bool:
    return open_licence.case.attachments.filter(kind="rv_evaluation_report").exists()


def declaration_refusal(*, pool_patent, has_report: bool, exclude_pk=None) -> WorkflowError | None:
    """The first reason the patent may not be declared now (None when it may)."""
    patent = pool_patent.patent
    if pool_patent.status != PoolStatus.LISTED:
        return WorkflowError("not_listed", _("This patent is no longer offered in the pool."), status=409)
    if patent.legal_status != "granted":
        return WorkflowError("not_granted", _(
            "Only a patent in force can be offered under an open licence (专利法 第五十条): this one is “%(status)s”.")
            % {"status": patent.get_legal_status_display()}, status=400)
    if patent.patent_type in NEEDS_EVALUATION_REPORT and not has_report:
        return WorkflowError("evaluation_report_required", _(
            "A utility model or design patent needs its patent evaluation report (专利权评价报告) attached to an open "
            "licence declaration (专利法 第五十条第一款)."),
            fields={"evaluation_report": [_("Attach the evaluation report (PDF).")]}, status=400)
    barring = exclusive_licence_in_force(pool_patent)
    if barring is not None:
        return WorkflowError("licensed_exclusively", _(
            "The patent is under the licence or assignment of deal %(number)s: a patent licensed exclusively or "
            "assigned cannot be offered to everyone (专利法 第五十一条).") % {"number": barring.case.number},
            status=409)
    others = OpenLicence.objects.filter(pool_patent=pool_patent, state__in=OPEN_DECLARATION_STATES)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if (other := others.select_related("case").first()) is not None:
        return WorkflowError("duplicate_declaration", _("This patent's open licence %(number)s is already declared.")
                             % {"number": other.case.number}, status=409)
    return None


@transaction.atomic
def open_licence_declare(*, pool_patent, user, fee_method: str, lump_sum=None, royalty_rate=None, term_years,
                         terms: str = "", evaluation_report=None, idempotency_key: str = "") -> tuple[OpenLicence, bool]:
    """The holder's members declare an open licence for a listed pool patent they hold; returns
    (declaration, created). Refusals store nothing; a replay with the same key returns the first."""
    from zhibao.pre_exam.services.uploads import StoredFiles, checked

    from ..models import PoolPatent

    holder = pool_patent.holder
    key = (idempotency_key or "").strip()[:64]
    if key and (existing := holder.cases.filter(service="RVL", applicant=user, idempotency_key=key).first()):
        return existing.detail, False
    if not member_of(user, holder.pk):
        raise WorkflowError("forbidden", _("Only the holder of the patent may declare an open licence."), status=403)
    pool_patent = PoolPatent.objects.select_for_update().select_related("patent", "holder").get(pk=pool_patent.pk)
    fee_method, lump, rate, term = licence_terms_clean(fee_method=fee_method, lump_sum=lump_sum,
                                                      royalty_rate=royalty_rate, term_years=term_years)
    clean = checked("rv_evaluation_report", evaluation_report) if evaluation_report is not None else None
    refusal = declaration_refusal(pool_patent=pool_patent, has_report=clean is not None)
    if refusal is not None:
        raise refusal

    def create(case):
        return OpenLicence.objects.create(case=case, pool_patent=pool_patent, holder=holder, fee_method=fee_method,
                                          lump_sum=lump, royalty_rate=rate, term_years=term,
                                          terms=(terms or "").strip()[:5000])

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Open licence: %(title)s") % {"title": pool_patent.patent.title}
    with StoredFiles() as files:
        declaration, created = case_submit(service="RVL", title=title[:200], applicant=user, organization=holder,
                                           idempotency_key=key, create_detail=create)
        if created and clean is not None:
            files.add(case=declaration.case, kind="rv_evaluation_report", upload=clean, user=user)
    return declaration, created


@transaction.atomic
def open_licence_update(*, open_licence: OpenLicence, user, fee_method: str, lump_sum=None, royalty_rate=None,
                        term_years, terms: str = "", evaluation_report=None) -> OpenLicence:
    """Correct a declaration the center returned (then resubmit it), optionally with a new report."""
    from zhibao.pre_exam.services.uploads import StoredFiles, checked

    from ..rules import applicant_side

    locked = OpenLicence.objects.select_for_update().select_related("case").get(pk=open_licence.pk)
    if not applicant_side(locked, user):
        raise WorkflowError("forbidden", _("Only the holder of the patent may change its declaration."), status=403)
    if locked.state != L.RETURNED:
        raise WorkflowError("not_returned", _("A declaration can be corrected only after the center returned it."),
                            status=409)
    fee_method, lump, rate, term = licence_terms_clean(fee_method=fee_method, lump_sum=lump_sum,
                                                      royalty_rate=royalty_rate, term_years=term_years)
    locked.fee_method, locked.lump_sum, locked.royalty_rate, locked.term_years = fee_method, lump, rate, term
    locked.terms = (terms or "").strip()[:5000]
    locked.full_clean(exclude=["case", "state"])
    locked.save()
    if evaluation_report is not None:
        with StoredFiles() as files:
            files.add(case=locked.case, kind="rv_evaluation_report",
                      upload=checked("rv_evaluation_report", evaluation_report), user=user)
    return locked


# --- the transitions' hooks ----------------------------------------------------------------

def open_licence_check(open_licence: OpenLicence) -> None:
    """Called on resubmission and publication: the declaration must still be admissible."""
    licence_terms_clean(fee_method=open_licence.fee_method, lump_sum=open_licence.lump_sum,
                        royalty_rate=open_licence.royalty_rate, term_years=open_licence.term_years)
    refusal = declaration_refusal(pool_patent=open_licence.pool_patent, has_report=has_evaluation_report(open_licence),
                                  exclude_pk=open_licence.pk)
    if refusal is not None:
        raise refusal


def on_open_licence_published(open_licence: OpenLicence) -> None:
    open_licence_check(open_licence)
    open_licence.published_at = timezone.now()


# --- taking a licence ----------------------------------------------------------------------

def licence_end(granted_on: dt.date, term_years: int) -> dt.date:
    """The last day of a licence of `term_years` from `granted_on` (a year from 1 March ends on 28 or 29 February)."""
    return granted_on + relativedelta(years=term_years) - dt.timedelta(days=1)


def _fee_text(open_licence: OpenLicence) -> str:
    parts = []
    if open_licence.lump_sum is not None:
        parts.append(f"{'入门费' if open_licence.royalty_rate is not None else '一次性支付'}人民币 {open_licence.lump_sum:,.2f} 万元")
    if open_licence.royalty_rate is not None:
        parts.append(f"按销售额的 {open_licence.royalty_rate.normalize():f}% 提成")
    return "，".join(parts) or "—"


def licence_notice_pdf(*, grant: OpenLicenceGrant, deal: Deal) -> bytes:
    """开放许可实施通知书: what both parties keep of the licence (plain Chinese, like the center's letters)."""
    from zhibao.core.pdf import simple_letter_pdf

    ol = grant.open_licence
    patent = ol.pool_patent.patent
    body = "\n".join([
        f"许可方（专利权人）：{ol.holder.name}（统一社会信用代码 {ol.holder.uscc or '—'}）",
        f"被许可方：{grant.licensee.name}（统一社会信用代码 {grant.licensee.uscc or '—'}）",
        "",
        f"被许可方已依许可方发布的开放许可声明（编号 {ol.case.number}）书面通知许可方实施下列专利，"
        "依照《中华人民共和国专利法》第五十一条，自通知之日起获得该专利的普通实施许可：",
        "",
        f"专利名称：{patent.title}",
        f"专利号（申请号）：{patent.application_number}　公告号：{patent.publication_number}",
        f"许可使用费：{_fee_text(ol)}",
        f"许可期限：{grant.granted_on.isoformat()} 至 {grant.ends_on.isoformat()}",
        *([f"其他条件：{ol.terms}"] if ol.terms else []),
        "",
        f"本许可记录为交易 {deal.case.number}。开放许可声明撤回的，不影响在先给予的开放许可的效力。",
        "被许可方应按声明支付许可使用费；双方可凭本通知书向国家知识产权局办理许可合同备案。",
    ])
    with translation.override(settings.LANGUAGE_CODE):
        center = str(settings.ZHIBAO_SITE_NAME)
    return simple_letter_pdf(title="专利开放许可实施通知书", body=body, center_name=center,
                             case_number=deal.case.number, issued_on=grant.granted_on)


def open_licence_take(*, open_licence: OpenLicence, licensee, user) -> OpenLicenceGrant:
    """An enterprise takes a licence under a published open licence, in one step (专利法 第五十一条):
    the grant (today, for the declared term), a deal of kind open licence already contracted,
    the PDF notice on the deal's case, and a message to both parties. Once per licensee; never
    the holder itself; never after the withdrawal (granted licences stay valid)."""
    from zhibao.core.attachments.services import attachment_files_discard, attachment_store_generated
    from zhibao.core.pdf import font_required

    from .deals import deal_url

    stored = []
    try:
        with transaction.atomic():
            ol = (OpenLicence.objects.select_for_update().select_related("case", "holder", "pool_patent__patent")
                  .get(pk=open_licence.pk))
            if not member_of(user, licensee.pk):
                raise WorkflowError("forbidden", _("You may take a licence only for an organization you belong to."),
                                    status=403)
            if ol.state != L.PUBLISHED:
                if ol.state == L.WITHDRAWN:
                    raise WorkflowError("withdrawn", _(
                        "The holder withdrew this open licence: no new licences are given under it (licences "
                        "already taken stay valid)."), status=409)
                raise WorkflowError("not_published", _("This open licence is not published yet."), status=409)
            if ol.holder_id == licensee.pk:
                raise WorkflowError("own_patent", _("The holder cannot take a licence of its own patent."),
                                    fields={"organization": [_("The holder of the patent.")]}, status=400)
            if not licensee.is_verified:
                raise WorkflowError("organization_not_verified", _(
                    "Have the organization verified first (service “Organization verification”)."), status=400)
            taken = OpenLicenceGrant.objects.filter(open_licence=ol, licensee=licensee).select_related("notice").first()
            if taken is not None:
                raise WorkflowError("already_taken", _("%(name)s already holds this licence (since %(date)s).")
                                    % {"name": licensee.name, "date": taken.granted_on.isoformat()}, status=409)
            font_required()  # the notice is part of the step: without a font nothing is given
            today = timezone.localdate()
            ends_on = licence_end(today, ol.term_years)

            def create(case):
                return Deal.objects.create(
                    case=case, pool_patent=ol.pool_patent, seller=ol.holder, buyer=licensee,
                    kind=DealKind.OPEN_LICENCE, open_licence=ol, amount=ol.lump_sum, signed_on=today, starts_on=today,
                    ends_on=ends_on, state=DealState.CONTRACTED,
                )

            with translation.override(settings.LANGUAGE_CODE):
                title = _("Open licence taken: %(title)s") % {"title": ol.pool_patent.patent.title}
            deal, _created = case_submit(service="RVT", title=title[:200], applicant=user, organization=licensee,
                                         create_detail=create, comment=ol.case.number)
            grant = OpenLicenceGrant.objects.create(open_licence=ol, licensee=licensee, user=user, granted_on=today,
                                                    ends_on=ends_on)
            content = licence_notice_pdf(grant=grant, deal=deal)
            notice = attachment_store_generated(case=deal.case, kind="rv_notice",
                                                name=f"{deal.case.number}-专利开放许可实施通知书.pdf", content=content,
                                                content_type="application/pdf", user=user)
            stored.append(notice)
            grant.notice = notice
            grant.save(update_fields=["notice"])
            with translation.override(settings.LANGUAGE_CODE):
                message = _("Open licence of %(patent)s taken by %(licensee)s, valid until %(date)s") % {
                    "patent": ol.pool_patent.patent.publication_number, "licensee": licensee.name,
                    "date": ends_on.isoformat()}
            _tell(ol.holder, deal=deal, title=message, body=_fee_text(ol))
            for member in organization_members(licensee):
                notification_send(recipient=member, title=message, body=_fee_text(ol), url=deal_url(deal),
                                  case=deal.case)
            operation_record(kind=OperationKind.LICENCE_TAKEN, user=user, organization=licensee,
                             pool_patent=ol.pool_patent, detail=ol.case.number)
    except BaseException:
        attachment_files_discard(stored)
        raise
    return grant
