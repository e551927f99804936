"""The audit trail: change log with masked personal data, security events, log hygiene,
retention and the audit administrator's search."""

import datetime as dt
import logging

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from zhibao.accounts.services import organization_update
from zhibao.conftest import PASSWORD, login, make_user
from zhibao.core.choices import Role
from zhibao.core.models import SecurityEvent

pytestmark = pytest.mark.django_db


def test_business_changes_are_logged_with_the_actor(alice, alice_org):
    client = login(alice)
    client.post(f"/accounts/organizations/{alice_org.pk}/edit/", {
        "kind": "enterprise", "name": "包头稀土新材料股份有限公司", "uscc": alice_org.uscc, "address": alice_org.address,
        "industry": "C3985",
    })
    entry = LogEntry.objects.get_for_object(alice_org).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == alice and "name" in entry.changes_dict


def test_personal_data_is_masked_in_the_change_log(alice):
    alice.mobile = "13900001111"
    alice.save()
    entry = LogEntry.objects.get_for_object(alice).latest("timestamp")
    text = str(entry.changes)
    assert "13900001111" not in text and "139****1111" in text
    assert "password" not in entry.changes_dict


def test_logs_never_carry_passwords_tokens_or_full_numbers(caplog, alice):
    secret_token = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with caplog.at_level(logging.DEBUG):
        Client().post("/accounts/login/", {"username": "13812341234", "password": "Wrong-Password-99"})
        Client().get(f"/accounts/password/reset/MQ/{secret_token}/")
        Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {secret_token}")
        Client().post("/accounts/register/", {"username": "dave", "display_name": "D", "mobile": "13700002222",
                                              "password1": "Dave-Password-2026", "password2": "Dave-Password-2026"})
        # Any library that logs carelessly is covered too.
        logging.getLogger("somewhere.else").warning(
            "user mobile=%s id=%s password=%s token %s", "13812341234", "110101199003070011", "Hunter-2-Secret",
            f"Authorization: Token {secret_token}",
        )
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in ("13812341234", "13700002222", "110101199003070011", "Hunter-2-Secret", "Wrong-Password-99",
                   "Dave-Password-2026", PASSWORD, secret_token):
        assert secret not in text, secret
    assert "138****1234" in text  # redacted, not dropped


def test_security_events_for_logins_denials_and_exports(alice, alice_case, bob):
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong-password-1"})
    Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    login(alice).get("/worklist/")  # an applicant at a staff page
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {"login_failure", "login_success", "permission_denied"} <= kinds
    auditor = make_user("auditadmin", [Role.AUDITADMIN])
    response = login(auditor).get("/audit/?export=xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    assert SecurityEvent.objects.filter(kind="personal_data_export", username="auditadmin").exists()


def test_only_the_audit_admin_searches_the_audit_trail(alice):
    Client().post("/accounts/login/", {"username": "alice", "password": "wrong-password-1"})
    auditor = make_user("auditadmin", [Role.AUDITADMIN])
    page = login(auditor).get("/audit/?kind=login_failure&username=alice")
    assert page.status_code == 200 and page.content.count(b"<tr><td") == 1
    assert login(auditor).get("/audit/changes/?q=alice").status_code == 200
    for role in (Role.SYSADMIN, Role.SECADMIN, Role.CLERK):
        other = make_user(f"u-{role}", [role])
        assert login(other).get("/audit/").status_code == 403, role
    assert login(alice).get("/audit/").status_code == 403


def test_retention_nothing_younger_than_180_days_is_pruned():
    old = timezone.now() - dt.timedelta(days=400)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_securityevent (kind, username, user_agent, path, detail, created_at) "
                       "VALUES ('logout', 'old', '', '', '{}', %s)", [old])
    SecurityEvent.objects.create(kind="logout", username="young")
    with pytest.raises(CommandError):
        call_command("prune-audit", "--days", "30")
    call_command("prune-audit", "--days", "365")
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["young"]


def test_organization_update_through_the_service_is_logged(alice, alice_org):
    organization_update(organization=alice_org, user=alice, address="内蒙古自治区呼和浩特市赛罕区大学西路1号")
    assert LogEntry.objects.get_for_object(alice_org).filter(action=LogEntry.Action.UPDATE).exists()
