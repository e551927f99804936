import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from stdnum.cn import ric, uscc

from zhibao.core.choices import Role
from zhibao.core.crypto import EncryptedCharField
from zhibao.core.rules import has_role

from .choices import MembershipRole, OrganizationKind, OrganizationStatus, VerificationState

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13812341234."))
industry_validator = RegexValidator(
    r"^[A-T](\d{2}|\d{3}|\d{4})?$",
    _("Enter a GB/T 4754-2017 industry code: a section letter A–T, optionally followed by 2–4 digits (e.g. C3985)."),
)


def validate_uscc(value: str) -> None:
    """统一社会信用代码 per GB 32100-2015, check character included."""
    try:
        uscc.validate(value)
    except Exception:
        raise ValidationError(
            _("“%(value)s” is not a valid unified social credit code: check its 18 characters and the last check character."),
            params={"value": value},
            code="invalid_uscc",
        )


def validate_resident_id(value: str) -> None:
    """居民身份证号 per GB 11643-1999, check character included."""
    try:
        ric.validate(value)
    except Exception:
        raise ValidationError(_("Not a valid resident ID number."), code="invalid_resident_id")


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Personal data shown on screen keeps only its ends: 13812341234 → 138****1234."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_personal(value) -> str:
    """Mask a phone (138****1234) or ID number (1101**********0011) for the change log."""
    value = str(value or "")
    return mask_middle(value, 4, 4) if len(value) >= 15 else mask_middle(value, 3, 4)


class User(AbstractUser):
    """A person who logs in: an applicant, or staff when they hold a role (group)."""

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[mobile_validator]
    )
    # Personal data: encrypted at rest, masked on screen for everyone but its owner.
    resident_id = EncryptedCharField(
        _("resident ID number"), max_length=18, blank=True, validators=[validate_resident_id]
    )
    # When the password was last set; staff passwords expire (ZHIBAO_STAFF_PASSWORD_DAYS).
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        from django.utils import timezone

        self.password_changed_at = timezone.now()

    @property
    def masked_mobile(self) -> str:
        return mask_middle(self.mobile or "", 3, 4)

    @property
    def masked_resident_id(self) -> str:
        return mask_middle(self.resident_id, 4, 4)

    @property
    def roles(self) -> frozenset[str]:
        from zhibao.core.rules import role_names

        return role_names(self)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in sorted(self.roles)]

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles)


def new_join_code() -> str:
    return secrets.token_hex(4).upper()


class Organization(models.Model):
    """An innovation entity (创新主体): enterprise, university, institute, agency, individual."""

    kind = models.CharField(_("kind"), max_length=12, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, null=True, blank=True,
        validators=[validate_uscc],
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    county = models.CharField(_("county"), max_length=30, blank=True)
    league = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("league / city"), limit_choices_to={"level": "league"},
    )
    banner = models.ForeignKey(
        "core.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("banner / county"), limit_choices_to={"level": "county"},
    )
    industry = models.CharField(_("industry (GB/T 4754)"), max_length=5, blank=True, validators=[industry_validator])
    status = models.CharField(
        _("verification status"), max_length=12, choices=OrganizationStatus.choices,
        default=OrganizationStatus.UNVERIFIED,
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    join_code = models.CharField(_("join code"), max_length=8, unique=True, default=new_join_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Every organization but an individual is a registered entity with a credit code.
        if self.kind != OrganizationKind.INDIVIDUAL and not self.uscc:
            raise ValidationError({"uscc": _("A unified social credit code is required for this kind of organization.")})
        if self.uscc:
            self.uscc = self.uscc.strip().upper()

    @property
    def status_badge(self) -> str:
        return OrganizationStatus(self.status).badge

    @property
    def industry_name(self) -> str:
        from zhibao.core.industries import industry_lookup

        found = industry_lookup(self.industry)
        return found.name if found else ""

    @property
    def is_verified(self) -> bool:
        return self.status == OrganizationStatus.VERIFIED

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:organization_detail", args=[self.pk])


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


# --- Transition permissions ------------------------------------------------------------
# A workstation clerk decides; nobody decides a case of an organization they belong to
# (separation of duties), and the applicant side may only withdraw or resubmit.

_is_clerk = has_role(Role.CLERK)


def _can_decide(instance: "OrganizationVerification", user) -> bool:
    if not _is_clerk(user) or instance.case.applicant_id == user.pk:
        return False
    return not instance.organization.memberships.filter(user=user).exists()


def _is_applicant_side(instance: "OrganizationVerification", user) -> bool:
    return instance.organization.memberships.filter(user=user, role=MembershipRole.OWNER).exists()


class OrganizationVerification(ConcurrentTransitionMixin, models.Model):
    """The ORG service's case: a request that the center verify an organization."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="org_verification")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="verifications")
    state = FSMField(_("state"), default=VerificationState.SUBMITTED, choices=VerificationState.choices, protected=True)
    snapshot = models.JSONField(_("details as submitted"), default=dict, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("organization verification")
        verbose_name_plural = _("organization verifications")

    def __str__(self) -> str:
        return f"{self.case.number} {self.organization}"

    @transition(
        field=state, source=VerificationState.SUBMITTED, target=VerificationState.IN_REVIEW,
        permission=_can_decide, custom={"label": _("Take for review"), "style": "primary", "comment": "optional"},
    )
    def accept(self, *, actor, comment="", payload=None) -> None:
        self.case.assignee = actor

    @transition(
        field=state, source=VerificationState.IN_REVIEW, target=VerificationState.VERIFIED,
        permission=_can_decide, custom={"label": _("Verify"), "style": "success", "comment": "optional"},
    )
    def verify(self, *, actor, comment="", payload=None) -> None:
        from django.utils import timezone

        org = self.organization
        org.status, org.verified_at, org.rejection_reason = OrganizationStatus.VERIFIED, timezone.now(), ""
        org.save(update_fields=["status", "verified_at", "rejection_reason", "updated_at"])

    @transition(
        field=state, source=VerificationState.IN_REVIEW, target=VerificationState.REJECTED,
        permission=_can_decide, custom={"label": _("Reject"), "style": "danger", "comment": "required"},
    )
    def reject(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment
        org = self.organization
        org.status, org.rejection_reason = OrganizationStatus.REJECTED, comment
        org.save(update_fields=["status", "rejection_reason", "updated_at"])

    @transition(
        field=state, source=VerificationState.IN_REVIEW, target=VerificationState.RETURNED,
        permission=_can_decide,
        custom={"label": _("Return for correction"), "style": "warning", "comment": "required"},
    )
    def return_for_correction(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(
        field=state, source=VerificationState.RETURNED, target=VerificationState.SUBMITTED,
        permission=_is_applicant_side, custom={"label": _("Resubmit"), "style": "primary", "comment": "optional"},
    )
    def resubmit(self, *, actor, comment="", payload=None) -> None:
        from .services import organization_snapshot

        self.snapshot = organization_snapshot(self.organization)
        self.case.assignee = None

    @transition(
        field=state, source=[VerificationState.SUBMITTED, VerificationState.RETURNED], target=VerificationState.WITHDRAWN,
        permission=_is_applicant_side, custom={"label": _("Withdraw"), "style": "outline-secondary", "comment": "optional"},
    )
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        org = self.organization
        if org.status == OrganizationStatus.PENDING:
            org.status = OrganizationStatus.UNVERIFIED
            org.save(update_fields=["status", "updated_at"])
