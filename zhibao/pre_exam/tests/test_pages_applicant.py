"""The applicant's pages of the pre-examination channel, as alice (an applicant whose
organization is filed), bob (another applicant) and the examiner see them."""

import uuid
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from zhibao.conftest import login, make_user
from zhibao.core.attachments.kinds import get_kind
from zhibao.core.models import Attachment, Case, CaseEvent
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.patents.choices import PatentType
from zhibao.patents.normalize import application_check_char
from zhibao.pre_exam.choices import ApplicationKind, DocumentKind, FilingState, NoticeStatus, PreExamState
from zhibao.pre_exam.models import Filing, PreExamCase, PriorityRequest, TechnicalField
from zhibao.pre_exam.services import workflow
from zhibao.pre_exam.services.filings import filing_submit
from zhibao.pre_exam.services.intake import pre_exam_submit
from zhibao.pre_exam.tests.conftest import SCOPE, documents, pdf_upload, verify

pytestmark = pytest.mark.django_db

TITLE = "一种高矫顽力钕铁硼永磁材料及其制备方法"
ABSTRACT = "本发明公开了一种高矫顽力钕铁硼永磁材料，通过晶界扩散镝提高矫顽力。"




def stored_files(root) -> set[Path]:
    return {p for p in Path(root).rglob("*") if p.is_file()}


def cn_number(digits: str = "202410001234") -> str:
    return f"{digits}.{application_check_char(digits)}"


def case_post(org, field, **overrides) -> dict:
    data = {
        "organization": org.pk, "patent_type": PatentType.INVENTION, "application_kind": ApplicationKind.ORDINARY,
        "title": TITLE, "abstract": ABSTRACT, "ipc_codes": "H01F 1/057; C22C 38/00", "field": field.pk,
        "agency": "包头专利事务所", "agent": "王律", "idempotency_key": uuid.uuid4().hex,
    }
    data.update({kind: files[0] for kind, files in documents(data["patent_type"]).items()})
    data.update(overrides)
    return data


def service_message(call) -> str:
    """The refusal a service gives, in the page's language (Chinese)."""
    with translation.override("zh-hans"), pytest.raises(WorkflowError) as exc:
        call()
    return exc.value.message


def stale_message(detail) -> str:
    with translation.override("zh-hans"):
        return translation.gettext("This action is not possible now: the case is “%(state)s”. Reload the page to "
                                   "see its current state.") % {"state": detail.case.status_label}


def formal_correction(detail, examiner):
    return case_transition(detail=detail, name="fail_formal_check", actor=examiner, comment="权利要求书编号不连续。",
                           payload={"failed": ["claims_numbered"]})


def qualified(detail, examiner):
    detail = case_transition(detail=detail, name="pass_formal_check", actor=examiner)
    assignee = detail.case.assignee
    detail = case_transition(detail=detail, name="start_examination", actor=assignee)
    return case_transition(detail=detail, name="qualify", actor=assignee)


# --- the pages render for their users ----------------------------------------------------------

def test_each_page_renders_for_the_applicant(alice, alice_filed):
    client = login(alice)
    for url, marker in (("/pre-exam/filing/new/", 'id="filing-form"'), ("/pre-exam/filings/", 'id="filings"'),
                        ("/pre-exam/cases/new/", 'id="case-form"'), ("/pre-exam/priority/new/", 'id="priority-form"')):
        page = client.get(url)
        assert page.status_code == 200, url
        assert marker in page.content.decode(), url


def test_pages_say_what_is_missing_without_an_organization_or_filing(alice, alice_org):
    client = login(alice)
    assert 'id="no-filing"' in client.get("/pre-exam/cases/new/").content.decode()  # not filed yet
    assert 'id="filing-form"' in client.get("/pre-exam/filing/new/").content.decode()  # alice owns it
    carol = make_user("carol")
    assert 'id="no-organization"' in login(carol).get("/pre-exam/filing/new/").content.decode()


