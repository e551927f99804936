"""What each step of a pre-examination case does (called from the transition methods of
PreExamCase, inside core.services.cases.case_transition's transaction, so a refusal here
rolls the whole step back and the person reads the WorkflowError's message)."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError
from zhibao.core.workdays import add_working_days
from zhibao.patents.normalize import (
    NormalizeError,
    application_patent_type,
    normalize_application_number,
    normalize_publication_number,
)

from ..choices import NoticeKind, NoticeStage, NoticeStatus, PreExamState
from ..models import CorrectionNotice, FormalCheckItem, Opinion, PreExamCase, PreExamConfig
from ..rules import leads_field
from .assignment import examiner_check, examiner_pick
from .letters import letter_issue


def checklist_for(detail) -> list[FormalCheckItem]:
    return [i for i in FormalCheckItem.objects.filter(active=True) if i.applies_to(detail.patent_type)]


def _date(payload: dict, key: str, *, default: dt.date | None = None, label: str) -> dt.date:
    value = payload.get(key)
    if not value:
        if default is not None:
            return default
        raise WorkflowError("date_required", _("Give %(what)s (YYYY-MM-DD).") % {"what": label},
                            fields={key: [_("Required.")]}, status=400)
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise WorkflowError("bad_date", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value},
                            fields={key: [_("Enter a date as YYYY-MM-DD.")]}, status=400)
    if day > timezone.localdate():
        raise WorkflowError("future_date", _("%(what)s cannot be in the future.") % {"what": label},
                            fields={key: [_("In the future.")]}, status=400)
    return day


def _notice(detail, *, stage: str, actor, text: str, items: list[str], kind: str) -> CorrectionNotice:
    config = PreExamConfig.current()
    deadline = add_working_days(timezone.localdate(), config.reply_days)
    notice = CorrectionNotice.objects.create(
        pre_exam_case=detail, stage=stage, text=text, items=items, issued_by=actor, issued_at=timezone.now(),
        reply_deadline=deadline,
    )
    notice.letter = letter_issue(detail=detail, kind=kind, actor=actor, text=text, deadline=deadline, items=items)
    notice.save(update_fields=["letter"])
    return notice


def _opinion(detail, *, actor, text: str, kind: str, deadline=None) -> Opinion:
    """The examiner's opinion, sent: a new version with its letter."""
    last = detail.opinions.order_by("-version").first()
    opinion = Opinion.objects.create(pre_exam_case=detail, examiner=actor, version=(last.version + 1) if last else 1,
                                     text=text, kind=kind)
    if kind != NoticeKind.OPINION:  # the opinion letter of a correction request is the notice's letter
        opinion.letter = letter_issue(detail=detail, kind=kind, actor=actor, text=text, deadline=deadline)
        opinion.save(update_fields=["letter"])
    return opinion


def _formal_results(detail, payload: dict, *, passed: bool) -> dict:
    """{code: bool} for the checklist: the staff's ticks; unticked items count as passed on a
    pass and the failed list names what failed."""
    items = checklist_for(detail)
    failed = set(payload.get("failed") or [])
    unknown = failed - {i.code for i in items}
    if unknown:
        raise WorkflowError("bad_check", _("Unknown checklist items: %(codes)s") % {"codes": "、".join(sorted(unknown))},
                            fields={"failed": [_("Unknown item.")]}, status=400)
    if passed and failed:
        raise WorkflowError("formal_check_failed", _(
            "Items of the checklist failed: request a correction instead of passing the formal check."), status=400)
    return {i.code: i.code not in failed for i in items}


def on_pass_formal_check(detail: PreExamCase, *, actor, payload: dict) -> None:
    detail.formal_check = {"passed": True, "by": actor.pk, "at": timezone.now().isoformat(),
                           "items": _formal_results(detail, payload, passed=True)}
    if payload.get("examiner"):
        # Choosing the examiner overrides the automatic assignment: the field lead's call.
        if not leads_field(actor, detail.field):
            raise WorkflowError("forbidden", _("Only the field lead may choose the examiner; leave it to the "
                                               "automatic assignment."), status=403)
        examiner = examiner_check(detail, payload["examiner"])
    else:
        examiner = examiner_pick(detail)
    _assign(detail, examiner)


def _assign(detail: PreExamCase, examiner) -> None:
    config = PreExamConfig.current()
    detail.case.assignee = examiner
    detail.assigned_at = timezone.now()
    detail.exam_deadline = add_working_days(timezone.localdate(), config.examination_days(detail.patent_type))


def on_fail_formal_check(detail: PreExamCase, *, actor, comment: str, payload: dict) -> None:
    results = _formal_results(detail, payload, passed=False)
    failed = [i.label for i in checklist_for(detail) if not results.get(i.code, True)]
    detail.formal_check = {"passed": False, "by": actor.pk, "at": timezone.now().isoformat(), "items": results}
    _notice(detail, stage=NoticeStage.FORMAL, actor=actor, text=comment, items=failed,
            kind=NoticeKind.FORMAL_CORRECTION)


def on_reassign(detail: PreExamCase, *, actor, payload: dict) -> None:
    if not payload.get("examiner"):
        raise WorkflowError("examiner_required", _("Choose the examiner to give the case to."),
                            fields={"examiner": [_("Required.")]}, status=400)
    examiner = examiner_check(detail, payload["examiner"])
    if examiner.pk == detail.case.assignee_id:
        raise WorkflowError("same_examiner", _("The case is already with %(name)s.") % {"name": examiner},
                            status=400)
    detail.case.assignee = examiner
    detail.assigned_at = timezone.now()


