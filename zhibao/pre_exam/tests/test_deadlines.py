"""Deadlines in working days (China's holidays and make-up days, chinese-calendar) per stage and
patent type, configurable; and the sweep that enforces them: an unanswered correction notice
withdraws the case, a qualification not followed by a filing lapses, an overdue case is
reported to the field lead once per deadline — and a second run changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from zhibao.core.models import CaseEvent, Notification
from zhibao.core.services.cases import case_transition
from zhibao.core.sweeps import sweeps_run
from zhibao.core.workdays import add_working_days
from zhibao.patents.choices import PatentType
from zhibao.pre_exam.choices import NoticeStatus
from zhibao.pre_exam.choices import PreExamState as S
from zhibao.pre_exam.models import PreExamCase, PreExamConfig
from zhibao.pre_exam.services.sweep import pre_exam_sweep

from .test_workflow import application_number

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date, hour: int = 10):
    """The clock stopped at `hour` o'clock of `day`, in the center's time zone."""
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)




def reload(detail):
    return PreExamCase.objects.select_related("case").get(pk=detail.pk)


NOTHING = {"withdrawn": 0, "lapsed": 0, "overdue_told": 0, "granted": 0, "filings_reminded": 0}


# --- working days ---------------------------------------------------------------------------

# submitted (and formal check passed) on, formal check due, invention due, utility model due
HOLIDAYS = {
    # 国庆节 2026: 1–7 October off, Saturday 10 October worked (and 中秋 on Friday 25 September)
    "national_day": (D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 15), D(2026, 10, 13)),
    # 春节 2026: 15–23 February off, Saturdays 14 and 28 February worked
    "spring_festival": (D(2026, 2, 13), D(2026, 2, 24), D(2026, 3, 2), D(2026, 2, 27)),
    # 中秋节 2026: Friday 25 September off, Sunday 20 September worked
    "mid_autumn": (D(2026, 9, 18), D(2026, 9, 21), D(2026, 9, 29), D(2026, 9, 24)),
}


def test_the_calendar_is_the_published_one():
    """The dates of HOLIDAYS, counted by hand from the State Council's notice (国办发明电〔2025〕)."""
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)  # a Saturday worked
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)  # a Sunday worked


@pytest.mark.parametrize("holiday", list(HOLIDAYS))
def test_deadlines_in_working_days_per_stage_and_patent_type(holiday, alice, alice_filed, submit_case, examiner):
    day, formal_due, invention_due, utility_due = HOLIDAYS[holiday]
    with at(day):
        invention = submit_case(alice, alice_filed)
        utility = submit_case(alice, alice_filed, patent_type=PatentType.UTILITY_MODEL, title="一种永磁体充磁装置")
        assert invention.case.deadline == utility.case.deadline == formal_due
        invention = case_transition(detail=invention, name="pass_formal_check", actor=examiner)
        utility = case_transition(detail=utility, name="pass_formal_check", actor=examiner)
    assert invention.exam_deadline == invention.case.deadline == invention_due
    assert utility.exam_deadline == utility.case.deadline == utility_due


def test_the_time_limits_are_configurable(alice, alice_filed, submit_case, examiner):
    config = PreExamConfig.current()
    config.formal_check_days, config.invention_days, config.reply_days, config.cnipa_filing_days = 1, 3, 4, 2
    config.save()
    with at(D(2026, 9, 30)):
        detail = submit_case(alice, alice_filed)
        assert detail.case.deadline == D(2026, 10, 8)
        detail = case_transition(detail=detail, name="pass_formal_check", actor=examiner)
        assert detail.case.deadline == D(2026, 10, 10)  # the Saturday worked after National Day
        detail = case_transition(detail=detail, name="start_examination", actor=detail.case.assignee)
        detail = case_transition(detail=detail, name="request_correction", actor=detail.case.assignee,
                                 comment="请修改权利要求")
        assert detail.open_notice.reply_deadline == detail.case.deadline == D(2026, 10, 12)
        detail = case_transition(detail=detail, name="reply", actor=alice, comment="已修改")
        assert detail.exam_deadline == D(2026, 10, 10)  # the full three days again, from the reply
        detail = case_transition(detail=detail, name="qualify", actor=detail.case.assignee)
        assert detail.case.deadline == D(2026, 10, 9)


