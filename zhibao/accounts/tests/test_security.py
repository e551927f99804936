"""Accounts and sessions: passwords, lockout, timeouts, two factors, separation of duties.

Figures under test: 5 failures → 30-minute lock; 30 idle minutes; 12-hour sessions;
staff passwords 90 days; ≥12 characters of ≥3 classes.
"""

import base64
import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from zhibao.accounts.services import user_set_roles
from zhibao.conftest import PASSWORD, login, make_user
from zhibao.core.choices import Role
from zhibao.core.models import SecurityEvent

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# --- Passwords ---------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "ok"), [
    ("Short-1a", False),  # 8 characters
    ("abcdefghijkl", False),  # one class
    ("abcdefghijk1", False),  # two classes
    ("Password1234", False),  # three classes but a common password
    ("Zhibao-2026-ip", True),  # 14 characters, 4 classes
    ("correct horse battery staple 2026 and then some more words to pass 64 chars", True),  # long passphrase
    ("长城-Beijing-2026", True),  # Chinese characters count as symbols
])
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_setting_a_password_stamps_its_age(alice):
    assert alice.password_changed_at is not None


def test_staff_password_expires_after_90_days_applicants_never(alice, alice_case):
    clerk = make_user("clerk", [Role.CLERK])
    with time_machine.travel(clerk.password_changed_at + dt.timedelta(days=91)):
        response = login(clerk).get("/worklist/")
        assert response.status_code == 302 and response["Location"] == "/accounts/password/change/"
        assert login(alice).get("/cases/").status_code == 200
        client = login(clerk)
        new = "Another-Strong-2026"
        r = client.post("/accounts/password/change/", {"old_password": PASSWORD, "new_password1": new,
                                                        "new_password2": new})
        assert r.status_code == 302
        assert client.get("/worklist/").status_code == 200


# --- Lockout -----------------------------------------------------------------------------

