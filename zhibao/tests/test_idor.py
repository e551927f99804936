"""IDOR matrix: every object endpoint × {owner, other applicant, staff of another role,
unassigned expert, anonymous} × {read, write} — only the right people succeed, and a
refusal never tells a stranger that the object exists (same answer as for no object).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token

from zhibao.conftest import login, make_user
from zhibao.core.attachments.services import attachment_add
from zhibao.core.choices import Role
from zhibao.core.models import Job, Notification
from zhibao.core.tests.test_attachments import pdf_bytes

pytestmark = pytest.mark.django_db

PERSONAS = ("owner", "other_applicant", "other_role_staff", "unassigned_expert", "anonymous", "handler")


@pytest.fixture
def world(alice, bob, alice_case, alice_org):
    people = {
        "owner": alice,
        "other_applicant": bob,
        "other_role_staff": make_user("examiner", [Role.EXAMINER]),
        "unassigned_expert": make_user("expert", [Role.EXPERT]),
        "anonymous": None,
        "handler": make_user("clerk", [Role.CLERK]),
    }
    job = Job.objects.create(name="cases_export", title="导出", owner=alice)
    note = Notification.objects.create(recipient=alice, title="通知", case=alice_case)
    attachment = attachment_add(case=alice_case, kind="licence", user=alice,
                                uploaded_file=SimpleUploadedFile("营业执照.pdf", pdf_bytes(), "application/pdf"))
    return {"people": people, "case": alice_case, "org": alice_org, "job": job, "note": note, "file": attachment}


def page_client(user) -> Client:
    return Client() if user is None else login(user)


def api_client(user) -> Client:
    client = Client()
    if user is not None:
        client.defaults["HTTP_AUTHORIZATION"] = "Token " + Token.objects.get_or_create(user=user)[0].key
    return client


# (name, kind, method, url template, body, personas allowed)
ENDPOINTS = [
    ("case page", "page", "get", "/cases/{case}/", None, {"owner", "handler"}),
    ("case transition", "page", "post", "/cases/{case}/transitions/withdraw/", {}, {"owner"}),
    ("case transition by staff", "page", "post", "/cases/{case}/transitions/accept/", {}, {"handler"}),
    ("organization page", "page", "get", "/accounts/organizations/{org}/", None, {"owner", "handler", "other_role_staff"}),
    ("organization edit", "page", "post", "/accounts/organizations/{org}/edit/", {"kind": "enterprise", "name": "x"}, {"owner"}),
    ("organization verify", "page", "post", "/accounts/organizations/{org}/verify/", {}, {"owner"}),
    ("job page", "page", "get", "/jobs/{job}/", None, {"owner"}),
    ("job download", "page", "get", "/jobs/{job}/download/", None, set()),  # no file yet: 404 for all
    ("attachment download", "page", "get", "/attachments/{file}/", None, {"owner", "handler"}),
    ("api case", "api", "get", "/api/v1/cases/{case}", None, {"owner", "handler"}),
    ("api case events", "api", "get", "/api/v1/cases/{case}/events", None, {"owner", "handler"}),
    ("api transition", "api", "post", "/api/v1/cases/{case}/transitions/withdraw", {}, {"owner"}),
    ("api organization", "api", "get", "/api/v1/organizations/{org}", None, {"owner", "handler", "other_role_staff"}),
    # The owner is allowed, but the organization is under verification: a business refusal (409).
    ("api organization patch", "api", "patch", "/api/v1/organizations/{org}", {"name": "篡改"}, {"owner"}),
    ("api organization delete", "api", "delete", "/api/v1/organizations/{org}", None, set()),
    ("api verification", "api", "post", "/api/v1/organizations/{org}/verification", {}, {"owner"}),
    ("api job", "api", "get", "/api/v1/jobs/{job}", None, {"owner"}),
]
MISSING = {"case": "ORG-2026-999999", "org": 999999, "job": "00000000-0000-4000-8000-000000000000",
           "file": "00000000-0000-4000-8000-000000000001"}


def _call(kind, user, method, url, body):
    client = page_client(user) if kind == "page" else api_client(user)
    kwargs = {}
    if body is not None:
        kwargs = {"data": body} if kind == "page" else {"data": body, "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


def _url(template, world, missing=False):
    values = MISSING if missing else {"case": world["case"].number, "org": world["org"].pk, "job": world["job"].pk,
                                      "file": world["file"].pk}
    return template.format(**values)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "method", "template", "body", "allowed"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_idor_matrix(world, persona, name, kind, method, template, body, allowed):
    user = world["people"][persona]
    response = _call(kind, user, method, _url(template, world), body)
    status = response.status_code
    if persona in allowed:
        assert status in (200, 201, 302, 409), (name, persona, status)
        if status == 409:
            assert response.json()["code"] in {"pending", "duplicate"}, (name, response.json())
        if status == 302:
            assert not response["Location"].startswith("/accounts/login/"), (name, persona)
        return
    if user is None:
        assert status in ((302,) if kind == "page" else (401,)), (name, status)
        if kind == "page":
            assert response["Location"].startswith("/accounts/login/")
        return
    assert status in (403, 404, 405), (name, persona, status)
    # No existence leak: the same refusal as for an object that does not exist.
    ghost = _call(kind, user, method, _url(template, world, missing=True), body)
    if status == 404:
        assert ghost.status_code == 404, (name, persona)


def test_notifications_of_others_cannot_be_read_or_marked(world):
    note = world["note"]
    bob = world["people"]["other_applicant"]
    login(bob).post("/notifications/read/", {"id": note.pk})
    api_client(bob).post("/api/v1/notifications/read", {"ids": [note.pk]}, content_type="application/json")
    note.refresh_from_db()
    assert note.read_at is None
    listed = api_client(bob).get("/api/v1/notifications").json()
    assert listed["count"] == 0