def test_a_correction_notice_over_national_day(alice, alice_filed, submit_case, examiner):
    with at(D(2026, 9, 28)):
        detail = case_transition(detail=submit_case(alice, alice_filed), name="fail_formal_check", actor=examiner,
                                 comment="摘要超过300字", payload={"failed": ["abstract_length"]})
    # ten working days: 29, 30 September, then 8, 9, 10 (Saturday), 12–16 October
    assert detail.open_notice.reply_deadline == detail.case.deadline == D(2026, 10, 16)


# --- the sweep: unanswered notices ------------------------------------------------------------

SEPT_28 = D(2026, 9, 28)  # a Monday, two days before National Day


def correction_notice(stage, alice, alice_filed, submit_case, examiner, day=SEPT_28):
    with at(day):
        detail = submit_case(alice, alice_filed)
        if stage == "formal":
            return case_transition(detail=detail, name="fail_formal_check", actor=examiner, comment="补正",
                                   payload={"failed": ["request_form"]})
        detail = case_transition(detail=detail, name="pass_formal_check", actor=detail.field.lead,
                                 payload={"examiner": examiner.pk})
        detail = case_transition(detail=detail, name="start_examination", actor=examiner)
        return case_transition(detail=detail, name="request_correction", actor=examiner, comment="请修改")


@pytest.mark.parametrize("stage", ["formal", "examination"])
def test_an_unanswered_notice_withdraws_the_case_the_day_after_its_deadline(
        stage, alice, alice_filed, submit_case, examiner):
    detail = correction_notice(stage, alice, alice_filed, submit_case, examiner)
    deadline = detail.open_notice.reply_deadline
    with at(deadline, hour=23):  # the deadline day itself is still in time
        assert pre_exam_sweep()["withdrawn"] == 0
    assert reload(detail).state in (S.FORMAL_CORRECTION, S.CORRECTION)
    told_alice = Notification.objects.filter(recipient=alice, case=detail.case).count()
    with at(deadline + dt.timedelta(days=1), hour=0):
        assert sweeps_run(["pre_exam"]) == {"pre_exam": {**NOTHING, "withdrawn": 1}}
        detail = reload(detail)
        assert detail.state == S.WITHDRAWN and detail.case.status == S.WITHDRAWN
        assert detail.case.closed_at == timezone.now() and detail.case.deadline is None
        assert detail.notices.get().status == NoticeStatus.EXPIRED
        event = detail.case.events.latest("id")
        assert (event.transition, event.actor, event.to_state) == ("withdraw_unanswered", None, S.WITHDRAWN)
        assert Notification.objects.filter(recipient=alice, case=detail.case).count() == told_alice + 1
        events, notes = CaseEvent.objects.count(), Notification.objects.count()
        assert pre_exam_sweep() == NOTHING  # twice: nothing more
        assert (CaseEvent.objects.count(), Notification.objects.count()) == (events, notes)


@pytest.mark.parametrize("stage", ["formal", "examination"])
def test_a_notice_answered_in_time_does_not_withdraw(stage, alice, alice_filed, submit_case, examiner):
    detail = correction_notice(stage, alice, alice_filed, submit_case, examiner)
    deadline = detail.open_notice.reply_deadline
    with at(deadline, hour=17):
        detail = case_transition(detail=detail, name="reply", actor=alice, comment="已补正")
    with at(deadline + dt.timedelta(days=3)):
        assert pre_exam_sweep()["withdrawn"] == 0
    detail = reload(detail)
    assert detail.state == (S.SUBMITTED if stage == "formal" else S.EXAMINING)
    assert detail.notices.get().status == NoticeStatus.REPLIED


def test_only_the_open_notice_counts(alice, alice_filed, submit_case, examiner):
    """An old notice, answered, past its date: the case waits for the current one."""
    detail = correction_notice("examination", alice, alice_filed, submit_case, examiner)
    first_deadline = detail.open_notice.reply_deadline
    with at(D(2026, 10, 8)):
        detail = case_transition(detail=detail, name="reply", actor=alice, comment="已修改")
        detail = case_transition(detail=detail, name="request_correction", actor=examiner, comment="第二轮")
    second_deadline = detail.open_notice.reply_deadline
    assert second_deadline > first_deadline
    with at(first_deadline + dt.timedelta(days=1)):
        assert pre_exam_sweep()["withdrawn"] == 0
    with at(second_deadline + dt.timedelta(days=1)):
        assert pre_exam_sweep()["withdrawn"] == 1
    assert [n.status for n in reload(detail).notices.all()] == [NoticeStatus.REPLIED, NoticeStatus.EXPIRED]


