"""The staff side of the pre-examination channel: the examiner's worklist by field, the field
lead's board, the overdue list, the case page's panels and the steps that need a payload.

Personas (conftest): `examiner` serves new_materials and new_energy, `examiner2` new_materials,
`field_lead` leads every field; here `biologist` examines biology only, `leader` is the
center's leader (reads every field), alice applies, bob is a stranger.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from zhibao.conftest import login, make_user
from zhibao.core.choices import Role
from zhibao.core.services.cases import case_transition
from zhibao.patents.models import Patent
from zhibao.pre_exam import suggest
from zhibao.pre_exam.choices import NoticeStage, NoticeStatus, PreExamState
from zhibao.pre_exam.models import Opinion, PreExamCase
from zhibao.pre_exam.selectors import overdue_cases, worklist_cases

pytestmark = pytest.mark.django_db
S = PreExamState
SECOND_TITLE = "一种稀土永磁体的晶界扩散装置"




@pytest.fixture
def biologist(fields):
    user = make_user("biologist", [Role.EXAMINER])
    fields["biology"].examiners.add(user)
    return user


def step_url(detail, name):
    return reverse("pre_exam:case_step", args=[detail.case.number, name])


def opinion_url(detail):
    return reverse("pre_exam:opinion_save", args=[detail.case.number])


def fresh(detail) -> PreExamCase:
    return PreExamCase.objects.select_related("case").get(pk=detail.pk)


def passed(detail, actor, **payload):
    return case_transition(detail=detail, name="pass_formal_check", actor=actor, payload=payload)


def examining(detail, examiner):
    """The case passed the formal check (given to `examiner`) and in pre-examination."""
    detail = passed(detail, examiner)
    assert detail.case.assignee_id == examiner.pk
    return case_transition(detail=detail, name="start_examination", actor=examiner)


# --- the worklist --------------------------------------------------------------------------------

def test_the_worklist_shows_the_case_to_an_examiner_of_its_field(examiner, alice_pe):
    response = login(examiner).get(reverse("pre_exam:worklist"))
    assert response.status_code == 200
    assert alice_pe.case.number in response.content.decode()


def test_an_examiner_of_another_field_does_not_see_it(biologist, alice_pe):
    response = login(biologist).get(reverse("pre_exam:worklist"))
    assert response.status_code == 200
    assert alice_pe.case.number not in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "bob", "clerk"])
def test_applicants_and_clerks_get_403(request, persona, alice_pe):
    user = request.getfixturevalue(persona)
    assert login(user).get(reverse("pre_exam:worklist")).status_code == 403
    assert login(user).get(reverse("pre_exam:overdue")).status_code == 403
    assert login(user).get(reverse("pre_exam:board")).status_code == 403


def test_the_worklist_filters_and_answers_htmx_with_the_table_only(examiner, examiner2, alice, alice_filed,
                                                                     submit_case, alice_pe):
    other = submit_case(alice, alice_filed, title=SECOND_TITLE)
    passed(other, examiner2, examiner="")  # automatic: examiner has nothing yet, lowest pk
    client = login(examiner)
    url = reverse("pre_exam:worklist")
    mine = client.get(url, {"scope": "mine"}).content.decode()
    assert fresh(other).case.number in mine and alice_pe.case.number not in mine
    unassigned = client.get(url, {"scope": "unassigned"}).content.decode()
    assert alice_pe.case.number in unassigned and fresh(other).case.number not in unassigned
    by_state = client.get(url, {"state": S.SUBMITTED, "field": "new_materials"}).content.decode()
    assert alice_pe.case.number in by_state and fresh(other).case.number not in by_state
    fragment = client.get(url, {"field": "new_materials"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="pe-worklist"' in fragment and "<html" not in fragment
    outside = client.get(url, {"field": "biology"}).content.decode()  # not one of the examiner's fields
    assert "alert-warning" in outside and alice_pe.case.number not in outside


def test_the_worklist_puts_overdue_cases_first(examiner, alice, alice_filed, submit_case, alice_pe):
    later = submit_case(alice, alice_filed, title=SECOND_TITLE)
    alice_pe.case.__class__.objects.filter(pk=later.case.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    rows = list(worklist_cases(examiner))
    assert [r.pk for r in rows][:2] == [later.pk, alice_pe.pk]
    html = login(examiner).get(reverse("pre_exam:worklist")).content.decode()
    assert html.index(fresh(later).case.number) < html.index(alice_pe.case.number)
    assert "table-danger" in html


def test_a_leader_sees_every_field(leader, alice_pe):
    assert alice_pe.case.number in login(leader).get(reverse("pre_exam:worklist")).content.decode()


# --- the formal check ----------------------------------------------------------------------------

def test_passing_the_formal_check_gives_the_case_to_the_least_loaded_examiner(
        examiner, examiner2, field_lead, alice, alice_filed, submit_case, alice_pe):
    first = login(examiner).post(step_url(alice_pe, "pass_formal_check"))
    assert first.status_code == 302 and first["Location"] == alice_pe.case.get_absolute_url()
    assert fresh(alice_pe).case.assignee == examiner  # all at 0: the longest-waiting (first) examiner
    second = submit_case(alice, alice_filed, title=SECOND_TITLE)
    login(examiner).post(step_url(second, "pass_formal_check"))
    second = fresh(second)
    assert second.state == S.ASSIGNED
    assert second.case.assignee == examiner2  # examiner has one case on the desk now
    assert second.formal_check["passed"] is True


def test_only_the_lead_chooses_the_examiner_when_passing(examiner, examiner2, field_lead, alice_pe):
    response = login(examiner).post(step_url(alice_pe, "pass_formal_check"), {"examiner": examiner2.pk}, follow=True)
    assert fresh(alice_pe).state == S.SUBMITTED
    assert "alert-danger" in response.content.decode()
    login(field_lead).post(step_url(alice_pe, "pass_formal_check"), {"examiner": examiner2.pk})
    assert fresh(alice_pe).case.assignee == examiner2


def test_a_failed_check_sends_a_correction_notice_with_a_pdf_letter(examiner, alice_pe):
    response = login(examiner).post(step_url(alice_pe, "fail_formal_check"), {
        "failed": ["claims_numbered", "title_consistent"], "comment": "权利要求编号不连续，请重新编号。"})
    assert response.status_code == 302
    detail = fresh(alice_pe)
    assert detail.state == S.FORMAL_CORRECTION
    notice = detail.notices.get()
    assert notice.stage == NoticeStage.FORMAL and notice.status == NoticeStatus.OPEN
    assert len(notice.items) == 2
    assert notice.letter.content_type == "application/pdf"
    assert Path(notice.letter.file.path).read_bytes().startswith(b"%PDF")
    assert detail.formal_check["items"]["claims_numbered"] is False


def test_failing_without_a_comment_is_refused_with_the_reason(examiner, alice_pe):
    response = login(examiner).post(step_url(alice_pe, "fail_formal_check"), {"failed": ["claims_numbered"]},
                                    follow=True)
    assert response.status_code == 200
    assert fresh(alice_pe).state == S.SUBMITTED
    assert 'alert-danger' in response.content.decode()


def test_passing_with_a_failed_item_is_refused(examiner, alice_pe):
    login(examiner).post(step_url(alice_pe, "pass_formal_check"), {"failed": ["claims_numbered"]})
    assert fresh(alice_pe).state == S.SUBMITTED


# --- reassignment and the board ------------------------------------------------------------------

def test_the_lead_reassigns_from_the_board(examiner, examiner2, field_lead, alice_pe):
    passed(alice_pe, examiner)
    board = reverse("pre_exam:board")
    page = login(field_lead).get(board)
    assert page.status_code == 200
    html = page.content.decode()
    assert alice_pe.case.number in html and 'class="d-flex gap-1 mt-1 pe-reassign"' in html
    response = login(field_lead).post(step_url(alice_pe, "reassign"), {"examiner": examiner2.pk, "next": board})
    assert response.status_code == 302 and response["Location"] == board
    detail = fresh(alice_pe)
    assert detail.case.assignee == examiner2
    assert detail.case.events.filter(transition="reassign").exists()


def test_an_examiner_who_is_not_the_lead_cannot_reassign(examiner, examiner2, alice_pe):
    passed(alice_pe, examiner)
    response = login(examiner2).post(step_url(alice_pe, "reassign"), {"examiner": examiner2.pk})
    assert response.status_code == 403
    assert fresh(alice_pe).case.assignee == examiner


def test_the_board_is_for_leads_and_leaders(examiner, field_lead, leader, alice_pe):
    assert login(examiner).get(reverse("pre_exam:board")).status_code == 403
    lead_page = login(field_lead).get(reverse("pre_exam:board")).content.decode()
    assert 'id="pe-board-new_materials"' in lead_page and alice_pe.case.number in lead_page
    leader_page = login(leader).get(reverse("pre_exam:board"))
    assert leader_page.status_code == 200
    html = leader_page.content.decode()
    assert 'id="pe-board-biology"' in html and "pe-reassign" not in html  # read-only


def test_the_board_shows_each_examiners_workload(examiner, field_lead, alice_pe):
    passed(alice_pe, examiner)
    html = login(field_lead).get(reverse("pre_exam:board")).content.decode()
    block = html[html.index(f'data-examiner="{examiner.pk}"'):]
    assert alice_pe.case.number in block[:block.index("</div></div>")]


# --- opinions and the decision -------------------------------------------------------------------

def test_the_assigned_examiner_saves_draft_versions(examiner, examiner2, alice_pe):
    detail = examining(alice_pe, examiner)
    client = login(examiner)
    client.post(opinion_url(detail), {"comment": "权利要求1缺少必要技术特征。"})
    client.post(opinion_url(detail), {"comment": "权利要求1缺少必要技术特征；说明书第3段不清楚。"})
    client.post(opinion_url(detail), {"comment": "权利要求1缺少必要技术特征；说明书第3段不清楚。"})  # unchanged
    drafts = list(detail.opinions.order_by("version"))
    assert [(o.version, o.kind) for o in drafts] == [(1, ""), (2, "")]
    fragment = client.post(opinion_url(detail), {"comment": "第三稿"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'id="pe-opinion"' in html and "<html" not in html and "第三稿" in html
    assert login(examiner2).post(opinion_url(detail), {"comment": "不是我的案件"}).status_code == 403
    assert detail.opinions.count() == 3


def test_no_draft_before_the_examination_starts(examiner, alice_pe):
    passed(alice_pe, examiner)
    response = login(examiner).post(opinion_url(alice_pe), {"comment": "太早了"}, follow=True)
    assert response.status_code == 200
    assert not Opinion.objects.exists()


def test_qualify_sends_the_latest_draft_with_a_letter(examiner, alice_pe):
    detail = examining(alice_pe, examiner)
    client = login(examiner)
    client.post(opinion_url(detail), {"comment": "申请文件符合预审要求。"})
    response = client.post(step_url(detail, "qualify"), {"comment": ""})
    assert response.status_code == 302
    detail = fresh(detail)
    assert detail.state == S.QUALIFIED and detail.qualified_on == timezone.localdate()
    sent = detail.opinions.order_by("-version").first()
    assert sent.kind == "qualification" and sent.text == "申请文件符合预审要求。" and sent.letter is not None


def test_request_correction_with_the_opinion_text(examiner, alice_pe):
    detail = examining(alice_pe, examiner)
    login(examiner).post(step_url(detail, "request_correction"), {"comment": "请修改权利要求2。"})
    detail = fresh(detail)
    assert detail.state == S.CORRECTION
    assert detail.notices.get().stage == NoticeStage.EXAMINATION


def test_another_examiner_cannot_qualify(examiner, examiner2, alice_pe):
    detail = examining(alice_pe, examiner)
    assert login(examiner2).post(step_url(detail, "qualify"), {"comment": "合格"}).status_code == 403
    assert fresh(detail).state == S.EXAMINING


def test_the_grant_is_recorded_with_its_date(examiner, alice, alice_pe):
    detail = examining(alice_pe, examiner)
    detail = case_transition(detail=detail, name="qualify", actor=examiner, comment="合格")
    detail = case_transition(detail=detail, name="record_filing", actor=alice,
                             payload={"cnipa_application_number": "202410001234.1"})
    page = login(examiner).get(detail.case.get_absolute_url()).content.decode()
    assert 'id="pe-decision"' in page
    today = timezone.localdate().isoformat()
    login(examiner).post(step_url(detail, "record_grant"), {"granted_on": today})
    detail = fresh(detail)
    assert detail.state == S.GRANTED and detail.granted_on.isoformat() == today


def test_an_unknown_step_is_404(examiner, alice_pe):
    assert login(examiner).post(step_url(alice_pe, "start_examination")).status_code == 404


# --- the case page -------------------------------------------------------------------------------

@pytest.fixture
def corpus(settings, tmp_path):
    """A small classified corpus, so intake can suggest a classification."""
    settings.VAR_DIR = tmp_path
    suggest._cache.clear()
    titles = [
        ("一种锂离子电池正极材料及其制备方法", "H01M 4/36"), ("锂电池电解液及锂离子电池", "H01M 10/0525"),
        ("一种固态电池隔膜", "H01M 50/40"), ("动力电池负极材料的制备方法", "H01M 4/58"),
        ("一种钕铁硼永磁材料", "H01F 1/057"), ("稀土永磁体的制备方法", "H01F 41/02"),
        ("高矫顽力烧结钕铁硼磁体", "H01F 1/057"), ("一种永磁材料的晶界扩散方法", "H01F 41/02"),
    ]
    for i, (title, ipc) in enumerate(titles):
        Patent.objects.create(publication_number=f"CN11{i:07d}A", application_number=f"CN2021100{i:05d}.1",
                              patent_type="invention", title=title, abstract=title, ipc_codes=[ipc], ipc_main=ipc)
    # The retrain job's work (requests only load the saved model).
    assert suggest.suggester_for_corpus() is not None
    yield
    suggest._cache.clear()


def test_the_examiner_sees_the_suggestion_and_a_warning_when_the_field_differs(corpus, examiner, alice, alice_filed,
                                                                               submit_case):
    # A battery title declared as new materials (its IPC H01F lies there): the model says new energy.
    detail = submit_case(alice, alice_filed, title="一种锂离子电池正极材料", abstract="锂离子电池正极材料及电解液。")
    assert detail.suggestion["field"] == "new_energy"
    html = login(examiner).get(detail.case.get_absolute_url()).content.decode()
    assert 'id="pe-suggestion"' in html and "H01M" in html and 'class="progress-bar' in html
    assert 'id="pe-field-differs"' in html
    assert 'id="pe-formal-check-form"' in html and 'data-step="pass_formal_check"' in html


def test_the_applicant_sees_the_case_without_the_suggestion(corpus, alice, alice_filed, submit_case):
    detail = submit_case(alice, alice_filed)
    assert detail.suggestion
    response = login(alice).get(detail.case.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="pe-particulars"' in html and 'id="pe-documents"' in html
    assert 'id="pe-suggestion"' not in html and 'id="pe-formal-check-form"' not in html
    assert "pre_exam:case_step" not in html and "/step/" not in html


def test_drafts_are_for_staff_and_sent_opinions_for_everyone(examiner, alice, alice_pe):
    detail = examining(alice_pe, examiner)
    login(examiner).post(opinion_url(detail), {"comment": "内部草稿：权利要求待核"})
    staff_page = login(examiner).get(detail.case.get_absolute_url()).content.decode()
    assert "内部草稿：权利要求待核" in staff_page and 'id="pe-opinion"' in staff_page
    assert "内部草稿：权利要求待核" not in login(alice).get(detail.case.get_absolute_url()).content.decode()
    login(examiner).post(step_url(detail, "request_correction"), {"comment": "请补充实施例。"})
    applicant_page = login(alice).get(detail.case.get_absolute_url()).content.decode()
    assert "请补充实施例。" in applicant_page and 'id="pe-notices"' in applicant_page


def test_documents_are_grouped_by_kind_with_inline_pdf(examiner, alice_pe):
    html = login(examiner).get(alice_pe.case.get_absolute_url()).content.decode()
    assert 'id="pe-doc-pe_claims"' in html and "?inline=1" in html
    claims = alice_pe.case.attachments.filter(kind="pe_claims").get()
    inline = login(examiner).get(reverse("core:attachment_download", args=[claims.pk]), {"inline": "1"})
    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert "sandbox" not in inline["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in inline["Content-Security-Policy"]
    download = login(examiner).get(reverse("core:attachment_download", args=[claims.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_inline_is_only_for_pdfs_and_keeps_the_permission_check(bob, examiner, alice_pe):
    from zhibao.core.attachments.services import attachment_add
    from zhibao.pre_exam.tests.conftest import docx_upload

    claims = alice_pe.case.attachments.filter(kind="pe_claims").get()
    assert login(bob).get(reverse("core:attachment_download", args=[claims.pk]), {"inline": "1"}).status_code == 404
    docx = attachment_add(case=alice_pe.case, kind="pe_description", uploaded_file=docx_upload("说明书.docx"),
                          user=alice_pe.case.applicant)
    response = login(examiner).get(reverse("core:attachment_download", args=[docx.pk]), {"inline": "1"})
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_new_version_is_listed_first_and_compared_side_by_side(examiner, alice, alice_pe):
    from zhibao.core.attachments.services import attachment_add
    from zhibao.pre_exam.tests.conftest import pdf_upload

    attachment_add(case=alice_pe.case, kind="pe_claims", uploaded_file=pdf_upload("权利要求书-修改稿.pdf"), user=alice)
    html = login(examiner).get(alice_pe.case.get_absolute_url()).content.decode()
    block = html[html.index('id="pe-doc-pe_claims"'):html.index('id="pe-doc-pe_abstract"')]
    assert block.index("权利要求书-修改稿.pdf") < block.index("pe_claims.pdf")
    assert 'id="pe-compare-pe_claims"' in block and block.count("<iframe") == 2


def test_the_lead_sees_the_examiner_choice_and_the_reassign_form(examiner, field_lead, alice_pe):
    html = login(field_lead).get(alice_pe.case.get_absolute_url()).content.decode()
    assert 'id="pe-pass-examiner"' in html
    assert 'id="pe-pass-examiner"' not in login(examiner).get(alice_pe.case.get_absolute_url()).content.decode()
    passed(alice_pe, examiner)
    assert 'id="pe-reassign"' in login(field_lead).get(alice_pe.case.get_absolute_url()).content.decode()
    assert 'id="pe-reassign"' not in login(examiner).get(alice_pe.case.get_absolute_url()).content.decode()


def test_a_stranger_gets_404_on_every_step(bob, alice_pe):
    client = login(bob)
    assert client.post(step_url(alice_pe, "pass_formal_check")).status_code == 404
    assert client.post(step_url(alice_pe, "reassign"), {"examiner": 1}).status_code == 404
    assert client.post(opinion_url(alice_pe), {"comment": "x"}).status_code == 404
    assert fresh(alice_pe).state == S.SUBMITTED


def test_the_applicant_cannot_take_staff_steps(alice, alice_pe):
    assert login(alice).post(step_url(alice_pe, "pass_formal_check")).status_code == 403
    assert fresh(alice_pe).state == S.SUBMITTED


# --- overdue --------------------------------------------------------------------------------------

def test_overdue_lists_cases_past_their_deadline_in_working_days(examiner, biologist, leader, alice_pe):
    from zhibao.core.models import Case
    from zhibao.core.workdays import working_days_between

    today = timezone.localdate()
    deadline = today - dt.timedelta(days=10)
    Case.objects.filter(pk=alice_pe.case.pk).update(deadline=deadline)
    rows = overdue_cases(examiner)
    assert [r.detail.pk for r in rows] == [alice_pe.pk]
    assert rows[0].days_overdue == working_days_between(deadline, today) > 0
    html = login(examiner).get(reverse("pre_exam:overdue")).content.decode()
    assert alice_pe.case.number in html and f'data-days="{rows[0].days_overdue}"' in html
    assert alice_pe.case.number not in login(biologist).get(reverse("pre_exam:overdue")).content.decode()
    assert alice_pe.case.number in login(leader).get(reverse("pre_exam:overdue")).content.decode()
