"""Excel out of the marketplace lists: deals, published open licences, the roadshows, a
roadshow's registrations. Each reads the same selector and filter as its page, and writes with the
formula-safe writer every export uses (names and notes come from users)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE, write_xlsx

from ..choices import RoadshowState

__all__ = ["XLSX_CONTENT_TYPE", "deals_workbook", "filename", "open_licences_workbook", "registrations_workbook",
           "roadshows_workbook"]


def filename(stem: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _d(value) -> str:
    return value.isoformat() if value else ""


def _n(value):
    return float(value) if value is not None else ""


def _workbook(rows, *, header, title, widths=()) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, header=header, title=title, widths=widths)
    return buffer.getvalue()


def deals_workbook(deals) -> bytes:
    header = [_("Case number"), _("Publication number"), _("Title"), _("Holder"), _("Enterprise"), _("Kind"),
              _("State"), _("Amount (10,000 yuan)"), _("Signed on"), _("Effective from"), _("Effective until"),
              _("CNIPA recordal number"), _("Recorded on"), _("Submitted at")]
    rows = ([d.case.number, d.pool_patent.patent.publication_number, d.pool_patent.patent.title, d.seller.name,
             d.buyer.name, d.get_kind_display(), d.get_state_display(), _n(d.amount), _d(d.signed_on),
             _d(d.starts_on), _d(d.ends_on), d.recordal_number, _d(d.recorded_on),
             timezone.localtime(d.case.submitted_at).strftime("%Y-%m-%d %H:%M")] for d in deals.iterator())
    return _workbook(rows, header=header, title=_("Deals"), widths=(18, 16, 40, 28, 28, 10, 12, 12, 12, 12, 12, 18))


def open_licences_workbook(licences) -> bytes:
    header = [_("Case number"), _("Publication number"), _("Title"), _("Patent type"), _("Holder"), _("Fee method"),
              _("Lump sum or down payment (10,000 yuan)"), _("Royalty (per cent of sales)"), _("Licence term (years)"),
              _("Other terms"), _("Key industries"), _("Published at"), _("Licences taken")]
    rows = ([ol.case.number, ol.pool_patent.patent.publication_number, ol.pool_patent.patent.title,
             ol.pool_patent.patent.get_patent_type_display(), ol.holder.name, ol.get_fee_method_display(),
             _n(ol.lump_sum), _n(ol.royalty_rate), ol.term_years, ol.terms,
             "、".join(i.name for i in ol.pool_patent.industries.all()),
             timezone.localtime(ol.published_at).strftime("%Y-%m-%d") if ol.published_at else "",
             ol.grants.count()] for ol in licences)
    return _workbook(rows, header=header, title=_("Open licences"), widths=(18, 16, 40, 10, 28, 14, 14, 12, 10, 30))


def registrations_workbook(roadshow, registrations) -> bytes:
    header = [_("Enterprise"), _("Unified social credit code"), _("Registered by"), _("Phone"), _("People"),
              _("Attended"), _("Registered at")]

    def attended(value):
        return "" if value is None else (_("Yes") if value else _("No"))

    rows = ([r.organization.name, r.organization.uscc, str(r.user), r.user.mobile or "", r.attendees,
             attended(r.attended), timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M")]
            for r in registrations)
    return _workbook(rows, header=header, title=roadshow.title, widths=(32, 22, 16, 14, 8, 8, 18))


def roadshows_workbook(roadshows) -> bytes:
    """One row per roadshow of the filtered list, with the figures of
    selectors.market.roadshows_with_figures (attendance once the operator recorded it)."""
    header = [_("No."), _("Title"), _("Starts at"), _("Place"), _("Online address"), _("Key industry"), _("State"),
              _("Patents presented (number)"), _("Enterprises registered"), _("People registered"),
              _("Enterprises attended"), _("Intents")]
    rows = ([r.pk, r.title, timezone.localtime(r.starts_at).strftime("%Y-%m-%d %H:%M"), r.place, r.online_url,
             r.key_industry.name if r.key_industry_id else "", r.get_state_display(), r.patents_count,
             r.registrations_count, r.people_count,
             r.attended_count if r.state == RoadshowState.HELD else "", r.intents_count]
            for r in roadshows)
    return _workbook(rows, header=header, title=_("Roadshows"), widths=(6, 40, 17, 30, 30, 12, 8, 10, 10, 10, 10, 8))
