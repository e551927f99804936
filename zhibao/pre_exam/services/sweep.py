"""The channel's periodic pass (core.sweeps, every few minutes): a correction notice past its
reply date withdraws the case (the applicant was told so in the notice), a qualification not
followed by a CNIPA filing in time lapses, and overdue cases are reported to the field lead
once per deadline; granted patents of the corpus close the cases filed at CNIPA; and an
organization whose filing nears its end is reminded once to renew it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.core.services.notifications import notification_send

from ..choices import NoticeStatus, PreExamState
from ..models import PreExamCase
from .filings import filing_expiry_reminders
from .grants import grant_match

S = PreExamState
# Stages where the center owes the next step: an overdue one is the lead's concern.
_CENTER_STATES = (S.SUBMITTED, S.ASSIGNED, S.EXAMINING)


def _step(detail, name: str, comment: str) -> bool:
    try:
        case_transition(detail=detail, name=name, actor=None, comment=comment)
    except WorkflowError:  # another worker took the step first, or the applicant just replied
        return False
    return True


def pre_exam_sweep(today=None) -> dict:
    today = today or timezone.localdate()
    withdrawn = lapsed = told = 0
    unanswered = (PreExamCase.objects.filter(state__in=[S.FORMAL_CORRECTION, S.CORRECTION],
                                             notices__status=NoticeStatus.OPEN,
                                             notices__reply_deadline__lt=today)
                  .select_related("case").distinct())
    for detail in unanswered:
        withdrawn += _step(detail, "withdraw_unanswered",
                           _("The correction notice was not answered by its deadline: the case is deemed withdrawn."))
    for detail in PreExamCase.objects.filter(state=S.QUALIFIED, case__deadline__lt=today).select_related("case"):
        lapsed += _step(detail, "lapse", _("Not filed at CNIPA within the time allowed after qualification."))
    overdue = (PreExamCase.objects.filter(state__in=_CENTER_STATES, case__deadline__lt=today)
               .select_related("case", "field__lead", "case__assignee"))
    for detail in overdue:
        lead, case = detail.field.lead, detail.case
        if lead is None or detail.overdue_notified_for == case.deadline:
            continue
        notification_send(
            recipient=lead, case=case, url=case.get_absolute_url(),
            title=_("Overdue: %(number)s %(title)s") % {"number": case.number, "title": case.title[:60]},
            body=_("“%(status)s” was due on %(date)s (assignee: %(who)s).") % {
                "status": case.status_label, "date": case.deadline.isoformat(), "who": case.assignee or "—"},
        )
        PreExamCase.objects.filter(pk=detail.pk).update(overdue_notified_for=case.deadline)
        told += 1
    granted = grant_match()
    reminded = filing_expiry_reminders(today)
    return {"withdrawn": withdrawn, "lapsed": lapsed, "overdue_told": told, "granted": granted,
            "filings_reminded": reminded}