def test_filing_list_shows_my_organizations_filings_only(alice, alice_filed, bob, bob_filed):
    page = login(alice).get("/pre-exam/filings/").content.decode()
    mine = Filing.objects.get(organization=alice_filed)
    theirs = Filing.objects.get(organization=bob_filed)
    assert mine.case.number in page and theirs.case.number not in page
    assert mine.valid_until.strftime("%Y-%m-%d") in page and "新材料" in page


# --- 预审备案 ------------------------------------------------------------------------------------

def filing_post(org, fields, **overrides) -> dict:
    data = {"organization": org.pk, "technical_fields": [fields["new_materials"].pk, fields["new_energy"].pk],
            "business_scope": SCOPE, "contact_name": "张工", "contact_phone": "0472-1234567",
            "licence": pdf_upload("营业执照.pdf"), "idempotency_key": uuid.uuid4().hex}
    data.update(overrides)
    return data


def test_filing_through_the_page_opens_a_pef_case(alice, alice_org, clerk, fields):
    verify(alice_org, alice, clerk)
    client = login(alice)
    r = client.post("/pre-exam/filing/new/", filing_post(alice_org, fields))
    filing = Filing.objects.get(organization=alice_org)
    assert r.status_code == 302 and r["Location"] == filing.case.get_absolute_url()
    assert filing.state == FilingState.SUBMITTED and filing.case.service == "PEF"
    assert set(filing.fields.values_list("code", flat=True)) == {"new_materials", "new_energy"}
    assert list(filing.case.attachments.values_list("kind", flat=True)) == ["licence"]

    # A resent POST (same key, same files) opens nothing new.
    again = client.post("/pre-exam/filing/new/", filing_post(alice_org, fields,
                                                             idempotency_key=r.wsgi_request.POST["idempotency_key"]))
    assert again.status_code == 302 and again["Location"] == r["Location"]
    assert Filing.objects.count() == 1 and filing.case.attachments.count() == 1

    # The case page shows the filing's particulars and the intake checks as badges.
    page = client.get(filing.case.get_absolute_url()).content.decode()
    assert 'id="filing-checks"' in page and 'data-check="in_region"' in page
    assert 'data-check="scope-new_materials"' in page and "text-bg-success" in page
    assert SCOPE in page


def test_a_filing_refusal_is_shown_on_the_form_and_stores_nothing(alice, alice_org, fields):
    # alice's organization is not verified: the service refuses with its reason.
    expected = service_message(lambda: filing_submit(
        user=alice, organization=alice_org, fields=[fields["new_materials"]], business_scope=SCOPE,
        contact_name="张工", contact_phone="1", licence=pdf_upload()))
    r = login(alice).post("/pre-exam/filing/new/", filing_post(alice_org, fields))
    assert r.status_code == 200
    page = r.content.decode()
    assert 'id="form-errors"' in page and expected in page
    assert not Case.objects.filter(service="PEF").exists() and not Attachment.objects.exists()


def test_a_business_scope_outside_the_fields_is_marked_on_its_field(alice, alice_org, clerk, fields):
    verify(alice_org, alice, clerk)
    r = login(alice).post("/pre-exam/filing/new/", filing_post(alice_org, fields, business_scope="餐饮服务"))
    assert r.status_code == 200
    page = r.content.decode()
    scope_input = page.split('name="business_scope"')[1].split(">")[0]
    assert "is-invalid" in scope_input and 'id="form-errors"' in page
    assert not Filing.objects.exists()


# --- 预审案件 ------------------------------------------------------------------------------------

def test_case_through_the_page_opens_a_pe_case_with_its_documents(alice, alice_filed, fields):
    client = login(alice)
    r = client.post("/pre-exam/cases/new/", case_post(alice_filed, fields["new_materials"]))
    detail = PreExamCase.objects.get()
    assert r.status_code == 302 and r["Location"] == detail.case.get_absolute_url()
    assert detail.state == PreExamState.SUBMITTED and detail.ipc_codes == ["H01F1/057", "C22C38/00"]
    assert (detail.agency, detail.agent) == ("包头专利事务所", "王律")
    kinds = sorted(detail.case.attachments.values_list("kind", flat=True))
    assert kinds == sorted(k.value for k in (DocumentKind.REQUEST_FORM, DocumentKind.DESCRIPTION,
                                             DocumentKind.CLAIMS, DocumentKind.ABSTRACT))


