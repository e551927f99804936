"""优先审查推荐: a request that the center recommend an application already filed at CNIPA
for prioritized examination (专利优先审查管理办法, CNIPA order 76), a case of service PER."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules as r
from ..choices import PriorityGround, PriorityState

P = PriorityState


class PriorityRequest(ConcurrentTransitionMixin, models.Model):
    """The applicant states the ground and attaches the prior-art search report (管理办法 第七条
    asks for it); an examiner of the field reviews it and recommends it — within the field's
    yearly quota — or not, with reasons; CNIPA's answer is recorded."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="pre_exam_priority")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT,
                                     related_name="priority_requests", verbose_name=_("organization"))
    field = models.ForeignKey("pre_exam.TechnicalField", on_delete=models.PROTECT, related_name="priority_requests",
                              verbose_name=_("technical field"))
    pre_exam_case = models.ForeignKey("pre_exam.PreExamCase", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="priority_requests", verbose_name=_("pre-examination case"))
    application_number = models.CharField(_("CNIPA application number"), max_length=20, db_index=True)
    title = models.CharField(_("title of the invention"), max_length=200)
    ground = models.CharField(_("ground"), max_length=24, choices=PriorityGround.choices)
    ground_detail = models.TextField(_("why the ground applies"))
    state = FSMField(_("state"), default=P.SUBMITTED, choices=P.choices, protected=True)
    year = models.PositiveSmallIntegerField(_("quota year"), null=True, blank=True,
                                            help_text=_("The year whose quota a recommendation used."))
    decision_reason = models.TextField(_("reason"), blank=True)
    cnipa_decided_on = models.DateField(_("CNIPA decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("prioritized-examination request")
        verbose_name_plural = _("prioritized-examination requests")
        indexes = [models.Index(fields=["field", "year", "state"])]

    def __str__(self) -> str:
        return f"{self.case.number} {self.application_number}"

    @transition(field=state, source=P.SUBMITTED, target=P.IN_REVIEW, permission=r.field_staff,
                custom={"label": _("Take for review"), "style": "primary", "comment": "optional"})
    def accept(self, *, actor, comment="", payload=None) -> None:
        self.case.assignee = actor

    @transition(field=state, source=P.IN_REVIEW, target=P.RECOMMENDED, permission=r.field_staff,
                custom={"label": _("Recommend to CNIPA"), "style": "success", "comment": "optional"})
    def recommend(self, *, actor, comment="", payload=None) -> None:
        from ..services.priority import priority_quota_take

        priority_quota_take(self)
        self.decision_reason = comment

    @transition(field=state, source=P.IN_REVIEW, target=P.NOT_RECOMMENDED, permission=r.field_staff,
                custom={"label": _("Do not recommend"), "style": "danger", "comment": "required"})
    def decline(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(field=state, source=P.RECOMMENDED, target=P.ACCEPTED, permission=r.field_staff,
                custom={"label": _("CNIPA accepted"), "style": "success", "comment": "optional"})
    def record_accepted(self, *, actor, comment="", payload=None) -> None:
        from ..services.priority import priority_decision_date

        self.cnipa_decided_on = priority_decision_date(payload or {})

    @transition(field=state, source=P.RECOMMENDED, target=P.REFUSED, permission=r.field_staff,
                custom={"label": _("CNIPA refused"), "style": "danger", "comment": "required"})
    def record_refused(self, *, actor, comment="", payload=None) -> None:
        from ..services.priority import priority_decision_date

        self.cnipa_decided_on = priority_decision_date(payload or {})

    @transition(field=state, source=[P.SUBMITTED, P.IN_REVIEW], target=P.WITHDRAWN, permission=r.applicant_side,
                custom={"label": _("Withdraw"), "style": "outline-secondary", "comment": "optional"})
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        pass
