"""可转化专利资源库: the convertible pool, its grades, enterprises' evaluations and contacts."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import Grade, PoolStatus


class PoolPatentQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(status=PoolStatus.LISTED)


class PoolPatent(models.Model):
    """A corpus patent offered for transfer or licence by its holder. The grade is computed
    (grading.py) from the patent, its industry fit and enterprises' evaluations; `score_parts`
    keeps each factor's contribution so the page explains the grade line by line, and
    `graded_version` the grading settings' version it was computed with."""

    patent = models.OneToOneField("patents.Patent", on_delete=models.PROTECT, related_name="pool_entry",
                                  verbose_name=_("patent"))
    holder = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="pool_patents",
                               verbose_name=_("holder"))
    source_item = models.ForeignKey("revitalization.InventoryItem", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("inventory line"))
    status = models.CharField(_("status"), max_length=12, choices=PoolStatus.choices, default=PoolStatus.LISTED,
                              db_index=True)
    modes = models.JSONField(_("offered for"), default=list, blank=True,
                             help_text=_("Cooperation modes the holder offers: assignment, licence, …"))
    asking_price = models.DecimalField(_("asking price (10,000 yuan)"), max_digits=12, decimal_places=2, null=True,
                                       blank=True)
    description = models.TextField(_("description for enterprises"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    industries = models.ManyToManyField("revitalization.KeyIndustry", blank=True, related_name="pool_patents",
                                        verbose_name=_("key industries"))
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True, db_index=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    score_parts = models.JSONField(_("score by factor"), default=list, blank=True)
    graded_version = models.PositiveIntegerField(_("grading version"), default=0)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    listed_at = models.DateTimeField(_("listed at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PoolPatentQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("pool patent")
        verbose_name_plural = _("pool patents")

    def __str__(self) -> str:
        return f"{self.patent.publication_number} {self.patent.title[:40]}"


class MarketEvaluation(models.Model):
    """An enterprise's market evaluation of a pool patent (1–5 and a comment); one per
    enterprise and patent, updated when it rates again. Grading averages them."""

    pool_patent = models.ForeignKey(PoolPatent, on_delete=models.CASCADE, related_name="evaluations")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("enterprise"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("rated by"))
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("market evaluation")
        verbose_name_plural = _("market evaluations")
        constraints = [models.UniqueConstraint(fields=["pool_patent", "organization"], name="rv_eval_once")]

    def __str__(self) -> str:
        return f"{self.organization} {self.rating}/5"


class ContactRequest(models.Model):
    """An enterprise asks the holder about a pool patent through the platform: the holder's
    members are notified and answer in the platform; no contact detail is shown to strangers."""

    pool_patent = models.ForeignKey(PoolPatent, on_delete=models.CASCADE, related_name="contacts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("from"))
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("enterprise"))
    message = models.TextField(_("message"))
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("replied by"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")

    def __str__(self) -> str:
        return f"{self.user} → {self.pool_patent}"
