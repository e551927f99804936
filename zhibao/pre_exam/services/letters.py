"""The center's letters as PDF: correction notices, opinion letters, qualification notices.

The wording is a NoticeTemplate the center edits (Django template language); the layout is
fixed here: the center's name, the letter's title, a block of case particulars, the body, the
date and the seal line. The Chinese font is embedded (a subset of the glyphs used), so the
letter prints the same on any machine without fonts of its own.
"""

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.attachments.services import attachment_store_generated
from zhibao.core.services.cases import WorkflowError

from ..choices import NoticeKind
from ..models import NoticeTemplate, PreExamConfig

# Where Debian/Ubuntu (fonts-noto-cjk), CentOS/Kylin (google-noto-sans-cjk) and the WQY package
# put a CJK font; ZHIBAO_PDF_FONT overrides. (path, index of the Simplified Chinese face in a .ttc)
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)

DEFAULT_TEMPLATES = {
    NoticeKind.FORMAL_CORRECTION: (
        "形式审查补正通知书",
        "{{ case.organization.name }}：\n\n"
        "你单位提交的预审案件（编号 {{ case.number }}，名称“{{ detail.title }}”）经形式审查，"
        "存在以下问题，请于 {{ deadline }} 前补正并答复；逾期未答复的，该预审案件视为撤回。\n\n"
        "{{ text }}\n{% if items %}\n未通过的检查项：\n{% for item in items %}{{ forloop.counter }}. {{ item }}\n{% endfor %}{% endif %}",
    ),
    NoticeKind.OPINION: (
        "专利预审意见通知书",
        "{{ case.organization.name }}：\n\n"
        "你单位提交的预审案件（编号 {{ case.number }}，名称“{{ detail.title }}”，技术领域：{{ detail.field.name }}）"
        "经预审，审查员意见如下。请于 {{ deadline }} 前修改申请文件并答复；逾期未答复的，该预审案件视为撤回。\n\n"
        "{{ text }}",
    ),
    NoticeKind.QUALIFICATION: (
        "专利预审合格通知书",
        "{{ case.organization.name }}：\n\n"
        "你单位提交的预审案件（编号 {{ case.number }}，名称“{{ detail.title }}”）经预审合格。"
        "请于 {{ deadline }} 前通过专利业务办理系统向国家知识产权局提交申请，并在本平台登记国家知识产权局申请号；"
        "逾期未提交的，本合格意见失效。\n\n{{ text }}",
    ),
    NoticeKind.NOT_QUALIFIED: (
        "专利预审不合格通知书",
        "{{ case.organization.name }}：\n\n"
        "你单位提交的预审案件（编号 {{ case.number }}，名称“{{ detail.title }}”）经预审不合格，理由如下：\n\n"
        "{{ text }}\n\n你单位可按普通程序向国家知识产权局提交申请。",
    ),
    NoticeKind.FILING_APPROVAL: (
        "专利预审备案通知书",
        "{{ case.organization.name }}：\n\n你单位的预审备案申请（编号 {{ case.number }}）已通过，"
        "备案技术领域：{{ text }}，有效期至 {{ deadline }}。",
    ),
}


def template_for(kind: str) -> NoticeTemplate:
    """The center's template for a letter, created from the default wording the first time."""
    found = NoticeTemplate.objects.filter(kind=kind).first()
    if found is None:
        title, body = DEFAULT_TEMPLATES[kind]
        found, _created = NoticeTemplate.objects.get_or_create(kind=kind, defaults={"title": title, "body": body})
    return found


def font_path() -> tuple[Path, int] | None:
    configured = getattr(settings, "ZHIBAO_PDF_FONT", "")
    if configured:
        path, _sep, index = configured.partition("#")
        return (Path(path), int(index or 0)) if Path(path).is_file() else None
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return Path(path), index
    return None


def _render(source: str, context: dict) -> str:
    # Plain text out: the PDF is not HTML, so nothing is escaped (and nothing can inject markup).
    return Template("{% autoescape off %}" + source + "{% endautoescape %}").render(Context(context)).strip()


def letter_pdf(*, kind: str, context: dict) -> bytes:
    """The letter as PDF bytes, with the Chinese font embedded."""
    from fpdf import FPDF

    found = font_path()
    if found is None:
        raise WorkflowError("no_font", _(
            "No Chinese font for PDF letters on this server: install fonts-noto-cjk or set ZHIBAO_PDF_FONT."),
            status=503)
    template = template_for(kind)
    config = context.get("config") or PreExamConfig.current()
    context = {"config": config, **context}
    try:
        title, body = _render(template.title, context), _render(template.body, context)
    except Exception as exc:  # noqa: BLE001 — a template saved before its check, or broken by a deploy
        raise WorkflowError("bad_template", _(
            "The letter template “%(letter)s” cannot be filled in (%(error)s); correct it under the "
            "pre-examination settings.") % {"letter": template.get_kind_display(), "error": exc}, status=503)
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(config.center_name)
    pdf.set_creator("zhibao")
    pdf.set_auto_page_break(auto=True, margin=20)
    path, index = found
    options = {"collection_font_number": index} if path.suffix.lower() == ".ttc" else {}
    pdf.add_font("cjk", fname=str(path), **options)
    pdf.add_page()
    pdf.set_margins(22, 20, 22)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, config.center_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    case = context.get("case")
    if case is not None:
        pdf.cell(0, 6, f"{_('Case number')}：{case.number}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    for paragraph in body.split("\n"):
        pdf.multi_cell(0, 7.5, paragraph if paragraph.strip() else " ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    issued = context.get("issued_on") or timezone.localdate()
    pdf.cell(0, 8, config.center_name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"{issued.year}年{issued.month}月{issued.day}日", align="R", new_x="LMARGIN", new_y="NEXT")
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()


def letter_issue(*, detail, kind: str, actor, text: str = "", deadline: dt.date | None = None,
                 items: list[str] | None = None):
    """Make the letter for a case and keep it on the case (kind pe_letter); returns the Attachment."""
    case = detail.case
    content = letter_pdf(kind=kind, context={
        "case": case, "detail": detail, "text": text, "items": items or [],
        "deadline": deadline.isoformat() if deadline else "", "issued_on": timezone.localdate(),
    })
    name = f"{case.number}-{NoticeKind(kind).label}-{timezone.localtime():%Y%m%d%H%M%S}.pdf"
    return attachment_store_generated(case=case, kind="pe_letter", name=name, content=content,
                                      content_type="application/pdf", user=actor)