def _try(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_30_minutes_even_for_the_right_password(alice):
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        for _ in range(4):
            assert _try(client, "alice", "wrong-password-1").status_code == 200
        # The fifth failure, by mobile number, counts for the same account.
        locked = _try(client, "13812341234", "wrong-password-1")
        assert locked.status_code == 403 and "30" in locked.content.decode()
        right = _try(Client(), "alice", PASSWORD)
        assert right.status_code == 403 and b'id="lockout-message"' in right.content
        clock.shift(dt.timedelta(minutes=29))
        assert _try(Client(), "alice", PASSWORD).status_code == 403
        # Every attempt during the lock starts the 30 minutes again (django-axes counts it
        # as a failure), so a password-guessing script never gets back in.
        clock.shift(dt.timedelta(minutes=29))
        assert _try(Client(), "alice", PASSWORD).status_code == 403
        clock.shift(dt.timedelta(minutes=31))
        assert _try(Client(), "alice", PASSWORD).status_code == 302
    kinds = list(SecurityEvent.objects.filter(username="alice").values_list("kind", flat=True))
    assert kinds.count("login_failure") >= 5 and "lockout" in kinds and "login_success" in kinds


def test_the_api_token_exchange_is_locked_too(alice):
    client = APIClient()
    for _ in range(5):
        client.post("/api/v1/auth/token", {"username": "alice", "password": "wrong-password-1"}, format="json")
    r = client.post("/api/v1/auth/token", {"username": "alice", "password": PASSWORD}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "locked_out"


def test_security_admin_unlocks(alice):
    secadmin = make_user("secadmin", [Role.SECADMIN])
    admin = login(secadmin)  # before the failures: a login resets attempts (AXES_RESET_ON_SUCCESS)
    assert login(alice).get("/accounts/security/locked/").status_code == 403
    for _ in range(5):
        _try(Client(), "alice", "wrong-password-1")
    assert _try(Client(), "alice", PASSWORD).status_code == 403
    page = admin.get("/accounts/security/locked/")
    assert b"alice" in page.content
    admin.post("/accounts/security/unlock/", {"username": "alice"})
    assert _try(Client(), "alice", PASSWORD).status_code == 302
    assert SecurityEvent.objects.filter(kind="unlock", username="secadmin").exists()


# --- Sessions ----------------------------------------------------------------------------

def test_idle_timeout_30_minutes(alice):
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        _try(client, "alice", PASSWORD)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # active 29 minutes ago: still in
        assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        r = client.get("/cases/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
        assert client.get("/cases/").status_code == 302  # the old session is gone
    assert SecurityEvent.objects.filter(kind="session_expired", detail__reason="idle").exists()


def test_absolute_lifetime_12_hours_even_when_active(alice):
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        _try(client, "alice", PASSWORD)
        for _ in range(28):  # busy every 25 minutes for 11 h 40 min
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/cases/").status_code == 200
        clock.shift(dt.timedelta(minutes=25))  # 12 h 05 min after login
        assert client.get("/cases/").status_code == 302
    assert SecurityEvent.objects.filter(kind="session_expired", detail__reason="absolute").exists()


def test_login_issues_a_new_session_key(alice):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-key"
    _try(client, "alice", PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-key"


# --- Two factors -------------------------------------------------------------------------

def _code(device) -> str:
    return f"{totp(device.bin_key):06d}"


def test_staff_pages_and_admin_need_a_second_factor(alice_case):
    clerk = make_user("clerk", [Role.CLERK])
    client = login(clerk, second_factor=False)
    for url in ("/worklist/", alice_case.get_absolute_url(), "/admin/", "/cases/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/setup/"), url
    # Session-authenticated API calls by an unverified staff member are refused too.
    r = client.get("/api/v1/cases")
    assert r.status_code == 403 and r.json()["code"] == "second_factor_required"
    # Pairing the authenticator opens the workbench and hands out 10 backup codes.
    page = client.get("/accounts/2fa/setup/")
    assert b'id="otp-qr"' in page.content
    device = TOTPDevice.objects.get(user=clerk)
    r = client.post("/accounts/2fa/setup/", {"token": _code(device)})
    assert r.content.count(b"<li class=\"list-group-item\">") == 10
    assert client.get("/worklist/").status_code == 200


def test_verify_with_app_code_or_backup_code_and_wrong_codes_log_out():
    clerk = make_user("clerk", [Role.CLERK])
    setup = login(clerk, second_factor=False)
    device = TOTPDevice.objects.create(user=clerk, name="default", confirmed=False)
    codes_page = setup.post("/accounts/2fa/setup/", {"token": _code(device)}).content.decode()
    backup = codes_page.split('<li class="list-group-item">')[1].split("<")[0]

    again = Client()
    _try(again, "clerk", PASSWORD)
    r = again.get("/worklist/")
    assert r["Location"].startswith("/accounts/2fa/verify/")
    assert again.post("/accounts/2fa/verify/", {"token": backup, "next": "/worklist/"})["Location"] == "/worklist/"
    assert again.get("/worklist/").status_code == 200

    reuse = Client()
    _try(reuse, "clerk", PASSWORD)
    assert b"is-invalid" in reuse.post("/accounts/2fa/verify/", {"token": backup}).content  # single use
    for _ in range(3):
        reuse.post("/accounts/2fa/verify/", {"token": "000000"})
    r = reuse.post("/accounts/2fa/verify/", {"token": "111111"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert SecurityEvent.objects.filter(kind="otp_failure", user_id=clerk.pk).count() >= 5


def test_staff_token_needs_the_second_factor():
    clerk = make_user("clerk", [Role.CLERK])
    device = TOTPDevice.objects.create(user=clerk, name="default", confirmed=True)
    client = APIClient()
    r = client.post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD}, format="json")
    assert r.status_code == 400 and "otp" in r.json()["fields"]
    r = client.post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD, "otp": _code(device)},
                    format="json")
    assert r.status_code == 200 and r.json()["token"]


def test_applicants_need_no_second_factor(alice):
    assert login(alice, second_factor=False).get("/cases/").status_code == 200


# --- Separation of duties ----------------------------------------------------------------

@pytest.mark.parametrize("roles", [
    [Role.SYSADMIN, Role.SECADMIN], [Role.SECADMIN, Role.AUDITADMIN], [Role.AUDITADMIN, Role.CLERK],
])
def test_the_three_admins_are_distinct_people(roles):
    user = make_user("someone")
    with pytest.raises(ValidationError):
        user_set_roles(user=user, roles=roles)


def test_role_changes_are_security_events():
    secadmin = make_user("secadmin", [Role.SECADMIN])
    user = make_user("newclerk")
    user_set_roles(user=user, roles=[Role.CLERK, Role.EXAMINER], actor=secadmin)
    event = SecurityEvent.objects.filter(kind="role_change", detail__username="newclerk").latest("id")
    assert event.detail["after"] == ["clerk", "examiner"] and event.username == "secadmin"


def test_key_derivation_helper():
    # base32 of the device key is what the set-up page shows to type by hand.
    device = TOTPDevice(key="3132333435363738393031323334353637383930")
    assert base64.b32encode(device.bin_key).decode().startswith("GEZDGNBVGY3TQOJQ")
