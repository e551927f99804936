from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..choices import Role


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(deadline__lt=today)


class Case(models.Model):
    """One entry of the platform-wide case index (办件), whatever service it belongs to.

    Each service keeps its own model with its own fields and state machine, linked by a
    one-to-one ``case``; this row mirrors what every list needs — number, service, applicant,
    status, assignee, deadline — so "my cases" and the staff worklist are one query.
    """

    number = models.CharField(_("case number"), max_length=32, unique=True)
    service = models.CharField(_("service"), max_length=16, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("applicant organization"),
    )
    status = models.CharField(_("status"), max_length=32, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    assignee_role = models.CharField(_("responsible role"), max_length=16, choices=Role.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    deadline = models.DateField(_("current deadline"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # A client-chosen key that makes a replayed submission return the case it already made.
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "service", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="case_unique_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "closed_at"]),
            models.Index(fields=["assignee_role", "closed_at"]),
            models.Index(fields=["applicant", "service"]),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @cached_property
    def spec(self):
        from ..registry import registry

        return registry.get(self.service)

    @property
    def service_name(self) -> str:
        return str(self.spec.name) if self.spec else self.service

    @property
    def status_label(self) -> str:
        return self.spec.status_label(self.status) if self.spec else self.status

    @property
    def status_badge(self) -> str:
        return self.spec.status_badge(self.status) if self.spec else "secondary"

    @property
    def last_event_label(self) -> str:
        """The last step's label, when the list annotated it (selectors.cases_of_applicant)."""
        name = getattr(self, "last_event", None)
        if not name:
            return ""
        return self.spec.transition_label(name) if self.spec else name

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.deadline is not None and not self.is_closed and self.deadline < timezone.localdate()

    @cached_property
    def detail(self):
        """The service's own record for this case (e.g. an OrganizationVerification)."""
        return self.spec.model.objects.get(case=self) if self.spec else None

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:case_detail", args=[self.number])


class CaseEvent(models.Model):
    """One step in a case's history, written in the same transaction as the transition.

    Append-only: rows are never edited or deleted (the security baseline adds database
    triggers that refuse it).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    transition = models.CharField(_("action"), max_length=50)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32)
    comment = models.TextField(_("comment"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case.number}: {self.from_state} → {self.to_state}"

    @property
    def transition_label(self) -> str:
        spec = self.case.spec
        return spec.transition_label(self.transition) if spec else self.transition

    @property
    def to_state_label(self) -> str:
        spec = self.case.spec
        return spec.status_label(self.to_state) if spec else self.to_state


class CaseSequence(models.Model):
    """The last case number issued per service and year (numbers are gap-free)."""

    service = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "year"], name="case_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.service}-{self.year}: {self.last}"
