"""The center's letters: real PDFs with the Chinese font embedded, worded by templates the center
edits (a broken template is refused with the reason), and without a font the step is refused
whole — no notice, no letter, no event."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from zhibao.core.models import Attachment, CaseEvent
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.pre_exam.choices import NoticeKind
from zhibao.pre_exam.choices import PreExamState as S
from zhibao.pre_exam.models import CorrectionNotice, NoticeTemplate, Opinion, PreExamCase, PreExamConfig
from zhibao.pre_exam.services.letters import DEFAULT_TEMPLATES, font_path, letter_pdf, template_for

from .test_workflow import bring_to

pytestmark = pytest.mark.django_db
needs_font = pytest.mark.skipif(font_path() is None, reason="no CJK font on this machine (fonts-noto-cjk)")






def pdf_of(attachment) -> PdfReader:
    with attachment.file.open("rb") as fh:
        content = fh.read()
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def text_of(reader: PdfReader) -> str:
    # fpdf2 writes two-byte glyph codes under an embedded encoding CMap; pypdf reads its codes as
    # one byte each and yields a NUL before every character (viewers, which read the CMap's
    # code space, copy the text cleanly), so the NULs are dropped here.
    return "".join(page.extract_text() for page in reader.pages).replace("\x00", "")


def embedded_font_files(reader: PdfReader) -> list[str]:
    """The font-file keys of every font descriptor the pages use (FontFile2: TrueType, FontFile3: CFF)."""
    found = []
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descendants:
                descriptor = d.get("/FontDescriptor")
                if descriptor is not None:
                    found += [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor.get_object()]
    return found


@needs_font
def test_a_correction_notice_is_a_pdf_with_the_chinese_font_embedded(people, alice_pe):
    detail = case_transition(detail=alice_pe, name="fail_formal_check", actor=people["examiner"],
                             comment="请补交说明书附图。", payload={"failed": ["claims_numbered"]})
    letter = detail.open_notice.letter
    assert letter.kind == "pe_letter" and letter.content_type == "application/pdf"
    assert letter.original_name.startswith(detail.case.number) and letter.original_name.endswith(".pdf")
    reader = pdf_of(letter)
    assert set(embedded_font_files(reader)) & {"/FontFile2", "/FontFile3"}
    text = text_of(reader)
    for words in (detail.case.number, "形式审查补正通知书", "内蒙古自治区知识产权保护中心", "包头稀土新材料科技有限公司",
                  "请补交说明书附图", "权利要求书按阿拉伯数字顺序编号", detail.open_notice.reply_deadline.isoformat()):
        assert words in text, words
    assert reader.metadata.title == "形式审查补正通知书"


@needs_font
def test_qualification_and_refusal_letters(people, alice, alice_filed, submit_case):
    qualified = bring_to(S.QUALIFIED, submit_case(alice, alice_filed), people)
    opinion = qualified.opinions.get()
    text = text_of(pdf_of(opinion.letter))
    assert "专利预审合格通知书" in text and qualified.case.number in text and qualified.case.deadline.isoformat() in text
    refused = bring_to(S.NOT_QUALIFIED, submit_case(alice, alice_filed, title="一种稀土抛光粉"), people)
    text = text_of(pdf_of(refused.opinions.get().letter))
    assert "专利预审不合格通知书" in text and "不属于可授予专利权的主题" in text and "普通程序" in text


@needs_font
def test_an_opinion_letter_names_the_field(people, alice_pe):
    detail = bring_to(S.CORRECTION, alice_pe, people)
    text = text_of(pdf_of(detail.open_notice.letter))
    assert "专利预审意见通知书" in text and "新材料" in text and "权利要求1缺少必要技术特征" in text


@needs_font
def test_what_the_applicant_or_examiner_writes_is_text_not_template(people, alice_pe):
    detail = case_transition(detail=alice_pe, name="fail_formal_check", actor=people["examiner"],
                             comment="{{ config.center_name }} {% now 'Y' %} <b>粗体</b>")
    text = text_of(pdf_of(detail.open_notice.letter))
    assert "{{ config.center_name }}" in text and "{% now 'Y' %}" in text and "<b>粗体</b>" in text


@needs_font
def test_the_center_edits_the_wording(people, alice_pe):
    template = template_for(NoticeKind.FORMAL_CORRECTION)
    assert (template.title, template.body) == DEFAULT_TEMPLATES[NoticeKind.FORMAL_CORRECTION]
    template.title = "补正通知（修订版）"
    template.body = "{{ case.organization.name }}：案件 {{ case.number }} 请于 {{ deadline }} 前补正。特别提示：逾期视为撤回。\n{{ text }}"
    template.full_clean()
    template.save()
    config = PreExamConfig.current()
    config.center_name = "包头市知识产权保护中心"
    config.save()
    detail = case_transition(detail=alice_pe, name="fail_formal_check", actor=people["examiner"], comment="补交附图")
    text = text_of(pdf_of(detail.open_notice.letter))
    assert "补正通知（修订版）" in text and "特别提示：逾期视为撤回" in text and "包头市知识产权保护中心" in text
    assert "形式审查补正通知书" not in text and detail.case.number in text


@pytest.mark.parametrize(("field", "source"), [("body", "{% if %}缺少条件{% endif %}"),
                                               ("body", "{{ text|no_such_filter }}"),
                                               ("title", "{% for x in %}"),
                                               ("body", "{% load no_such_library %}"),
                                               ("body", "{% include \"no/such/letter.txt\" %}")])
def test_a_template_with_a_syntax_error_is_refused(field, source):
    template = NoticeTemplate(kind=NoticeKind.OPINION, title="意见通知书", body="{{ text }}")
    setattr(template, field, source)
    with pytest.raises(ValidationError) as err:
        template.full_clean()
    messages = err.value.message_dict[field]
    assert len(messages) == 1 and len(messages[0]) > 20  # the template engine's own explanation is in it
    assert NoticeTemplate.objects.filter(kind=NoticeKind.OPINION).count() == 0


@needs_font
def test_a_broken_template_already_saved_refuses_the_step_with_the_reason(people, alice_pe):
    """A template saved past its check (a data migration, the shell) refuses the step clearly."""
    NoticeTemplate.objects.create(kind=NoticeKind.FORMAL_CORRECTION, title="补正通知",
                                  body="{% include \"no/such/letter.txt\" %}")
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=alice_pe, name="fail_formal_check", actor=people["examiner"], comment="补正")
    assert err.value.code == "bad_template" and "no/such/letter.txt" in err.value.message
    assert PreExamCase.objects.get(pk=alice_pe.pk).state == S.SUBMITTED and not CorrectionNotice.objects.exists()


def test_without_a_font_the_step_is_refused_whole(people, alice_pe, settings, media_root):
    settings.ZHIBAO_PDF_FONT = str(Path(settings.MEDIA_ROOT).parent / "no-such-font.ttc")
    files = sorted(p for p in Path(media_root).rglob("*") if p.is_file())
    before = (CaseEvent.objects.count(), CorrectionNotice.objects.count(), Opinion.objects.count(),
              Attachment.objects.count())
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=alice_pe, name="fail_formal_check", actor=people["examiner"], comment="补正")
    assert err.value.code == "no_font" and err.value.status == 503 and "ZHIBAO_PDF_FONT" in err.value.message
    detail = PreExamCase.objects.get(pk=alice_pe.pk)
    assert detail.state == S.SUBMITTED and detail.formal_check == {}
    assert (CaseEvent.objects.count(), CorrectionNotice.objects.count(), Opinion.objects.count(),
            Attachment.objects.count()) == before
    assert sorted(p for p in Path(media_root).rglob("*") if p.is_file()) == files


def test_without_a_font_no_qualification_either(people, alice_pe, settings):
    detail = bring_to(S.EXAMINING, alice_pe, people)
    settings.ZHIBAO_PDF_FONT = "/nonexistent/font.otf"
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=detail, name="qualify", actor=people["examiner"])
    assert err.value.code == "no_font"
    detail = PreExamCase.objects.get(pk=detail.pk)
    assert detail.state == S.EXAMINING and detail.qualified_on is None and not detail.opinions.exists()
    # steps without a letter are not held up
    assert case_transition(detail=detail, name="reassign", actor=people["field_lead"],
                           payload={"examiner": people["examiner2"].pk}).state == S.EXAMINING


@needs_font
def test_the_configured_font_and_face(settings):
    path, index = font_path()
    settings.ZHIBAO_PDF_FONT = f"{path}#{index}"
    assert font_path() == (path, index)
    content = letter_pdf(kind=NoticeKind.FILING_APPROVAL, context={"text": "新材料、新能源", "deadline": "2028-12-31"})
    reader = PdfReader(io.BytesIO(content))
    assert "专利预审备案通知书" in text_of(reader) and "2028-12-31" in text_of(reader)
    assert embedded_font_files(reader)
