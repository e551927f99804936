"""Security headers on every HTML page: a CSP without inline script, nosniff, no framing."""

import pytest
from django.test import Client

from zhibao.conftest import login

pytestmark = pytest.mark.django_db


def pages(case, org):
    return ["/", "/accounts/login/", "/accounts/register/", "/cases/", "/notifications/", "/accounts/profile/",
            "/accounts/organizations/", f"/accounts/organizations/{org.pk}/", case.get_absolute_url(), "/jobs/"]


def check(response, url):
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html")
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    # No inline script anywhere: every <script> has a src.
    html = response.content.decode()
    for chunk in html.split("<script")[1:]:
        assert chunk.split(">", 1)[0].strip().startswith("src="), (url, chunk[:80])


def test_headers_on_every_page(alice, alice_case, alice_org, clerk):
    anonymous, owner = Client(), login(alice)
    for url in pages(alice_case, alice_org):
        client = anonymous if url in ("/", "/accounts/login/", "/accounts/register/") else owner
        check(client.get(url), url)
    for url in ("/worklist/", alice_case.get_absolute_url()):
        check(login(clerk).get(url), url)


def test_api_answers_carry_nosniff(alice):
    response = login(alice).get("/api/v1/me")
    assert response["X-Content-Type-Options"] == "nosniff"
