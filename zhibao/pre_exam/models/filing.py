"""预审备案: an organization's filing to use the pre-examination channel, a case of service PEF."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules as r
from ..choices import FilingState


class FilingQuerySet(models.QuerySet):
    def valid(self, today: dt.date | None = None):
        """Approved filings still in their validity period."""
        today = today or timezone.localdate()
        return self.filter(state=FilingState.APPROVED, valid_until__gte=today)


class Filing(ConcurrentTransitionMixin, models.Model):
    """An organization asks to use the channel: it is in the center's region, an independent
    legal entity, and works in some of the center's technical fields (it declares them and
    its business scope and uploads its licence). A clerk approves it for a period or refuses it."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="pre_exam_filing")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="pre_exam_filings",
                                     verbose_name=_("organization"))
    fields = models.ManyToManyField("pre_exam.TechnicalField", related_name="filings",
                                    verbose_name=_("technical fields"))
    business_scope = models.TextField(_("business scope"))
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    # What intake found, shown to the clerk: region, legal entity, scope against fields.
    checks = models.JSONField(_("intake checks"), default=dict, blank=True)
    snapshot = models.JSONField(_("organization as submitted"), default=dict, blank=True)
    state = FSMField(_("state"), default=FilingState.SUBMITTED, choices=FilingState.choices, protected=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A renewal: applied for while the organization's current filing is still valid; once
    # approved, its validity follows on from that filing's last day.
    renews = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals",
                               verbose_name=_("renews"))
    # The valid_until the applicant was last reminded of (the sweep reminds once per expiry).
    expiry_notified_for = models.DateField(null=True, blank=True, editable=False)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-examination filing")
        verbose_name_plural = _("pre-examination filings")

    def __str__(self) -> str:
        return f"{self.case.number} {self.organization}"

    @property
    def is_valid(self) -> bool:
        return (self.state == FilingState.APPROVED and self.valid_until is not None
                and self.valid_until >= timezone.localdate())

    @property
    def renewal_open(self) -> bool:
        from ..services.filings import renewal_is_open

        return renewal_is_open(self)

    @transition(field=state, source=FilingState.SUBMITTED, target=FilingState.IN_REVIEW, permission=r.filing_reviewer,
                custom={"label": _("Take for review"), "style": "primary", "comment": "optional"})
    def accept(self, *, actor, comment="", payload=None) -> None:
        self.case.assignee = actor

    @transition(field=state, source=FilingState.IN_REVIEW, target=FilingState.APPROVED, permission=r.filing_reviewer,
                custom={"label": _("Approve filing"), "style": "success", "comment": "optional"})
    def approve(self, *, actor, comment="", payload=None) -> None:
        from ..services.filings import filing_approval_letter, filing_validity_end

        self.valid_until = filing_validity_end(self, (payload or {}).get("valid_until"))
        self.decision_reason, self.decided_at = comment, timezone.now()
        filing_approval_letter(self, actor=actor)

    @transition(field=state, source=FilingState.IN_REVIEW, target=FilingState.REJECTED, permission=r.filing_reviewer,
                custom={"label": _("Reject filing"), "style": "danger", "comment": "required"})
    def reject(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason, self.decided_at = comment, timezone.now()

    @transition(field=state, source=FilingState.IN_REVIEW, target=FilingState.RETURNED, permission=r.filing_reviewer,
                custom={"label": _("Return for correction"), "style": "warning", "comment": "required"})
    def return_for_correction(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(field=state, source=FilingState.RETURNED, target=FilingState.SUBMITTED, permission=r.filing_owner,
                custom={"label": _("Resubmit"), "style": "primary", "comment": "optional"})
    def resubmit(self, *, actor, comment="", payload=None) -> None:
        from ..services.filings import filing_checks

        self.checks = filing_checks(organization=self.organization, fields=list(self.fields.all()),
                                    business_scope=self.business_scope)
        self.case.assignee = None

    @transition(field=state, source=[FilingState.SUBMITTED, FilingState.RETURNED], target=FilingState.WITHDRAWN,
                permission=r.filing_owner,
                custom={"label": _("Withdraw"), "style": "outline-secondary", "comment": "optional"})
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        pass
