"""The portal's pages as each persona sees them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter

from zhibao.accounts.choices import OrganizationStatus
from zhibao.conftest import PASSWORD, login
from zhibao.core.models import Case, Notification

pytestmark = pytest.mark.django_db


def test_home_shows_the_catalogue_to_anyone(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b'id="service-catalogue"' in page.content and b"/accounts/organizations/" in page.content


def test_pages_are_chinese_by_default_and_english_on_request(client):
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()


def test_register_then_create_organization_reads_regions_from_address(client):
    r = client.post("/accounts/register/", {
        "username": "carol", "display_name": "卡罗", "mobile": "13700001111", "email": "",
        "password1": PASSWORD, "password2": PASSWORD,
    })
    assert r.status_code == 302
    from zhibao.accounts.demo import make_uscc

    r = client.post("/accounts/organizations/new/", {
        "kind": "university", "name": "示范大学", "uscc": make_uscc("150105", 77, kind="12"),
        "address": "内蒙古自治区呼和浩特市赛罕区大学西路235号", "industry": "P8341",
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    org = Case.objects.none().model._meta.apps.get_model("accounts", "Organization").objects.get(name="示范大学")
    assert (org.province, org.city, org.county) == ("内蒙古自治区", "呼和浩特市", "赛罕区")
    assert org.league.code == "150100" and org.banner.code == "150105"


def test_register_rejects_weak_password_and_keeps_the_form(client):
    r = client.post("/accounts/register/", {"username": "dave", "display_name": "D", "mobile": "",
                                            "password1": "12345678", "password2": "12345678"})
    assert r.status_code == 200
    assert b'value="dave"' in r.content and b"is-invalid" in r.content


def test_bad_uscc_is_refused_with_a_reason_and_the_form_kept(alice):
    r = login(alice).post("/accounts/organizations/new/", {"kind": "enterprise", "name": "某公司", "uscc": "911502031234567890"})
    assert r.status_code == 200 and b'value="\xe6\x9f\x90\xe5\x85\xac\xe5\x8f\xb8"' in r.content
    assert b"invalid-feedback" in r.content


def test_login_by_username_or_mobile(alice):
    for name in ("alice", "13812341234"):
        client = Client()
        r = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
        assert r.status_code == 302, name
    r = Client().post("/accounts/login/", {"username": "alice", "password": "wrong-password-1"})
    assert r.status_code == 200 and b"alert-danger" in r.content


def test_logout_makes_the_old_session_useless(alice):
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    cookie = client.cookies["sessionid"].value
    client.post("/accounts/logout/")
    stale = Client()
    stale.cookies["sessionid"] = cookie
    assert stale.get("/cases/").status_code == 302


def test_my_cases_lists_across_services_with_filters(alice, alice_case, bob):
    page = login(alice).get("/cases/")
    assert alice_case.number.encode() in page.content
    assert alice_case.number.encode() not in login(alice).get("/cases/?service=XYZ").content
    assert alice_case.number.encode() in login(alice).get("/cases/?q=包头").content
    fragment = login(alice).get("/cases/?service=ORG", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and alice_case.number.encode() in fragment.content
    assert alice_case.number.encode() not in login(bob).get("/cases/").content


def test_bob_cannot_open_alices_case(alice_case, bob):
    assert login(bob).get(alice_case.get_absolute_url()).status_code == 404
    r = login(bob).post(f"/cases/{alice_case.number}/transitions/withdraw/")
    assert r.status_code == 404
    alice_case.refresh_from_db()
    assert alice_case.status == "submitted"


def test_worklist_is_for_staff_only_and_shows_waiting_cases(alice_case, alice, clerk, expert):
    assert login(alice).get("/worklist/").status_code == 403
    page = login(clerk).get("/worklist/")
    assert alice_case.number.encode() in page.content
    assert alice_case.number.encode() not in login(expert).get("/worklist/").content


def test_clerk_verifies_from_the_case_page(alice_case, alice, alice_org, clerk):
    c = login(clerk)
    page = c.get(alice_case.get_absolute_url())
    assert b'data-transition="accept"' in page.content
    c.post(f"/cases/{alice_case.number}/transitions/accept/", {"comment": ""})
    page = c.get(alice_case.get_absolute_url())
    assert b'data-transition="verify"' in page.content and b'data-transition="reject"' in page.content
    r = c.post(f"/cases/{alice_case.number}/transitions/reject/", {"comment": ""}, follow=True)
    assert b"alert-danger" in r.content  # a reason is required: clear error, nothing changed
    c.post(f"/cases/{alice_case.number}/transitions/verify/", {"comment": "通过"})
    alice_org.refresh_from_db()
    assert alice_org.status == OrganizationStatus.VERIFIED
    page = login(alice).get("/cases/")
    assert b"text-bg-success" in page.content
    inbox = login(alice).get("/notifications/")
    assert alice_case.number.encode() in inbox.content
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 2
    login(alice).post("/notifications/read/", {})
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0


def test_double_submit_from_the_form_makes_one_case(alice, alice_org):
    c = login(alice)
    writer, buf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(buf)
    pdf = buf.getvalue()  # the business licence, now required with the submission
    for _ in range(2):
        licence = SimpleUploadedFile("营业执照.pdf", pdf, content_type="application/pdf")
        c.post(f"/accounts/organizations/{alice_org.pk}/verify/", {"idempotency_key": "form-key-1", "licence": licence})
    assert Case.objects.filter(organization=alice_org).count() == 1


def test_join_an_organization_with_its_code(alice_org, bob):
    c = login(bob)
    assert c.get(alice_org.get_absolute_url()).status_code == 404
    c.post("/accounts/organizations/join/", {"join_code": alice_org.join_code})
    assert c.get(alice_org.get_absolute_url()).status_code == 200


def test_profile_masks_phone(alice):
    page = login(alice).get("/accounts/profile/").content.decode()
    assert "138****1234" in page


def test_healthz_reports_database_and_worker(client):
    data = client.get("/healthz").json()
    assert data["checks"]["database"]["ok"] is True
    assert data["checks"]["worker"]["ok"] is False  # no worker runs in this test
    assert data["status"] == "degraded"
