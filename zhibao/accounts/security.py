"""Login protection: lockout (django-axes), security events for logins, session stamps."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.models import SecurityEventKind
from zhibao.core.services.security import security_event_record


def axes_username(request, credentials) -> str:
    """Count failures per account, whether the person typed the username or the mobile
    number — otherwise both spellings would each get five tries."""
    given = ((credentials or {}).get("username") or (request.POST.get("username", "") if request else "")).strip()
    if given.isdigit() and len(given) == 11:
        found = get_user_model().objects.filter(mobile=given).values_list("username", flat=True).first()
        if found:
            return found
    return given


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "This account is locked for %(minutes)d minutes after %(limit)d wrong passwords. "
        "Try again later, or ask the security administrator to unlock it."
    ) % {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT}


def lockout_response(request, original_response=None, credentials=None):
    """The locked-out answer: the login page with the reason (pages) or the JSON error (API)."""
    from zhibao.api import error_response

    if request.path_info.startswith("/api/"):
        return error_response(403, "locked_out", lockout_message())
    from .forms import LoginForm

    return render(request, "registration/login.html", {"form": LoginForm(request), "lockout": lockout_message()},
                  status=403)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session["zb_auth_at"] = now
        request.session["zb_seen_at"] = now
    security_event_record(kind=SecurityEventKind.LOGIN_SUCCESS, request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = axes_username(request, credentials) if request is not None else (credentials or {}).get("username", "")
    security_event_record(kind=SecurityEventKind.LOGIN_FAILURE, request=request, username=username)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=SecurityEventKind.LOGOUT, request=request, user=user)


def _connect_axes() -> None:
    from axes.signals import user_locked_out

    @receiver(user_locked_out, weak=False)
    def on_lockout(sender, request, username, ip_address, **kwargs):
        security_event_record(kind=SecurityEventKind.LOCKOUT, request=request, username=username or "")


_connect_axes()
