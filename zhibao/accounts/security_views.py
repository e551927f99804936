"""Pages of the security baseline: two-factor set-up and check, and unlocking accounts."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhibao.core.choices import Role
from zhibao.core.models import SecurityEventKind
from zhibao.core.rules import role_names
from zhibao.core.services.security import security_event_record

BACKUP_CODES = 10
MAX_OTP_FAILURES = 5


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def backup_codes_create(user) -> list[str]:
    """Replace the user's backup codes with ten new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def otp_setup(request):
    """Pair an authenticator app (TOTP, RFC 6238) and receive backup codes."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, name="default").first()
    if device is not None and device.confirmed:
        if not user.is_verified():
            return redirect(f"/accounts/2fa/verify/?next={_next(request)}")
        return render(request, "accounts/otp_setup.html", {"confirmed": True})
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")[:10]
        if device.verify_token(token):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = backup_codes_create(user)
            otp_login(request, device)
            security_event_record(kind=SecurityEventKind.OTP_DEVICE, request=request, user=user,
                                  detail={"action": "totp_confirmed"})
            return render(request, "accounts/otp_codes.html", {"codes": codes, "next": _next(request)})
        error = _("The code is wrong or expired. Check the phone's clock and enter the current 6-digit code.")
        security_event_record(kind=SecurityEventKind.OTP_FAILURE, request=request, user=user, detail={"step": "setup"})
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(request, "accounts/otp_setup.html", {
        "qr": _qr_data_uri(device.config_url), "secret": secret, "error": error, "next": _next(request),
    })


def otp_verify(request):
    """The second step of a staff login: a code from the app, or a backup code."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip().replace(" ", "")[:16]
        device = match_token(user, token) if token else None
        if device is not None:
            otp_login(request, device)
            request.session.pop("zb_otp_failures", None)
            return redirect(_next(request))
        failures = request.session.get("zb_otp_failures", 0) + 1
        request.session["zb_otp_failures"] = failures
        security_event_record(kind=SecurityEventKind.OTP_FAILURE, request=request, user=user,
                              detail={"failures": failures})
        if failures >= MAX_OTP_FAILURES:
            from django.contrib.auth import logout

            logout(request)
            messages.error(request, _("Too many wrong codes: you were logged out. Log in again."))
            return redirect("login")
        error = _("The code is wrong. Enter the 6-digit code from your authenticator app, or a backup code.")
    return render(request, "accounts/otp_verify.html", {"error": error, "next": _next(request)})


@require_POST
def otp_backup_codes(request):
    if not request.user.is_verified():
        raise PermissionDenied
    codes = backup_codes_create(request.user)
    security_event_record(kind=SecurityEventKind.OTP_DEVICE, request=request, user=request.user,
                          detail={"action": "backup_codes_regenerated"})
    return render(request, "accounts/otp_codes.html", {"codes": codes, "next": "/accounts/profile/"})


def locked_accounts(request):
    """The security administrator's list of locked accounts, with an unlock button."""
    from axes.models import AccessAttempt

    if Role.SECADMIN not in role_names(request.user):
        raise PermissionDenied
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by("-attempt_time")
    return render(request, "accounts/locked_accounts.html", {"attempts": attempts})


@require_POST
def unlock_account(request):
    from axes.utils import reset

    if Role.SECADMIN not in role_names(request.user):
        raise PermissionDenied
    username = request.POST.get("username", "")[:150]
    if reset(username=username):
        security_event_record(kind=SecurityEventKind.UNLOCK, request=request, user=request.user,
                              detail={"unlocked": username})
        messages.success(request, _("%(username)s can log in again.") % {"username": username})
    return redirect("accounts:locked_accounts")
