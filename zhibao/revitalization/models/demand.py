"""技术需求 and 供需对接: an enterprise's published need (a case of service RVD) and the
demand–patent matches the engine ranks and operators push to both sides."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules as r
from ..choices import Answer, DemandState, MatchState

D = DemandState


class Demand(ConcurrentTransitionMixin, models.Model):
    """What an enterprise needs, in its words, with the industry (GB/T 4754), the league it is
    in, a budget range, the cooperation modes it accepts and a deadline. The center reviews it
    before it is published; the enterprise edits it while it is returned and closes it when met."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="revitalization_demand")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="demands",
                                     verbose_name=_("enterprise"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    industry = models.ForeignKey("core.Industry", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("industry (GB/T 4754)"))
    key_industry = models.ForeignKey("revitalization.KeyIndustry", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="demands", verbose_name=_("key industry"))
    league = models.ForeignKey("core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("league / city"))
    budget_min = models.DecimalField(_("budget from (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                     blank=True)
    budget_max = models.DecimalField(_("budget up to (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                     blank=True)
    modes = models.JSONField(_("cooperation modes"), default=list)
    deadline = models.DateField(_("wanted by"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    state = FSMField(_("state"), default=D.SUBMITTED, choices=D.choices, protected=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    class Meta:
        verbose_name = _("technology demand")
        verbose_name_plural = _("technology demands")

    def __str__(self) -> str:
        return f"{self.case.number} {self.title}"

    @property
    def mode_labels(self) -> list[str]:
        """The cooperation modes' names, in the order of CooperationMode (for pages and exports)."""
        from ..choices import CooperationMode

        labels = dict(CooperationMode.choices)
        return [str(labels[m]) for m in CooperationMode.values if m in (self.modes or ())]

    @transition(field=state, source=D.SUBMITTED, target=D.PUBLISHED, permission=r.operator,
                custom={"label": _("Publish"), "style": "success", "comment": "optional"})
    def publish(self, *, actor, comment="", payload=None) -> None:
        from ..services.demands import on_demand_published

        on_demand_published(self, actor=actor, comment=comment)

    @transition(field=state, source=D.SUBMITTED, target=D.RETURNED, permission=r.operator,
                custom={"label": _("Return for correction"), "style": "warning", "comment": "required"})
    def return_for_correction(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(field=state, source=D.SUBMITTED, target=D.REJECTED, permission=r.operator,
                custom={"label": _("Do not publish"), "style": "danger", "comment": "required"})
    def reject(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(field=state, source=D.RETURNED, target=D.SUBMITTED, permission=r.applicant_side,
                custom={"label": _("Resubmit"), "style": "primary", "comment": "optional"})
    def resubmit(self, *, actor, comment="", payload=None) -> None:
        self.case.assignee = None

    @transition(field=state, source=[D.PUBLISHED, D.RETURNED], target=D.CLOSED, permission=r.applicant_side_or_operator,
                custom={"label": _("Close"), "style": "outline-secondary", "comment": "optional"})
    def close(self, *, actor, comment="", payload=None) -> None:
        from django.utils import timezone

        self.closed_at = timezone.now()
        self.decision_reason = comment

    @transition(field=state, source=D.PUBLISHED, target=D.CLOSED, permission=r.system_only,
                custom={"label": _("Closed at its deadline"), "style": "secondary", "system": True})
    def expire(self, *, actor, comment="", payload=None) -> None:
        from django.utils import timezone

        self.closed_at = timezone.now()


class Match(models.Model):
    """A demand and a pool patent the engine ranked together, with its explanation (score
    parts, shared terms, IPC overlap). An operator pushes it to both sides or dismisses it; each
    side answers interested or not; the answers are the match quality the statistics show."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="matches")
    pool_patent = models.ForeignKey("revitalization.PoolPatent", on_delete=models.CASCADE, related_name="matches")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=MatchState.choices, default=MatchState.SUGGESTED,
                             db_index=True)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("pushed by"))
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    demand_answer = models.CharField(_("enterprise's answer"), max_length=16, choices=Answer.choices,
                                     default=Answer.PENDING)
    demand_answered_at = models.DateTimeField(null=True, blank=True)
    holder_answer = models.CharField(_("holder's answer"), max_length=16, choices=Answer.choices,
                                     default=Answer.PENDING)
    holder_answered_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["demand", "rank"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [models.UniqueConstraint(fields=["demand", "pool_patent"], name="rv_match_once")]

    def __str__(self) -> str:
        return f"{self.demand.case.number} → {self.pool_patent.patent.publication_number}"
