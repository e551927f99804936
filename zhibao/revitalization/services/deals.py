"""交易 (service RVT): a deal on a pool patent between its holder and an enterprise.

intent (the enterprise asks: from a match, a roadshow or the patent page) → negotiation →
contract signed (kind, amount, dates; the contract DOCX is filled from the deal and kept on
the case) → recorded at CNIPA (专利法实施细则 第十五条: an assignment is registered with CNIPA,
and a licence contract recorded within three months of its taking effect) — or cancelled.

The enterprise is the buyer and the applicant of the case; the holder (the pool patent's
holder) is the seller. The case index's notifications reach the applicant and the operators;
the holder's members are told here, by the transitions' hooks, with a link to the deal page
(they are not the case's organization, so the portal's case page is not theirs).
"""

import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.selectors import organization_members
from zhibao.core.attachments.services import attachment_store_generated
from zhibao.core.services.cases import WorkflowError, case_submit
from zhibao.core.services.notifications import notification_send

from ..choices import DealKind, DealState, OperationKind, PoolStatus
from ..models import Deal
from ..rules import member_of
from .operations import operation_record

OPEN_DEAL_STATES = (DealState.INTENT, DealState.NEGOTIATION, DealState.CONTRACTED)
# What an enterprise may ask for on the patent page; an open licence is taken, not negotiated.
NEGOTIATED_KINDS = (DealKind.ASSIGNMENT, DealKind.LICENCE)
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def deal_url(deal: Deal) -> str:
    return reverse("revitalization:deal_detail", args=[deal.case.number])


def _tell(organization, *, deal: Deal, title: str, body: str = "", actor=None, exclude=()) -> None:
    skip = {getattr(actor, "pk", None), *exclude}
    for user in organization_members(organization):
        if user.pk not in skip:
            notification_send(recipient=user, title=title, body=body, url=deal_url(deal), case=deal.case)