def on_request_correction(detail: PreExamCase, *, actor, comment: str, payload: dict) -> None:
    opinion = _opinion(detail, actor=actor, text=comment, kind=NoticeKind.OPINION)
    notice = _notice(detail, stage=NoticeStage.EXAMINATION, actor=actor, text=comment, items=[],
                     kind=NoticeKind.OPINION)
    # One letter: the opinion sent is the notice's letter, so the opinion's version links to it too.
    opinion.letter = notice.letter
    opinion.save(update_fields=["letter"])


def on_reply(detail: PreExamCase, *, actor, comment: str, payload: dict) -> None:
    notice = detail.notices.filter(status=NoticeStatus.OPEN).order_by("-issued_at").first()
    if notice is not None:
        notice.status, notice.replied_at, notice.reply_text = NoticeStatus.REPLIED, timezone.now(), comment
        notice.save(update_fields=["status", "replied_at", "reply_text"])
    if detail.state == PreExamState.CORRECTION:
        # Back with the examiner, who gets the stage's full time again for the revised text.
        config = PreExamConfig.current()
        detail.exam_deadline = add_working_days(timezone.localdate(), config.examination_days(detail.patent_type))


def on_withdraw_unanswered(detail: PreExamCase) -> None:
    detail.notices.filter(status=NoticeStatus.OPEN).update(status=NoticeStatus.EXPIRED)


def on_qualify(detail: PreExamCase, *, actor, comment: str, payload: dict) -> None:
    config = PreExamConfig.current()
    detail.qualified_on = timezone.localdate()
    deadline = add_working_days(detail.qualified_on, config.cnipa_filing_days)
    _opinion(detail, actor=actor, text=comment or _("The application meets the requirements of pre-examination."),
             kind=NoticeKind.QUALIFICATION, deadline=deadline)


def on_disqualify(detail: PreExamCase, *, actor, comment: str, payload: dict) -> None:
    detail.decision_reason = comment
    _opinion(detail, actor=actor, text=comment, kind=NoticeKind.NOT_QUALIFIED)


def on_record_filing(detail: PreExamCase, *, payload: dict) -> None:
    raw = (payload.get("cnipa_application_number") or "").strip()
    if not raw:
        raise WorkflowError("number_required", _("Give the application number CNIPA issued, e.g. 202410001234.1."),
                            fields={"cnipa_application_number": [_("Required.")]}, status=400)
    try:
        number = normalize_application_number(raw)
    except NormalizeError as exc:
        raise WorkflowError("bad_number", str(exc), fields={"cnipa_application_number": [str(exc)]}, status=400)
    if not number.startswith("CN"):
        # The channel's applications are filed at CNIPA: a foreign number cannot be theirs.
        raise WorkflowError("not_cnipa_number", _("%(number)s is not a CNIPA application number.") % {"number": number},
                            fields={"cnipa_application_number": [_("Give the number CNIPA issued (12 digits and a check character).")]},
                            status=400)
    kind = application_patent_type(number)
    if kind and kind != detail.patent_type:
        # The fifth digit (twelve-digit numbers, since 2003) or third (eight digits) gives the type: 1 invention, 2 utility
        # model, 3 design (专利申请号标准 ZC 0006-2003).
        raise WorkflowError("type_mismatch", _("%(number)s is not the number of a %(type)s application.")
                            % {"number": number, "type": detail.get_patent_type_display()},
                            fields={"cnipa_application_number": [_("The type digit does not match.")]}, status=400)
    taken = PreExamCase.objects.filter(cnipa_application_number=number).exclude(pk=detail.pk).first()
    if taken is not None:
        raise WorkflowError("number_taken", _("%(number)s is already recorded on case %(case)s.")
                            % {"number": number, "case": taken.case.number},
                            fields={"cnipa_application_number": [_("Already recorded.")]}, status=409)
    filed_on = _date(payload, "cnipa_filed_on", default=timezone.localdate(), label=_("the filing date"))
    if detail.qualified_on and filed_on < detail.qualified_on:
        raise WorkflowError("bad_date", _("The filing date cannot be before the qualification (%(date)s).")
                            % {"date": detail.qualified_on.isoformat()},
                            fields={"cnipa_filed_on": [_("Before the qualification.")]}, status=400)
    detail.cnipa_application_number, detail.cnipa_filed_on = number, filed_on


def on_record_grant(detail: PreExamCase, *, payload: dict) -> None:
    granted_on = _date(payload, "granted_on", label=_("the grant date"))
    if detail.cnipa_filed_on and granted_on < detail.cnipa_filed_on:
        raise WorkflowError("bad_date", _("The grant date cannot be before the filing at CNIPA (%(date)s).")
                            % {"date": detail.cnipa_filed_on.isoformat()},
                            fields={"granted_on": [_("Before the filing.")]}, status=400)
    number = (payload.get("grant_publication_number") or "").strip()
    if number:
        try:
            number = normalize_publication_number(number)
        except NormalizeError as exc:
            raise WorkflowError("bad_number", str(exc), fields={"grant_publication_number": [str(exc)]}, status=400)
    detail.granted_on, detail.decided_on, detail.grant_publication_number = granted_on, granted_on, number


def on_record_rejection(detail: PreExamCase, *, comment: str, payload: dict) -> None:
    decided_on = _date(payload, "decided_on", default=timezone.localdate(), label=_("the decision date"))
    if detail.cnipa_filed_on and decided_on < detail.cnipa_filed_on:
        raise WorkflowError("bad_date", _("The decision date cannot be before the filing at CNIPA (%(date)s).")
                            % {"date": detail.cnipa_filed_on.isoformat()},
                            fields={"decided_on": [_("Before the filing.")]}, status=400)
    detail.decided_on, detail.decision_reason = decided_on, comment


def on_withdraw(detail: PreExamCase) -> None:
    detail.notices.filter(status=NoticeStatus.OPEN).update(status=NoticeStatus.CANCELLED)