def test_pct_application_is_refused_with_its_reason(alice, alice_filed, fields):
    expected = service_message(lambda: pre_exam_submit(
        user=alice, organization=alice_filed, patent_type=PatentType.INVENTION, title=TITLE, abstract=ABSTRACT,
        ipc_codes="H01F 1/057", field=fields["new_materials"], documents={},
        application_kind=ApplicationKind.PCT_NATIONAL))
    r = login(alice).post("/pre-exam/cases/new/", case_post(alice_filed, fields["new_materials"],
                                                            application_kind=ApplicationKind.PCT_NATIONAL))
    assert r.status_code == 200
    page = r.content.decode()
    assert expected in page and 'id="form-errors"' in page
    assert f'value="{TITLE}"' in page  # what alice typed is kept
    assert not PreExamCase.objects.exists() and not Attachment.objects.filter(case__service="PE").exists()


def test_missing_documents_are_marked_on_their_inputs(alice, alice_filed, fields):
    data = case_post(alice_filed, fields["new_materials"], patent_type=PatentType.UTILITY_MODEL)
    data.pop(DocumentKind.DRAWINGS.value, None)
    r = login(alice).post("/pre-exam/cases/new/", data)
    assert r.status_code == 200 and not PreExamCase.objects.exists()
    page = r.content.decode()
    drawings = page.split('data-document="pe_drawings"')[1].split("</div>\n      </div>")[0]
    assert "invalid-feedback" in drawings


def test_a_retried_post_with_the_same_key_creates_one_case(alice, alice_filed, fields):
    client = login(alice)
    key = uuid.uuid4().hex
    first = client.post("/pre-exam/cases/new/", case_post(alice_filed, fields["new_materials"], idempotency_key=key))
    again = client.post("/pre-exam/cases/new/", case_post(alice_filed, fields["new_materials"], idempotency_key=key))
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert PreExamCase.objects.count() == 1
    assert Attachment.objects.filter(kind=DocumentKind.CLAIMS).count() == 1


def test_the_documents_part_marks_what_the_patent_type_requires(alice, alice_filed):
    client = login(alice)
    page = client.get("/pre-exam/cases/new/", {"part": "documents", "patent_type": PatentType.UTILITY_MODEL},
                      HTTP_HX_REQUEST="true").content.decode()
    assert 'id="required-pe_drawings" hx-swap-oob="true"' in page
    assert page.split('id="required-pe_drawings"')[1].split(">")[0].endswith('data-required="1"')
    design = client.get("/pre-exam/cases/new/", {"part": "documents", "patent_type": PatentType.DESIGN}).content.decode()
    assert design.split('id="required-pe_claims"')[1].split(">")[0].endswith('data-required="0"')
    # The full page marks the invention's documents from the start.
    full = client.get("/pre-exam/cases/new/").content.decode()
    assert full.split('id="required-pe_claims"')[1].split(">")[0].endswith('data-required="1"')
    assert full.split('id="required-pe_drawings"')[1].split(">")[0].endswith('data-required="0"')