def _tell_holder(deal: Deal, *, actor, action: str, comment: str = "") -> None:
    """The holder's members learn of every step (the enterprise's applicant is told by the case event)."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Deal %(number)s on %(patent)s: %(action)s") % {
            "number": deal.case.number, "patent": deal.pool_patent.patent.publication_number, "action": action}
    _tell(deal.seller, deal=deal, title=title, body=comment, actor=actor, exclude=(deal.case.applicant_id,))


# --- intent --------------------------------------------------------------------------------

@transaction.atomic
def deal_start(*, pool_patent, buyer, user, kind: str, match=None, roadshow=None, note: str = "",
               idempotency_key: str = "") -> tuple[Deal, bool]:
    """An enterprise's intent on a pool patent: a case of service RVT in state intent; returns
    (deal, created). A replay with the same idempotency key returns the first deal."""
    from ..models import PoolPatent

    key = (idempotency_key or "").strip()[:64]
    if key and (existing := buyer.cases.filter(service="RVT", applicant=user, idempotency_key=key).first()):
        return existing.detail, False
    if not member_of(user, buyer.pk):
        raise WorkflowError("forbidden", _("You may express an intent only for an organization you belong to."),
                            status=403)
    if not buyer.is_verified:
        raise WorkflowError("organization_not_verified", _(
            "Have the organization verified first (service “Organization verification”)."), status=400)
    pool_patent = PoolPatent.objects.select_for_update().select_related("patent", "holder").get(pk=pool_patent.pk)
    if pool_patent.holder_id == buyer.pk:
        raise WorkflowError("own_patent", _("This patent is your organization's own: it cannot be its buyer."),
                            fields={"organization": [_("The holder of the patent.")]}, status=400)
    if pool_patent.status != PoolStatus.LISTED:
        raise WorkflowError("not_listed", _("This patent is no longer offered in the pool."), status=409)
    if kind not in NEGOTIATED_KINDS:
        raise WorkflowError("bad_kind", _("Choose assignment or licence (an open licence is taken on its own page)."),
                            fields={"kind": [_("Choose assignment or licence.")]}, status=400)
    if pool_patent.modes and kind not in pool_patent.modes:
        raise WorkflowError("kind_not_offered", _("The holder does not offer this patent for %(kind)s.")
                            % {"kind": DealKind(kind).label}, fields={"kind": [_("Not offered.")]}, status=400)
    if match is not None:
        _match_check(match, pool_patent=pool_patent, buyer=buyer)
    open_deal = Deal.objects.filter(pool_patent=pool_patent, buyer=buyer, state__in=OPEN_DEAL_STATES).first()
    if open_deal is not None:
        raise WorkflowError("duplicate_deal", _("Your organization already has deal %(number)s open on this patent.")
                            % {"number": open_deal.case.number}, status=409)

    def create(case):
        return Deal.objects.create(case=case, pool_patent=pool_patent, seller=pool_patent.holder, buyer=buyer,
                                   kind=kind, match=match, roadshow=roadshow, note=(note or "").strip()[:2000])

    with translation.override(settings.LANGUAGE_CODE):
        title = _("Deal: %(title)s") % {"title": pool_patent.patent.title}
    deal, created = case_submit(service="RVT", title=title[:200], applicant=user, organization=buyer,
                                idempotency_key=key, create_detail=create, comment=(note or "").strip()[:2000])
    if created:
        with translation.override(settings.LANGUAGE_CODE):
            message = _("%(buyer)s wants the %(kind)s of your patent %(patent)s") % {
                "buyer": buyer.name, "kind": DealKind(kind).label, "patent": pool_patent.patent.publication_number}
        _tell(pool_patent.holder, deal=deal, title=message, body=deal.note, actor=user)
        operation_record(kind=OperationKind.INTENT, user=user, organization=buyer, pool_patent=pool_patent,
                         detail=deal.case.number)
    return deal, created


def _match_check(match, *, pool_patent, buyer) -> None:
    """A deal started from a match (供需对接) links to it only when the match is the one the center
    pushed for this patent and the buyer's own demand: the match quality and the statistics
    count the deals that came out of pushed matches."""
    from ..choices import MatchState

    if match.pool_patent_id != pool_patent.pk or match.state != MatchState.PUSHED:
        raise WorkflowError("bad_match", _("This recommendation is not one the center pushed for this patent."),
                            status=400)
    if match.demand.organization_id != buyer.pk:
        raise WorkflowError("match_enterprise", _("The recommendation was made for %(enterprise)s: choose it as the "
                                                  "enterprise.") % {"enterprise": match.demand.organization.name},
                            fields={"organization": [_("The enterprise of the demand.")]}, status=400)


# --- the transitions' hooks (called by Deal's transitions, inside case_transition) ----------

def _date(payload: dict, key: str, *, label: str, required: bool = True) -> dt.date | None:
    value = payload.get(key)
    if value in (None, ""):
        if required:
            raise WorkflowError("incomplete", _("%(label)s is required.") % {"label": label},
                                fields={key: [_("Required.")]}, status=400)
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise WorkflowError("bad_date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                            fields={key: [_("Enter a date as YYYY-MM-DD.")]}, status=400)


def _not_future(day: dt.date, key: str, label: str) -> None:
    if day > timezone.localdate():
        raise WorkflowError("date_in_future", _("%(label)s cannot be in the future.") % {"label": label},
                            fields={key: [_("Not after today.")]}, status=400)


def _amount(payload: dict) -> Decimal:
    """万元, > 0 unless the parties state the deal is free of charge (`free`: true)."""
    free = payload.get("free") in (True, "true", "1", 1, "on")
    value = payload.get("amount")
    if free and value in (None, "", 0, "0"):
        return Decimal("0")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise WorkflowError("bad_amount", _("Give the contract amount in 10,000 yuan, or mark the deal as free."),
                            fields={"amount": [_("Enter a number.")]}, status=400)
    if amount < 0 or (amount == 0 and not free) or amount >= Decimal("10000000000"):
        raise WorkflowError("bad_amount", _("The amount must be more than 0 (in 10,000 yuan), unless the deal is "
                                            "explicitly free."), fields={"amount": [_("More than 0.")]}, status=400)
    return amount


def on_deal_negotiation(deal: Deal, *, actor, comment: str = "") -> None:
    _tell_holder(deal, actor=actor, action=_("negotiation started"), comment=comment)


def on_deal_signed(deal: Deal, *, actor, payload: dict) -> None:
    """Record the signed contract: its kind, amount and dates; keep the filled-in contract."""
    kind = payload.get("kind") or deal.kind
    if kind not in NEGOTIATED_KINDS:
        raise WorkflowError("bad_kind", _("Confirm the kind of the contract: assignment or licence."),
                            fields={"kind": [_("Choose assignment or licence.")]}, status=400)
    amount = _amount(payload)
    signed_on = _date(payload, "signed_on", label=_("The signing date"))
    _not_future(signed_on, "signed_on", _("The signing date"))
    starts_on = _date(payload, "starts_on", label=_("The licence's first day"), required=kind == DealKind.LICENCE)
    ends_on = _date(payload, "ends_on", label=_("The licence's last day"), required=kind == DealKind.LICENCE)
    if starts_on and ends_on and ends_on < starts_on:
        raise WorkflowError("bad_term", _("The licence cannot end before it starts."),
                            fields={"ends_on": [_("On or after the first day.")]}, status=400)
    deal.kind, deal.amount, deal.signed_on = kind, amount, signed_on
    deal.starts_on, deal.ends_on = starts_on, ends_on
    content = deal_contract_docx(deal)
    attachment_store_generated(case=deal.case, kind="rv_contract", name=contract_filename(deal), content=content,
                               content_type=DOCX_CONTENT_TYPE, user=actor)
    _tell_holder(deal, actor=actor, action=_("contract signed"))
    operation_record(kind=OperationKind.DEAL, user=actor, organization=deal.buyer, pool_patent=deal.pool_patent,
                     detail=deal.case.number)


def on_deal_recorded(deal: Deal, *, actor, payload: dict) -> None:
    """CNIPA's recordal of the contract (专利法实施细则 第十五条): its number and date."""
    number = str(payload.get("recordal_number") or "").strip()
    if not number:
        raise WorkflowError("incomplete", _("Give CNIPA's recordal number."),
                            fields={"recordal_number": [_("Required.")]}, status=400)
    if len(number) > 40:
        raise WorkflowError("bad_number", _("The recordal number is too long (40 characters at most)."),
                            fields={"recordal_number": [_("40 characters at most.")]}, status=400)
    recorded_on = _date(payload, "recorded_on", label=_("The recordal date"))
    _not_future(recorded_on, "recorded_on", _("The recordal date"))
    if deal.signed_on and recorded_on < deal.signed_on:
        raise WorkflowError("bad_date", _("The recordal cannot be before the contract was signed (%(date)s).")
                            % {"date": deal.signed_on.isoformat()},
                            fields={"recorded_on": [_("On or after the signing date.")]}, status=400)
    deal.recordal_number, deal.recorded_on = number, recorded_on
    _tell_holder(deal, actor=actor, action=_("recorded at CNIPA"))


