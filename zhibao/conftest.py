"""Personas shared by every test: applicants alice and bob, and one staff member per role.

Data is made through the real services (as a user would make it), never by poking rows.
"""

from pathlib import Path

import pytest
from django.test import Client

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.demo import make_uscc
from zhibao.accounts.services import (
    organization_create,
    organization_verification_submit,
    user_register,
    user_set_roles,
)
from zhibao.core.choices import Role

PASSWORD = "Correct-Horse-Battery-9"


def make_user(username: str, roles=(), mobile=None):
    user = user_register(username=username, password=PASSWORD, email=f"{username}@example.org", mobile=mobile,
                         display_name=username.title())
    if roles:
        user_set_roles(user=user, roles=list(roles))
    return user


def make_org(owner, name: str, serial: int, address="内蒙古自治区包头市昆都仑区钢铁大街1号", kind=OrganizationKind.ENTERPRISE):
    return organization_create(user=owner, kind=kind, name=name, uscc=make_uscc("150203", serial), address=address,
                               industry="C3985")


@pytest.fixture
def alice(db):
    return make_user("alice", mobile="13812341234")


@pytest.fixture
def bob(db):
    return make_user("bob", mobile="13912345678")


@pytest.fixture
def clerk(db):
    return make_user("clerk", [Role.CLERK])


@pytest.fixture
def clerk2(db):
    return make_user("clerk2", [Role.CLERK])


@pytest.fixture
def examiner(db):
    return make_user("examiner", [Role.EXAMINER])


@pytest.fixture
def operator(db):
    return make_user("operator", roles=[Role.OPERATOR])


@pytest.fixture
def expert(db):
    return make_user("expert", [Role.EXPERT])


@pytest.fixture
def leader(db):
    return make_user("leader", [Role.LEADER])


@pytest.fixture
def sysadmin(db):
    return make_user("sysadmin", [Role.SYSADMIN])


@pytest.fixture
def secadmin(db):
    return make_user("secadmin", [Role.SECADMIN])


@pytest.fixture
def auditadmin(db):
    return make_user("auditadmin", [Role.AUDITADMIN])


@pytest.fixture
def alice_org(alice):
    return make_org(alice, "包头稀土新材料科技有限公司", 10000001)


@pytest.fixture
def bob_org(bob):
    return make_org(bob, "鄂尔多斯绿能储能科技有限公司", 10000002, address="内蒙古自治区鄂尔多斯市康巴什区滨河路12号")


@pytest.fixture
def alice_case(alice, alice_org):
    """alice's organization submitted for verification: an ORG case in state `submitted`."""
    verification, _ = organization_verification_submit(organization=alice_org, user=alice)
    return verification.case


def pass_second_factor(client: Client, user) -> None:
    """Mark the client's session as past the two-factor check, as a staff login would be."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login(user, *, second_factor: bool = True) -> Client:
    """A client logged in as `user`; staff pass the second factor unless told not to."""
    from zhibao.accounts.middleware import needs_second_factor

    client = Client()
    client.force_login(user)
    if second_factor and needs_second_factor(user):
        pass_second_factor(client, user)
    return client


@pytest.fixture
def as_user():
    return login


@pytest.fixture
def patent_index(settings, tmp_path):
    """A search index of the test's own: the index lives outside the database's rollback, so
    patents indexed by one test would otherwise be found by the next. The patents, navigation and
    revitalization tests use it for every test (their conftests make it autouse)."""
    from zhibao.patents.search import reset_engine

    settings.PATENT_INDEX_DIR = tmp_path / "patent-index"
    reset_engine()
    yield settings.PATENT_INDEX_DIR
    reset_engine()


# --- a real browser ---------------------------------------------------------------------------
# Debian's Chromium through Playwright, as the guide says pages are tested; a machine without it
# skips the browser tests, saying why.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser(monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
