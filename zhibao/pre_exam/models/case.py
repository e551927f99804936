"""The pre-examination case (service PE), its correction notices and the examiner's opinions.

The state machine follows the center's channel: formal check → assignment → pre-examination
(with correction rounds) → qualified or not → filed at CNIPA → granted or rejected. Each
transition's business rule (what a payload must hold, what it sets) is in services.workflow;
the methods here say who may take which step from where.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from zhibao.patents.choices import PatentType

from .. import rules as r
from ..choices import ApplicationKind, NoticeKind, NoticeStage, NoticeStatus, PreExamState

S = PreExamState
_REASSIGNABLE = [S.ASSIGNED, S.EXAMINING, S.CORRECTION]
_WITHDRAWABLE = [S.SUBMITTED, S.FORMAL_CORRECTION, S.ASSIGNED, S.EXAMINING, S.CORRECTION, S.QUALIFIED]


def _flow():
    from ..services import workflow

    return workflow


class PreExamCase(ConcurrentTransitionMixin, models.Model):
    """A patent application pre-examined by the center before it is filed at CNIPA."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="pre_exam_case")
    filing = models.ForeignKey("pre_exam.Filing", on_delete=models.PROTECT, related_name="pre_exam_cases",
                               verbose_name=_("filing"))
    field = models.ForeignKey("pre_exam.TechnicalField", on_delete=models.PROTECT, related_name="pre_exam_cases",
                              verbose_name=_("technical field"))
    patent_type = models.CharField(_("patent type"), max_length=16, choices=PatentType.choices)
    application_kind = models.CharField(_("kind of application"), max_length=16, choices=ApplicationKind.choices,
                                        default=ApplicationKind.ORDINARY)
    title = models.CharField(_("title of the invention"), max_length=200)
    abstract = models.TextField(_("abstract"))
    ipc_codes = models.JSONField(_("declared IPC codes"), default=list, blank=True)
    # A design declares Locarno codes instead (class-subclass, "13-03"), an invention or a
    # utility model IPC codes: never both (services.intake).
    locarno_codes = models.JSONField(_("declared Locarno codes"), default=list, blank=True)
    agency = models.CharField(_("patent agency"), max_length=200, blank=True)
    agent = models.CharField(_("patent agent"), max_length=50, blank=True)
    # The suggestion from the title and abstract, as the examiner sees it:
    # {"subclasses": [[code, confidence], …], "field": code, "field_confidence": x, "model": …}
    suggestion = models.JSONField(_("suggested classification"), default=dict, blank=True)
    state = FSMField(_("state"), default=S.SUBMITTED, choices=S.choices, protected=True)
    formal_check = models.JSONField(_("formal check results"), default=dict, blank=True)
    exam_deadline = models.DateField(_("pre-examination due"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    qualified_on = models.DateField(_("qualified on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    cnipa_application_number = models.CharField(_("CNIPA application number"), max_length=20, blank=True,
                                                db_index=True)
    cnipa_filed_on = models.DateField(_("filed at CNIPA on"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    grant_publication_number = models.CharField(_("grant publication number"), max_length=20, blank=True)
    decided_on = models.DateField(_("CNIPA decision on"), null=True, blank=True)
    # The deadline whose passing the field lead was told of (the sweep tells once per deadline).
    overdue_notified_for = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("pre-examination case")
        verbose_name_plural = _("pre-examination cases")
        indexes = [models.Index(fields=["field", "state"]), models.Index(fields=["state", "cnipa_application_number"])]

    def __str__(self) -> str:
        return f"{self.case.number} {self.title}"

    @property
    def open_notice(self):
        return self.notices.filter(status=NoticeStatus.OPEN).order_by("-issued_at").first()

    @property
    def grant_cycle_days(self) -> int | None:
        """Days from filing at CNIPA to grant: the figure the channel is judged by."""
        if self.cnipa_filed_on and self.granted_on:
            return (self.granted_on - self.cnipa_filed_on).days
        return None

    # -- formal check -------------------------------------------------------------------
    @transition(field=state, source=S.SUBMITTED, target=S.ASSIGNED, permission=r.field_staff,
                custom={"label": _("Formal check passed"), "style": "success", "comment": "optional", "form": True})
    def pass_formal_check(self, *, actor, comment="", payload=None) -> None:
        _flow().on_pass_formal_check(self, actor=actor, payload=payload or {})

    @transition(field=state, source=S.SUBMITTED, target=S.FORMAL_CORRECTION, permission=r.field_staff,
                custom={"label": _("Formal check failed: request correction"), "style": "warning",
                        "comment": "required", "form": True})
    def fail_formal_check(self, *, actor, comment="", payload=None) -> None:
        _flow().on_fail_formal_check(self, actor=actor, comment=comment, payload=payload or {})

    # -- assignment and pre-examination ---------------------------------------------------
    @transition(field=state, source=_REASSIGNABLE, target=RETURN_VALUE(*_REASSIGNABLE), permission=r.field_lead,
                custom={"label": _("Reassign"), "style": "outline-primary", "comment": "optional", "form": True})
    def reassign(self, *, actor, comment="", payload=None):
        _flow().on_reassign(self, actor=actor, payload=payload or {})
        return self.state

    @transition(field=state, source=S.ASSIGNED, target=S.EXAMINING, permission=r.assigned_examiner,
                custom={"label": _("Start pre-examination"), "style": "primary", "comment": "optional"})
    def start_examination(self, *, actor, comment="", payload=None) -> None:
        pass

    @transition(field=state, source=S.EXAMINING, target=S.CORRECTION, permission=r.assigned_examiner,
                custom={"label": _("Send opinion: request correction"), "style": "warning", "comment": "required",
                        "form": True})
    def request_correction(self, *, actor, comment="", payload=None) -> None:
        _flow().on_request_correction(self, actor=actor, comment=comment, payload=payload or {})

    @transition(field=state, source=S.FORMAL_CORRECTION, target=S.SUBMITTED, permission=r.applicant_side,
                custom={"label": _("Reply to the correction notice"), "style": "primary", "comment": "required",
                        "form": True})
    @transition(field=state, source=S.CORRECTION, target=S.EXAMINING, permission=r.applicant_side,
                custom={"label": _("Reply to the correction notice"), "style": "primary", "comment": "required",
                        "form": True})
    def reply(self, *, actor, comment="", payload=None) -> None:
        _flow().on_reply(self, actor=actor, comment=comment, payload=payload or {})

    @transition(field=state, source=[S.FORMAL_CORRECTION, S.CORRECTION], target=S.WITHDRAWN,
                permission=r.system_only,
                custom={"label": _("Withdrawn: correction notice unanswered"), "style": "danger", "system": True})
    def withdraw_unanswered(self, *, actor, comment="", payload=None) -> None:
        _flow().on_withdraw_unanswered(self)

    @transition(field=state, source=S.EXAMINING, target=S.QUALIFIED, permission=r.assigned_examiner,
                custom={"label": _("Qualified"), "style": "success", "comment": "optional", "form": True})
    def qualify(self, *, actor, comment="", payload=None) -> None:
        _flow().on_qualify(self, actor=actor, comment=comment, payload=payload or {})

    @transition(field=state, source=S.EXAMINING, target=S.NOT_QUALIFIED, permission=r.assigned_examiner,
                custom={"label": _("Not qualified"), "style": "danger", "comment": "required", "form": True})
    def disqualify(self, *, actor, comment="", payload=None) -> None:
        _flow().on_disqualify(self, actor=actor, comment=comment, payload=payload or {})

    # -- after qualification ----------------------------------------------------------------
    @transition(field=state, source=S.QUALIFIED, target=S.FILED, permission=r.applicant_or_field_staff,
                custom={"label": _("Record the CNIPA application number"), "style": "primary", "comment": "optional",
                        "form": True})
    def record_filing(self, *, actor, comment="", payload=None) -> None:
        _flow().on_record_filing(self, payload=payload or {})

    @transition(field=state, source=S.QUALIFIED, target=S.LAPSED, permission=r.system_only,
                custom={"label": _("Lapsed: not filed at CNIPA in time"), "style": "secondary", "system": True})
    def lapse(self, *, actor, comment="", payload=None) -> None:
        pass

    @transition(field=state, source=S.FILED, target=S.GRANTED, permission=r.field_staff_or_system,
                custom={"label": _("Record the grant"), "style": "success", "comment": "optional", "form": True})
    def record_grant(self, *, actor, comment="", payload=None) -> None:
        _flow().on_record_grant(self, payload=payload or {})

    @transition(field=state, source=S.FILED, target=S.REJECTED, permission=r.field_staff,
                custom={"label": _("Record CNIPA's rejection"), "style": "danger", "comment": "required",
                        "form": True})
    def record_rejection(self, *, actor, comment="", payload=None) -> None:
        _flow().on_record_rejection(self, comment=comment, payload=payload or {})

    @transition(field=state, source=_WITHDRAWABLE, target=S.WITHDRAWN, permission=r.applicant_side,
                custom={"label": _("Withdraw"), "style": "outline-secondary", "comment": "optional"})
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        _flow().on_withdraw(self)


class CorrectionNotice(models.Model):
    """补正通知: what is to be fixed, by when (working days, 专利法实施细则 第五十六条's spirit:
    the applicant answers within the time limit or the application is deemed withdrawn)."""

    pre_exam_case = models.ForeignKey(PreExamCase, on_delete=models.PROTECT, related_name="notices",
                                      verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=12, choices=NoticeStage.choices)
    text = models.TextField(_("what to correct"))
    items = models.JSONField(_("failed checks"), default=list, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"))
    reply_deadline = models.DateField(_("reply due"))
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply_text = models.TextField(_("reply"), blank=True)
    letter = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("letter (PDF)"))

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("correction notice")
        verbose_name_plural = _("correction notices")

    def __str__(self) -> str:
        return f"{self.pre_exam_case.case.number} {self.get_stage_display()} {self.issued_at:%Y-%m-%d}"

    @property
    def status_badge(self) -> str:
        return NoticeStatus(self.status).badge


class Opinion(models.Model):
    """A version of the examiner's opinion on a case. Drafts are saved as versions; sending one
    (with a correction request, a qualification or a refusal) makes its letter as PDF."""

    pre_exam_case = models.ForeignKey(PreExamCase, on_delete=models.PROTECT, related_name="opinions",
                                      verbose_name=_("case"))
    examiner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("examiner"))
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("opinion"))
    kind = models.CharField(_("letter"), max_length=24, choices=NoticeKind.choices, blank=True,
                            help_text=_("Empty while a draft."))
    letter = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("letter (PDF)"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["pre_exam_case", "version"], name="opinion_version_unique")]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")

    def __str__(self) -> str:
        return f"{self.pre_exam_case.case.number} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return not self.kind