def on_deal_cancelled(deal: Deal, *, actor, comment: str) -> None:
    # The reason is in the case event; the note keeps the enterprise's words and the reason after them.
    deal.note = f"{deal.note}\n{comment}".strip() if deal.note else comment
    _tell_holder(deal, actor=actor, action=_("cancelled"), comment=comment)


# --- the contract --------------------------------------------------------------------------

CONTRACT_TITLES = {
    DealKind.ASSIGNMENT: "专利权转让合同",
    DealKind.LICENCE: "专利实施许可合同",
    DealKind.OPEN_LICENCE: "专利开放许可实施合同",
}
PARTY_ROLES = {
    DealKind.ASSIGNMENT: ("转让方（甲方）", "受让方（乙方）"),
    DealKind.LICENCE: ("许可方（甲方）", "被许可方（乙方）"),
    DealKind.OPEN_LICENCE: ("许可方（甲方）", "被许可方（乙方）"),
}
PATENT_TYPES = {"invention": "发明专利", "utility_model": "实用新型专利", "design": "外观设计专利"}


def contract_filename(deal: Deal) -> str:
    return f"{deal.case.number}-{CONTRACT_TITLES.get(deal.kind, '合同')}.docx"


def _amount_text(deal: Deal) -> str:
    if deal.amount is None:
        return "（待双方约定）"
    if deal.amount == 0:
        return "无偿"
    return f"人民币 {deal.amount:,.2f} 万元"


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "____年__月__日"


