"""盘点: an institution's inventory of its patents (a case of service RVI), line by line."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules as r
from ..choices import InventoryState, ItemDecision, NotPooledReason

S = InventoryState


class Inventory(ConcurrentTransitionMixin, models.Model):
    """A university's or institute's list of patents, from an Excel upload or picked from the
    corpus by applicant name. Every line is matched to the corpus; the institution decides 入库 /
    不入库 for each matched line and submits; an operator of the center confirms or overrides
    each decision and completes it, which puts the pooled patents into the convertible pool."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="revitalization_inventory")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="inventories",
                                     verbose_name=_("institution"))
    source_name = models.CharField(_("source"), max_length=255, blank=True,
                                   help_text=_("The uploaded file's name, or the applicant name searched."))
    state = FSMField(_("state"), default=S.OPEN, choices=S.choices, protected=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("patent inventory")
        verbose_name_plural = _("patent inventories")

    def __str__(self) -> str:
        return f"{self.case.number} {self.organization}"

    @transition(field=state, source=[S.OPEN, S.RETURNED], target=S.SUBMITTED, permission=r.applicant_side,
                custom={"label": _("Submit to the center"), "style": "primary", "comment": "optional"})
    def submit(self, *, actor, comment="", payload=None) -> None:
        from ..services.inventory import inventory_check_decided

        inventory_check_decided(self)

    @transition(field=state, source=S.SUBMITTED, target=S.IN_REVIEW, permission=r.operator,
                custom={"label": _("Take for review"), "style": "primary", "comment": "optional"})
    def accept(self, *, actor, comment="", payload=None) -> None:
        self.case.assignee = actor

    @transition(field=state, source=S.IN_REVIEW, target=S.RETURNED, permission=r.operator,
                custom={"label": _("Return to the institution"), "style": "warning", "comment": "required"})
    def return_to_institution(self, *, actor, comment="", payload=None) -> None:
        self.return_reason = comment

    @transition(field=state, source=S.IN_REVIEW, target=S.COMPLETED, permission=r.operator,
                custom={"label": _("Complete: pool the accepted patents"), "style": "success", "comment": "optional"})
    def complete(self, *, actor, comment="", payload=None) -> None:
        from ..services.inventory import inventory_pool

        inventory_pool(self, actor=actor)

    @transition(field=state, source=[S.OPEN, S.RETURNED], target=S.WITHDRAWN, permission=r.applicant_side,
                custom={"label": _("Withdraw"), "style": "outline-secondary", "comment": "optional"})
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        pass


class InventoryItem(models.Model):
    """One line of an inventory: what the institution wrote, the corpus patent it matched (or
    why none did), and the two decisions — the institution's, then the center's."""

    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveIntegerField(_("line"))
    number = models.CharField(_("number as written"), max_length=60)
    patent = models.ForeignKey("patents.Patent", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="inventory_items", verbose_name=_("patent"))
    unmatched_reason = models.CharField(_("why it did not match"), max_length=200, blank=True)
    inventor_contact = models.CharField(_("inventor contact"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    institution_decision = models.CharField(_("institution's decision"), max_length=12, choices=ItemDecision.choices,
                                            default=ItemDecision.PENDING)
    institution_reason = models.CharField(_("institution's reason"), max_length=16, choices=NotPooledReason.choices,
                                          blank=True)
    center_decision = models.CharField(_("center's decision"), max_length=12, choices=ItemDecision.choices,
                                       default=ItemDecision.PENDING)
    center_reason = models.CharField(_("center's reason"), max_length=16, choices=NotPooledReason.choices, blank=True)
    reason_text = models.CharField(_("reason explained"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))

    class Meta:
        ordering = ["inventory", "line"]
        verbose_name = _("inventoried patent")
        verbose_name_plural = _("inventoried patents")
        constraints = [
            models.UniqueConstraint(fields=["inventory", "line"], name="rv_item_line_unique"),
            models.UniqueConstraint(fields=["inventory", "patent"], condition=models.Q(patent__isnull=False),
                                    name="rv_item_patent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inventory.case.number}:{self.line} {self.number}"

    @property
    def matched(self) -> bool:
        return self.patent_id is not None

    @property
    def decision(self) -> str:
        """What counts: the center's decision once made, else the institution's."""
        return self.center_decision if self.center_decision != ItemDecision.PENDING else self.institution_decision
