"""Deny by default, and CSRF really enforced: walk the URLconf and try every route."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Routes anybody may open. Everything else must answer a stranger with a login redirect,
# 401 or 403.
PUBLIC = {
    "/", "/healthz", "/i18n/setlang/", "/accounts/login/", "/accounts/register/",
    "/accounts/password/reset/", "/accounts/password/reset/done/", "/accounts/password/reset/complete/",
    "/accounts/password/reset/x/x/", "/api/schema/", "/api/docs/", "/api/v1/services", "/api/v1/auth/token",
    "/admin/login/",
    "/maps/x.json",  # region boundary maps (public boundaries; 404 until `zhibao load-maps`)
}
SAMPLE = {
    "number": "ORG-2026-000001", "pk": "1", "name": "accept", "uidb64": "x", "token": "x",
    "app_label": "core", "object_id": "1", "content_type_id": "1", "url": "x", "format": "json",
}


def _walk(patterns, prefix=""):
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route, p


def _concrete(route: str) -> str | None:
    """Turn a route (path() or regex) into a sample URL, or None when it cannot be filled."""
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")

    def conv(m):
        name = m.group("name")
        if m.group("conv") == "uuid":
            return "3f1e8a8e-0000-4000-8000-000000000000"
        if m.group("conv") == "int":
            return "1"
        return SAMPLE.get(name, "x")

    url = re.sub(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>", conv, route)
    url = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: SAMPLE.get(m.group("name"), "1"), url)
    url = url.replace("/?", "/")
    if any(ch in url for ch in "()[]*+?\\"):
        return None
    return "/" + url


def all_routes():
    seen = set()
    for route, _pattern in _walk(get_resolver().url_patterns):
        url = _concrete(route)
        if url and url not in seen and not url.startswith("/static/"):
            seen.add(url)
            yield url


ROUTES = sorted(all_routes())


def test_the_walk_finds_the_platform_routes():
    for expected in ["/cases/", "/worklist/", "/cases/ORG-2026-000001/", "/api/v1/cases", "/api/v1/me",
                     "/accounts/organizations/1/", "/jobs/", "/admin/"]:
        assert expected in ROUTES
    assert len(ROUTES) > 40


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_anonymous_is_refused_everywhere_but_the_public_allowlist(url, client):
    response = client.get(url)
    if url in PUBLIC or url.startswith("/admin/login"):
        assert response.status_code < 500, url
        return
    if url.startswith("/admin/"):
        # The admin redirects strangers to its own login page.
        assert response.status_code == 302 and "/login/" in response["Location"], url
        return
    assert response.status_code in (302, 401, 403), (url, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/"), url
    if url.startswith("/api/"):
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


# The API token exchange takes a password and sets no cookie, so a forged cross-site request
# gains nothing from the victim's session (the same reason DRF's obtain_auth_token is exempt).
CSRF_EXEMPT = {"/api/v1/auth/token"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in ROUTES if not u.startswith("/admin/") and u not in CSRF_EXEMPT])
def test_csrf_is_enforced_on_every_state_changing_route(url, alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(url, data={}, content_type="application/json")
        # Without a CSRF token nothing may change: 403 (CSRF) or 405 (no such method).
        assert response.status_code in (403, 405), (method, url, response.status_code)


@pytest.mark.django_db
def test_csrf_token_lets_a_real_form_through(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get("/accounts/organizations/new/")
    token = page.cookies["csrftoken"].value
    response = client.post("/accounts/organizations/join/", {"join_code": "ABCDEFGH", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
