"""The center's letters as PDF: correction notices, opinion letters, qualification notices.

The wording is a NoticeTemplate the center edits (Django template language); the layout is
fixed here: the center's name, the letter's title, a block of case particulars, the body, the
date and the seal line. The Chinese font is embedded (a subset of the glyphs used), so the
letter prints the same on any machine without fonts of its own.
"""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.attachments.services import attachment_store_generated
from zhibao.core.pdf import FONT_CANDIDATES, font_path, font_required, simple_letter_pdf
from zhibao.core.services.cases import WorkflowError

from ..choices import NoticeKind
from ..models import NoticeTemplate, PreExamConfig

__all__ = ["FONT_CANDIDATES", "DEFAULT_TEMPLATES", "font_path", "letter_issue", "letter_pdf", "template_for"]

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


def _render(source: str, context: dict) -> str:
    # Plain text out: the PDF is not HTML, so nothing is escaped (and nothing can inject markup).
    return Template("{% autoescape off %}" + source + "{% endautoescape %}").render(Context(context)).strip()


def letter_pdf(*, kind: str, context: dict) -> bytes:
    """The letter as PDF bytes, with the Chinese font embedded (layout: core.pdf)."""
    font_required()  # refuse before filling the template: no font, no letter
    template = template_for(kind)
    config = context.get("config") or PreExamConfig.current()
    context = {"config": config, **context}
    try:
        title, body = _render(template.title, context), _render(template.body, context)
    except Exception as exc:  # noqa: BLE001 — a template saved before its check, or broken by a deploy
        raise WorkflowError("bad_template", _(
            "The letter template “%(letter)s” cannot be filled in (%(error)s); correct it under the "
            "pre-examination settings.") % {"letter": template.get_kind_display(), "error": exc}, status=503)
    case = context.get("case")
    return simple_letter_pdf(title=title, body=body, center_name=config.center_name,
                             case_number=case.number if case is not None else None,
                             issued_on=context.get("issued_on") or timezone.localdate())


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
