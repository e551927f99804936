import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.models import SecurityEventKind
from zhibao.core.rules import role_names
from zhibao.core.services.security import security_event_record

# Paths an unverified staff member, or one whose password has expired, may still open.
OPEN_PATHS = ("/accounts/2fa/", "/accounts/logout/", "/accounts/password/change/", "/static/", "/i18n/", "/healthz")


def needs_second_factor(user) -> bool:
    """Staff, experts and administrators log in with a second factor (MLPS level 3)."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser or role_names(user)))


class SessionTimeoutMiddleware:
    """Idle timeout (30 min) and absolute lifetime (12 h) of a login session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            auth_at = request.session.get("zb_auth_at") or now
            seen_at = request.session.get("zb_seen_at") or now
            if now - seen_at > settings.SESSION_IDLE_SECONDS or now - auth_at > settings.SESSION_ABSOLUTE_SECONDS:
                reason = "idle" if now - seen_at > settings.SESSION_IDLE_SECONDS else "absolute"
                security_event_record(kind=SecurityEventKind.SESSION_EXPIRED, request=request, user=user,
                                      detail={"reason": reason})
                logout(request)
                if not request.path_info.startswith("/api/"):
                    messages.info(request, _("You were logged out after a period of inactivity. Please log in again.")
                                  if reason == "idle" else _("Your session has ended. Please log in again."))
                    return redirect(f"{reverse('login')}?next={request.path}")
            else:
                request.session.setdefault("zb_auth_at", auth_at)
                if now - seen_at >= 60 or "zb_seen_at" not in request.session:
                    request.session["zb_seen_at"] = now  # written at most once a minute
        return self.get_response(request)


class StaffSecurityMiddleware:
    """Before any staff page or the admin opens: a second factor, and a password younger
    than ZHIBAO_STAFF_PASSWORD_DAYS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not needs_second_factor(user) or request.path_info.startswith(OPEN_PATHS):
            return self.get_response(request)
        if settings.ZHIBAO_STAFF_2FA and not user.is_verified():
            if request.path_info.startswith("/api/"):
                from zhibao.api import error_response

                return error_response(403, "second_factor_required",
                                      _("Log in with your two-factor code first (staff accounts need it)."))
            target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        days = settings.ZHIBAO_STAFF_PASSWORD_DAYS
        changed = user.password_changed_at
        if days and (changed is None or (timezone.now() - changed).days >= days):
            if request.path_info.startswith("/api/"):
                from zhibao.api import error_response

                return error_response(403, "password_expired", _("Your password has expired. Change it first."))
            messages.warning(request, _("Your password is older than %(days)d days. Choose a new one to continue.")
                             % {"days": days})
            return redirect("password_change")
        return self.get_response(request)


def user_has_device(user) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))