def deal_contract_docx(deal: Deal) -> bytes:
    """The contract as a Word document, filled from the deal: the parties with their credit codes
    and addresses, the patent, the kind, the amount, the term and the dates. The wording is the
    usual model contract's (国家知识产权局 专利权转让 / 专利实施许可 合同范本), in Chinese, as
    the contract is signed in Chinese; the parties complete and amend it before they sign."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    kind = deal.kind or DealKind.ASSIGNMENT
    seller, buyer, patent = deal.seller, deal.buyer, deal.pool_patent.patent
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.core_properties.title = CONTRACT_TITLES[kind]
    doc.core_properties.identifier = deal.case.number
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(CONTRACT_TITLES[kind])
    run.bold, run.font.size = True, Pt(18)
    doc.add_paragraph(f"合同编号：{deal.case.number}").alignment = WD_ALIGN_PARAGRAPH.RIGHT

    role_a, role_b = PARTY_ROLES[kind]
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for role, org in ((role_a, seller), (role_b, buyer)):
        for label, value in ((role, org.name), ("统一社会信用代码", org.uscc or "—"), ("住所", org.address or "—")):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    doc.add_paragraph()

    doc.add_paragraph("第一条 专利").runs[0].bold = True
    doc.add_paragraph(f"专利名称：{patent.title}")
    doc.add_paragraph(f"专利类型：{PATENT_TYPES.get(patent.patent_type, patent.patent_type)}")
    doc.add_paragraph(f"专利号（申请号）：{patent.application_number}")
    doc.add_paragraph(f"公告号：{patent.publication_number}")
    doc.add_paragraph(f"专利权人：{seller.name}")

    doc.add_paragraph("第二条 交易方式").runs[0].bold = True
    if kind == DealKind.ASSIGNMENT:
        doc.add_paragraph("甲方将上述专利的专利权转让给乙方。转让自国家知识产权局登记之日起生效（《专利法》第十条）。")
    elif kind == DealKind.LICENCE:
        doc.add_paragraph("甲方许可乙方在中华人民共和国境内实施上述专利（普通许可，双方另有约定的除外）。"
                          "乙方不得允许合同规定以外的任何单位或者个人实施该专利（《专利法》第十二条）。")
    else:
        doc.add_paragraph("乙方依甲方发布的开放许可声明实施上述专利，许可使用费及期限按声明执行（《专利法》第五十条至第五十二条）。")
    if deal.starts_on or deal.ends_on:
        doc.add_paragraph(f"许可期限：自{_day(deal.starts_on)}起至{_day(deal.ends_on)}止。")

    doc.add_paragraph("第三条 价款及支付").runs[0].bold = True
    doc.add_paragraph(f"合同价款：{_amount_text(deal)}。支付方式及期限由双方约定。")

    doc.add_paragraph("第四条 登记与备案").runs[0].bold = True
    doc.add_paragraph("专利权转让合同应当向国家知识产权局办理登记；专利实施许可合同应当自生效之日起三个月内向国家知识产权局备案"
                      "（《专利法实施细则》第十五条）。")
    if deal.recordal_number:
        doc.add_paragraph(f"备案（登记）号：{deal.recordal_number}，日期：{_day(deal.recorded_on)}。")

    doc.add_paragraph("第五条 其他").runs[0].bold = True
    doc.add_paragraph("本合同一式四份，双方各执两份，自双方签字盖章之日起生效。"
                      f"本合同经内蒙古自治区知识产权保护中心公共服务平台撮合（交易编号 {deal.case.number}）。")
    if deal.note:
        doc.add_paragraph(f"备注：{deal.note}")
    doc.add_paragraph()
    sign = doc.add_table(rows=3, cols=2)
    sign.cell(0, 0).text, sign.cell(0, 1).text = f"甲方：{seller.name}（盖章）", f"乙方：{buyer.name}（盖章）"
    sign.cell(1, 0).text = sign.cell(1, 1).text = "法定代表人或授权代表（签字）："
    sign.cell(2, 0).text = sign.cell(2, 1).text = f"签订日期：{_day(deal.signed_on)}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@transaction.atomic
def deal_contract_upload(*, deal: Deal, uploaded_file, user):
    """A party uploads the signed contract's scan (kind rv_contract) once it is being negotiated or signed."""
    from zhibao.core.attachments.services import attachment_add

    from ..rules import deal_party

    if not deal_party(deal, user):
        raise WorkflowError("forbidden", _("Only the parties to the deal may upload its contract."), status=403)
    if deal.state not in (DealState.NEGOTIATION, DealState.CONTRACTED, DealState.RECORDED):
        raise WorkflowError("not_now", _("A contract can be uploaded once the deal is in negotiation."), status=409)
    attachment = attachment_add(case=deal.case, kind="rv_contract", uploaded_file=uploaded_file, user=user)
    _tell_holder(deal, actor=user, action=_("signed contract uploaded"))
    return attachment