def test_the_suggestion_part_shows_the_model_s_answer(alice, alice_filed, monkeypatch):
    client = login(alice)
    empty = client.post("/pre-exam/cases/new/", {"part": "suggestion", "title": TITLE, "abstract": ABSTRACT},
                        HTTP_HX_REQUEST="true")
    assert empty.status_code == 200 and 'role="status"' in empty.content.decode()  # empty corpus: no model
    assert not PreExamCase.objects.exists()
    monkeypatch.setattr("zhibao.pre_exam.views.applicant.suggestion_for", lambda title, abstract: {
        "subclasses": [["H01F", 0.81], ["C22C", 0.1]], "field": "new_materials", "field_name": "新材料",
        "field_confidence": 0.91, "trained_on": 1200})
    page = client.post("/pre-exam/cases/new/", {"part": "suggestion", "title": TITLE, "abstract": ABSTRACT},
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'data-field="new_materials"' in page and "H01F 81%" in page and "91%" in page


# --- 优先审查 ------------------------------------------------------------------------------------

def test_priority_request_through_the_page(alice, alice_filed, fields):
    client = login(alice)
    form = client.get("/pre-exam/priority/new/").content.decode()
    assert "60" in form  # the field's quota left this year is shown beside it
    r = client.post("/pre-exam/priority/new/", {
        "organization": alice_filed.pk, "application_number": cn_number(), "title": TITLE,
        "field": fields["new_materials"].pk, "ground": "key_industry", "ground_detail": "稀土永磁属于自治区重点产业。",
        "search_report": pdf_upload("检索报告.pdf"), "idempotency_key": uuid.uuid4().hex,
    })
    request = PriorityRequest.objects.get()
    assert r.status_code == 302 and r["Location"] == request.case.get_absolute_url()
    assert request.application_number == f"CN{cn_number()}"
    assert list(request.case.attachments.values_list("kind", flat=True)) == ["pe_search_report"]
    page = client.get(request.case.get_absolute_url()).content.decode()
    assert 'id="priority-particulars"' in page and request.application_number in page
    quota = client.get(f"/pre-exam/priority/{request.case.number}/quota/", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="priority-quota"' in quota and "60" in quota


def test_priority_request_without_report_is_refused_on_its_field(alice, alice_filed, fields):
    r = login(alice).post("/pre-exam/priority/new/", {
        "organization": alice_filed.pk, "application_number": cn_number(), "field": fields["new_materials"].pk,
        "ground": "key_industry", "ground_detail": "重点产业", "idempotency_key": uuid.uuid4().hex,
    })
    assert r.status_code == 200 and not PriorityRequest.objects.exists()
    assert 'id="form-errors"' in r.content.decode()


# --- the applicant's steps on a case --------------------------------------------------------------

def test_a_stranger_gets_404_on_the_case_endpoints(alice_pe, bob, bob_filed):
    client = login(bob)
    number = alice_pe.case.number
    assert client.post(f"/pre-exam/cases/{number}/reply/", {"text": "x"}).status_code == 404
    assert client.post(f"/pre-exam/cases/{number}/cnipa/", {"cnipa_application_number": cn_number()}).status_code == 404
    assert client.post("/pre-exam/cases/PE-2000-000001/reply/", {"text": "x"}).status_code == 404


def test_staff_may_not_reply_for_the_applicant(alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    r = login(examiner).post(f"/pre-exam/cases/{detail.case.number}/reply/", {"text": "代为答复"})
    assert r.status_code == 403
    detail.refresh_from_db()
    assert detail.state == PreExamState.FORMAL_CORRECTION


def test_reply_with_a_revised_document_keeps_both_versions(alice, alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    r = login(alice).post(f"/pre-exam/cases/{detail.case.number}/reply/",
                          {"text": "已按要求重新编号权利要求。", "pe_claims": pdf_upload("权利要求书-修改.pdf")})
    assert r.status_code == 302 and r["Location"] == detail.case.get_absolute_url()
    detail.refresh_from_db()
    assert detail.state == PreExamState.SUBMITTED
    versions = list(Attachment.objects.filter(case=detail.case, kind=DocumentKind.CLAIMS).order_by("created_at")
                    .values_list("original_name", flat=True))
    assert versions == ["pe_claims.pdf", "权利要求书-修改.pdf"]
    notice = detail.notices.get()
    assert notice.status == NoticeStatus.REPLIED and notice.reply_text == "已按要求重新编号权利要求。"
    event = CaseEvent.objects.filter(case=detail.case, transition="reply").get()
    assert [a["name"] for a in event.payload["attachments"]] == ["权利要求书-修改.pdf"]


def test_reply_htmx_success_redirects_the_browser(alice, alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    r = login(alice).post(f"/pre-exam/cases/{detail.case.number}/reply/", {"text": "已修改。"},
                          HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"] == detail.case.get_absolute_url()


def test_reply_refused_stores_no_attachment(alice, alice_pe, media_root):
    # No correction notice is open: the case awaits its formal check.
    before, files = Attachment.objects.count(), stored_files(media_root)
    client = login(alice)
    url = f"/pre-exam/cases/{alice_pe.case.number}/reply/"
    r = client.post(url, {"text": "答复", "pe_claims": pdf_upload("claims-v2.pdf")})
    assert r.status_code == 302  # back to the case page, with the reason as a message
    htmx = client.post(url, {"text": "答复", "pe_claims": pdf_upload("claims-v2.pdf")}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == alice_pe.case.get_absolute_url()  # a stale page: reload
    assert [m.message for m in get_messages(htmx.wsgi_request)] == [stale_message(alice_pe)] * 2
    assert Attachment.objects.count() == before and stored_files(media_root) == files
    alice_pe.refresh_from_db()
    assert alice_pe.state == PreExamState.SUBMITTED


def test_reply_refused_by_the_step_rolls_its_uploads_back(alice, alice_pe, examiner, media_root, monkeypatch):
    detail = formal_correction(alice_pe, examiner)
    before, files = Attachment.objects.count(), stored_files(media_root)

    def refuse(*args, **kwargs):
        raise WorkflowError("refused", "答复被拒绝", fields={"comment": ["太短"]}, status=400)

    monkeypatch.setattr(workflow, "on_reply", refuse)
    r = login(alice).post(f"/pre-exam/cases/{detail.case.number}/reply/",
                          {"text": "答复", "pe_claims": pdf_upload("claims-v2.pdf"), "pe_description": pdf_upload()},
                          HTTP_HX_REQUEST="true")
    page = r.content.decode()
    assert r.status_code == 200 and "答复被拒绝" in page and "太短" in page
    assert Attachment.objects.count() == before and stored_files(media_root) == files
    detail.refresh_from_db()
    assert detail.state == PreExamState.FORMAL_CORRECTION


def test_reply_needs_its_text(alice, alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    r = login(alice).post(f"/pre-exam/cases/{detail.case.number}/reply/", {"text": ""}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="reply-text"' in r.content.decode() and "is-invalid" in r.content.decode()
    detail.refresh_from_db()
    assert detail.state == PreExamState.FORMAL_CORRECTION


def test_record_the_cnipa_filing_of_a_qualified_case(alice, alice_pe, examiner):
    detail = qualified(alice_pe, examiner)
    client = login(alice)
    url = f"/pre-exam/cases/{detail.case.number}/cnipa/"
    bad = client.post(url, {"cnipa_application_number": "202420001234.5"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and 'id="record-filing-errors"' in bad.content.decode()
    today = timezone.localdate().isoformat()
    r = client.post(url, {"cnipa_application_number": cn_number(), "cnipa_filed_on": today})
    assert r.status_code == 302
    detail.refresh_from_db()
    assert detail.state == PreExamState.FILED
    assert (detail.cnipa_application_number, detail.cnipa_filed_on.isoformat()) == (f"CN{cn_number()}", today)
    # Done once: a second post is past the step.
    again = client.post(url, {"cnipa_application_number": cn_number()}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and again["HX-Redirect"] == detail.case.get_absolute_url()


def test_record_filing_is_refused_before_qualification(alice, alice_pe):
    r = login(alice).post(f"/pre-exam/cases/{alice_pe.case.number}/cnipa/", {"cnipa_application_number": cn_number()})
    assert r.status_code == 302
    alice_pe.refresh_from_db()
    assert alice_pe.state == PreExamState.SUBMITTED and not alice_pe.cnipa_application_number


# --- the panel included in the PE case page --------------------------------------------------------

def panel(detail, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    from zhibao.core.attachments.selectors import attachments_for

    return render_to_string("pre_exam/_applicant_panel.html", {
        "case": detail.case, "detail": detail, "user": user, "transitions": available_transitions(detail, user),
        "attachments": attachments_for(detail.case, user),
    }, request=request)


def test_the_panel_shows_the_open_notice_its_letter_and_the_reply_form(alice, alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    html = panel(detail, alice)
    notice = detail.notices.get()
    assert 'id="open-notice"' in html and "权利要求书编号不连续。" in html
    assert f"/attachments/{notice.letter.pk}/" in html and 'id="pe-letters"' in html
    assert 'id="reply-form"' in html and f"/pre-exam/cases/{detail.case.number}/reply/" in html
    assert 'id="record-filing-form"' not in html
    # One input per document kind, accepting what the kind accepts (the template names them).
    for kind in DocumentKind:
        assert f'name="{kind.value}" id="reply-{kind.value}" accept="{get_kind(kind.value).accept}"' in html


def test_the_panel_offers_the_cnipa_form_once_qualified(alice, alice_pe, examiner):
    detail = qualified(alice_pe, examiner)
    html = panel(detail, alice)
    assert 'id="record-filing-form"' in html and 'id="reply-form"' not in html and 'id="open-notice"' not in html


def test_the_portal_case_page_includes_the_panel_for_the_applicant(alice, alice_pe, examiner):
    detail = formal_correction(alice_pe, examiner)
    page = login(alice).get(detail.case.get_absolute_url()).content.decode()
    assert 'id="pe-applicant-panel"' in page and 'id="reply-form"' in page
    staff = login(examiner).get(detail.case.get_absolute_url()).content.decode()
    assert 'id="pe-applicant-panel"' not in staff


# --- in a real browser: the wizard's HTMX parts and the reply ------------------------------------

@pytest.mark.browser
def test_wizard_and_reply_in_a_browser(seeded, live_server, browser, alice, alice_filed, examiner, settings, tmp_path):
    from django.test import Client

    client = Client()
    client.force_login(alice)
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    page.goto(live_server.url + "/pre-exam/cases/new/")
    assert page.get_attribute("#required-pe_drawings", "data-required") == "0"
    page.select_option("#id_patent_type", PatentType.UTILITY_MODEL)  # htmx redraws the marks, files kept
    page.wait_for_selector('#required-pe_drawings[data-required="1"]')
    page.fill("#id_title", TITLE)
    page.fill("#id_abstract", ABSTRACT)
    page.click("#ask-suggestion")
    page.wait_for_selector("#ipc-suggestion [role=status]")
    page.fill("#id_ipc_codes", "H01F 1/057")
    page.select_option("#id_field", str(TechnicalField.objects.get(code="new_materials").pk))
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(pdf_upload().read())
    for kind in DocumentKind:
        page.set_input_files(f"#id_{kind.value}", str(pdf))
    page.screenshot(path=shots / "pre_exam_case_new.png", full_page=True)
    page.click("#submit-case")
    page.wait_for_load_state("load")
    detail = PreExamCase.objects.get()
    assert page.url.endswith(detail.case.get_absolute_url())

    formal_correction(detail, examiner)
    page.goto(live_server.url + detail.case.get_absolute_url())
    page.fill("#reply-text", "已按要求重新编号权利要求。")
    page.set_input_files("#reply-pe_claims", str(pdf))
    page.screenshot(path=shots / "pre_exam_reply.png", full_page=True)
    page.click("#submit-reply")  # htmx posts it; the answer sends the browser to the case page again
    page.wait_for_selector("#reply-form", state="detached")
    detail.refresh_from_db()
    assert detail.state == PreExamState.SUBMITTED
    assert Attachment.objects.filter(case=detail.case, kind=DocumentKind.CLAIMS).count() == 2
    assert not problems, problems
