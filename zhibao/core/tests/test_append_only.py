"""The audit tables refuse UPDATE and early DELETE in the database itself (SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from zhibao.core.models import CaseEvent, SecurityEvent

pytestmark = pytest.mark.django_db


def refused(sql: str, params=()) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_security_events_refuse_update_and_delete():
    event = SecurityEvent.objects.create(kind="login_failure", username="alice")
    assert refused("UPDATE core_securityevent SET username = 'mallory' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM core_securityevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).update(username="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).username == "alice"


def test_case_events_refuse_update_and_delete(alice_case):
    event = alice_case.events.get()
    assert refused("UPDATE core_caseevent SET comment = 'rewritten' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM core_caseevent WHERE id = %s", [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).comment == ""


def test_rows_past_retention_can_be_pruned_but_not_edited():
    old = timezone.now() - dt.timedelta(days=181)
    # Inserting an old row is allowed (a restore); only UPDATE/DELETE are guarded.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_securityevent (kind, username, user_agent, path, detail, created_at) "
            "VALUES ('logout', 'old', '', '', '{}', %s)", [old]
        )
    row = SecurityEvent.objects.get(username="old")
    assert refused("UPDATE core_securityevent SET username = 'x' WHERE id = %s", [row.pk])
    assert not refused("DELETE FROM core_securityevent WHERE id = %s", [row.pk])
    assert not SecurityEvent.objects.filter(username="old").exists()
