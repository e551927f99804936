"""The pre-examination case's deadline in each state, from the configured time limits (working
days, core.workdays): the case index shows it, the worklist sorts by it, the sweep enforces it."""

import datetime as dt

from zhibao.core.workdays import add_working_days

from ..choices import NoticeStatus, PreExamState
from ..models import PreExamConfig

S = PreExamState


def pre_exam_deadline(detail, state: str, today: dt.date) -> dt.date | None:
    config = PreExamConfig.current()
    if state == S.SUBMITTED:
        return add_working_days(today, config.formal_check_days)
    if state in (S.ASSIGNED, S.EXAMINING):
        return detail.exam_deadline or add_working_days(today, config.examination_days(detail.patent_type))
    if state in (S.FORMAL_CORRECTION, S.CORRECTION):
        notice = detail.notices.filter(status=NoticeStatus.OPEN).order_by("-issued_at").first()
        return notice.reply_deadline if notice else add_working_days(today, config.reply_days)
    if state == S.QUALIFIED:
        return add_working_days(detail.qualified_on or today, config.cnipa_filing_days)
    return None
