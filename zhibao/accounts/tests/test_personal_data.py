"""Personal data: resident ID numbers encrypted at rest, phone and ID masked for others."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from zhibao.conftest import login

pytestmark = pytest.mark.django_db
RESIDENT_ID = "11010519491231002X"


def raw_resident_id(user) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()[0]


def test_resident_id_is_encrypted_at_rest_and_never_equal_to_the_plaintext(alice, bob):
    alice.resident_id = RESIDENT_ID
    alice.save()
    bob.resident_id = RESIDENT_ID
    bob.save()
    raw_a, raw_b = raw_resident_id(alice), raw_resident_id(bob)
    assert RESIDENT_ID not in raw_a and raw_a.startswith("enc1:")
    assert raw_a != raw_b  # random IV: equal plaintexts do not show as equal columns
    alice.refresh_from_db()
    assert alice.resident_id == RESIDENT_ID


def test_owner_edits_own_numbers_others_see_masks(alice, alice_org, bob):
    client = login(alice)
    r = client.post("/accounts/profile/", {"display_name": "王晓丽", "email": "alice@example.org",
                                           "mobile": "13812341234", "resident_id": "110105194912310029"})
    assert r.status_code == 200 and b"is-invalid" in r.content  # wrong check character
    r = client.post("/accounts/profile/", {"display_name": "王晓丽", "email": "alice@example.org",
                                           "mobile": "13812341234", "resident_id": RESIDENT_ID})
    assert r.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert "1101**********002X" in page and "138****1234" in page
    assert RESIDENT_ID not in raw_resident_id(alice)
    me = APIClient()
    me.force_authenticate(alice)
    assert me.get("/api/v1/me").json()["mobile"] == "138****1234"
    assert "resident_id" not in me.get("/api/v1/me").json()
