"""States, kinds and grounds of the pre-examination channel, each with a label and badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FilingState(models.TextChoices):
    """预审备案: an organization's registration to use the channel."""

    SUBMITTED = "submitted", pgettext_lazy("filing state", "Submitted")  # waits for a clerk
    IN_REVIEW = "in_review", pgettext_lazy("filing state", "In review")
    RETURNED = "returned", pgettext_lazy("filing state", "Returned for correction")
    APPROVED = "approved", pgettext_lazy("filing state", "Approved")  # valid until Filing.valid_until
    REJECTED = "rejected", pgettext_lazy("filing state", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("filing state", "Withdrawn")

    @property
    def badge(self) -> str:
        return {
            "submitted": "secondary", "in_review": "primary", "returned": "warning", "approved": "success",
            "rejected": "danger", "withdrawn": "light",
        }[self.value]


class PreExamState(models.TextChoices):
    """The pre-examination case, from submission to CNIPA's decision."""

    SUBMITTED = "submitted", pgettext_lazy("pre-exam state", "Awaiting formal check")
    FORMAL_CORRECTION = "formal_correction", pgettext_lazy("pre-exam state", "Formal correction requested")
    ASSIGNED = "assigned", pgettext_lazy("pre-exam state", "Assigned to an examiner")
    EXAMINING = "examining", pgettext_lazy("pre-exam state", "In pre-examination")
    CORRECTION = "correction", pgettext_lazy("pre-exam state", "Correction requested")
    QUALIFIED = "qualified", pgettext_lazy("pre-exam state", "Qualified")  # 合格: file at CNIPA next
    NOT_QUALIFIED = "not_qualified", pgettext_lazy("pre-exam state", "Not qualified")
    FILED = "filed", pgettext_lazy("pre-exam state", "Filed at CNIPA")
    GRANTED = "granted", pgettext_lazy("pre-exam state", "Granted")
    REJECTED = "rejected", pgettext_lazy("pre-exam state", "Rejected by CNIPA")
    LAPSED = "lapsed", pgettext_lazy("pre-exam state", "Not filed in time")
    WITHDRAWN = "withdrawn", pgettext_lazy("pre-exam state", "Withdrawn")

    @property
    def badge(self) -> str:
        return {
            "submitted": "secondary", "formal_correction": "warning", "assigned": "info", "examining": "primary",
            "correction": "warning", "qualified": "success", "not_qualified": "danger", "filed": "info",
            "granted": "success", "rejected": "danger", "lapsed": "secondary", "withdrawn": "light",
        }[self.value]


# States in which the case is still with the center or the applicant (a duplicate check and
# the examiners' workload count these).
PRE_EXAM_OPEN_STATES = (
    PreExamState.SUBMITTED, PreExamState.FORMAL_CORRECTION, PreExamState.ASSIGNED, PreExamState.EXAMINING,
    PreExamState.CORRECTION, PreExamState.QUALIFIED,
)
PRE_EXAM_CLOSED_STATES = frozenset({
    PreExamState.NOT_QUALIFIED, PreExamState.GRANTED, PreExamState.REJECTED, PreExamState.LAPSED,
    PreExamState.WITHDRAWN,
})
# What an examiner has on the desk: the workload that automatic assignment balances.
WORKLOAD_STATES = (PreExamState.ASSIGNED, PreExamState.EXAMINING, PreExamState.CORRECTION)


class ApplicationKind(models.TextChoices):
    """How the application came to be. The channel takes first filings in China only: a PCT
    national-phase entry (专利法实施细则 第一百二十条 ff.) and a divisional application (实施细则
    第四十八条) keep the dates of an earlier application and are outside pre-examination."""

    ORDINARY = "ordinary", _("Ordinary first filing")
    PCT_NATIONAL = "pct_national", _("PCT national phase")
    DIVISIONAL = "divisional", _("Divisional application")


class NoticeStage(models.TextChoices):
    FORMAL = "formal", _("Formal check")
    EXAMINATION = "examination", _("Pre-examination")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting reply")
    REPLIED = "replied", _("Replied")
    EXPIRED = "expired", _("Unanswered (case withdrawn)")
    CANCELLED = "cancelled", _("Cancelled")

    @property
    def badge(self) -> str:
        return {"open": "warning", "replied": "success", "expired": "danger", "cancelled": "secondary"}[self.value]


class DocumentKind(models.TextChoices):
    """The application documents (专利法 第二十六条, 第二十七条), each an attachment kind."""

    REQUEST_FORM = "pe_request", _("Request form")
    DESCRIPTION = "pe_description", _("Description")
    CLAIMS = "pe_claims", _("Claims")
    ABSTRACT = "pe_abstract", _("Abstract")
    DRAWINGS = "pe_drawings", _("Drawings")


class NoticeKind(models.TextChoices):
    """The letters the center sends, each generated as PDF from an editable template."""

    FORMAL_CORRECTION = "formal_correction", _("Formal correction notice")
    OPINION = "opinion", _("Pre-examination opinion letter")
    QUALIFICATION = "qualification", _("Qualification notice")
    NOT_QUALIFIED = "not_qualified", _("Notice of non-qualification")
    FILING_APPROVAL = "filing_approval", _("Filing approval notice")


class PriorityGround(models.TextChoices):
    """The grounds of 专利优先审查管理办法 (CNIPA order 76, 2017) 第三条 for which the center
    recommends an application."""

    KEY_INDUSTRY = "key_industry", _("Key or locally supported industry (art. 3(1)–(2))")
    FAST_OBSOLESCENCE = "fast_obsolescence", _("Technology that becomes obsolete quickly (art. 3(3))")
    IN_USE = "in_use", _("Already being exploited or about to be (art. 3(4))")
    FIRST_IN_CHINA = "first_in_china", _("First filed in China, then abroad (art. 3(5))")


class PriorityState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("priority state", "Submitted")
    IN_REVIEW = "in_review", pgettext_lazy("priority state", "In review")
    RECOMMENDED = "recommended", pgettext_lazy("priority state", "Recommended to CNIPA")
    NOT_RECOMMENDED = "not_recommended", pgettext_lazy("priority state", "Not recommended")
    ACCEPTED = "accepted", pgettext_lazy("priority state", "Accepted by CNIPA")
    REFUSED = "refused", pgettext_lazy("priority state", "Refused by CNIPA")
    WITHDRAWN = "withdrawn", pgettext_lazy("priority state", "Withdrawn")

    @property
    def badge(self) -> str:
        return {
            "submitted": "secondary", "in_review": "primary", "recommended": "info", "not_recommended": "danger",
            "accepted": "success", "refused": "danger", "withdrawn": "light",
        }[self.value]
