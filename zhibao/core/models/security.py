from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    LOGIN_SUCCESS = "login_success", _("Login")
    LOGIN_FAILURE = "login_failure", _("Failed login")
    LOCKOUT = "lockout", _("Account locked")
    UNLOCK = "unlock", _("Account unlocked")
    LOGOUT = "logout", _("Logout")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    PERSONAL_DATA_EXPORT = "personal_data_export", _("Export of personal data")
    ROLE_CHANGE = "role_change", _("Role change")
    PASSWORD_CHANGE = "password_change", _("Password change")
    OTP_FAILURE = "otp_failure", _("Failed two-factor code")
    OTP_DEVICE = "otp_device", _("Two-factor device change")


class SecurityEvent(models.Model):
    """Append-only record of security-relevant events (MLPS 2.0 安全审计).

    Database triggers refuse UPDATE, and DELETE of anything younger than the retention
    period, on SQLite and PostgreSQL alike. The user is kept by id and name, not by foreign
    key, so the record outlives the account and never needs rewriting.
    """

    kind = models.CharField(_("event"), max_length=30, choices=SecurityEventKind.choices, db_index=True)
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    path = models.CharField(_("address"), max_length=300, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind} {self.username}"