# --- the sweep: qualified but not filed ---------------------------------------------------------

def qualified(alice, alice_filed, submit_case, examiner, title=None, day=SEPT_28):
    with at(day):
        detail = submit_case(alice, alice_filed, **({"title": title} if title else {}))
        detail = case_transition(detail=detail, name="pass_formal_check", actor=detail.field.lead,
                                 payload={"examiner": examiner.pk})
        detail = case_transition(detail=detail, name="start_examination", actor=examiner)
        return case_transition(detail=detail, name="qualify", actor=examiner)


def test_a_qualified_case_not_filed_in_time_lapses(alice, alice_filed, submit_case, examiner):
    late = qualified(alice, alice_filed, submit_case, examiner)
    on_time = qualified(alice, alice_filed, submit_case, examiner, title="一种稀土抛光粉的制备方法")
    assert late.case.deadline == D(2026, 10, 16)
    with at(D(2026, 10, 16), hour=16):
        case_transition(detail=on_time, name="record_filing", actor=alice,
                        payload={"cnipa_application_number": application_number()})
        assert pre_exam_sweep()["lapsed"] == 0
    with at(D(2026, 10, 17)):
        assert pre_exam_sweep() == {**NOTHING, "lapsed": 1}
        assert pre_exam_sweep() == NOTHING
    late, on_time = reload(late), reload(on_time)
    assert late.state == S.LAPSED and late.case.closed_at is not None
    assert late.case.events.latest("id").actor is None
    assert on_time.state == S.FILED


# --- the sweep: overdue cases are the lead's concern ---------------------------------------------

def told_lead(field_lead, detail) -> int:
    return Notification.objects.filter(recipient=field_lead, case=detail.case).count()


def test_the_field_lead_is_told_once_per_deadline(alice, alice_filed, submit_case, examiner, field_lead):
    with at(D(2026, 9, 28)):
        detail = submit_case(alice, alice_filed)
    assert detail.case.deadline == D(2026, 9, 30)
    base = told_lead(field_lead, detail)  # the lead is an examiner: told of the submission, as all are
    with at(D(2026, 9, 30), hour=23):
        assert pre_exam_sweep()["overdue_told"] == 0
    with at(D(2026, 10, 8)):
        assert pre_exam_sweep() == {**NOTHING, "overdue_told": 1}
        assert pre_exam_sweep() == NOTHING
    assert told_lead(field_lead, detail) == base + 1
    note = Notification.objects.filter(recipient=field_lead, case=detail.case).latest("id")
    assert detail.case.number in note.title and "2026-09-30" in note.body
    # the formal check is done late; the examination is late too: a new deadline, told again once
    with at(D(2026, 10, 8)):
        detail = case_transition(detail=detail, name="pass_formal_check", actor=field_lead,
                                 payload={"examiner": examiner.pk})
    assert detail.case.deadline == D(2026, 10, 16)
    notes_after_step = told_lead(field_lead, detail)
    with at(D(2026, 10, 19)):
        assert pre_exam_sweep()["overdue_told"] == 1
        assert pre_exam_sweep()["overdue_told"] == 0
    assert told_lead(field_lead, detail) == notes_after_step + 1
    note = Notification.objects.filter(recipient=field_lead, case=detail.case).latest("id")
    assert "2026-10-16" in note.body and str(examiner) in note.body  # due when, and with whom


def test_cases_waiting_for_the_applicant_are_not_the_leads_concern(alice, alice_filed, submit_case, examiner,
                                                                   field_lead):
    detail = correction_notice("formal", alice, alice_filed, submit_case, examiner)
    notes = Notification.objects.filter(recipient=field_lead).count()
    with at(detail.open_notice.reply_deadline):
        assert pre_exam_sweep()["overdue_told"] == 0
    assert Notification.objects.filter(recipient=field_lead).count() == notes


def test_a_field_without_a_lead_is_skipped(alice, alice_filed, submit_case, fields):
    fields["new_materials"].lead = None
    fields["new_materials"].save()
    with at(D(2026, 9, 28)):
        submit_case(alice, alice_filed)
    with at(D(2026, 10, 8)):
        assert pre_exam_sweep()["overdue_told"] == 0
