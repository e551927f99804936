"""The key journey, in a real browser: Debian's Chromium driven by Playwright.

A newcomer registers, registers an organization and submits it for verification; a
workstation clerk takes the case and verifies it; the applicant then sees the verified
case in “我的办件” and the organization marked verified.

Assertions hold on stable things (element ids, URLs, case-number patterns, Bootstrap
badge classes), not on translated text. Every page is also checked for JavaScript
errors, failed requests and Content-Security-Policy violations.

Screenshots of each step go to <ZHIBAO_VAR_DIR>/screenshots/; with
ZHIBAO_UPDATE_DOC_SCREENSHOTS=1 the README's docs/screenshots/{home,my-cases}.png are
rewritten as well.

Static files: pytest-django's ``live_server`` wraps the site in
``django.contrib.staticfiles.handlers.StaticFilesHandler`` whenever
``django.contrib.staticfiles`` is installed, so /static/ is served from the finders
(static/ and the node_modules entries of STATICFILES_DIRS) with no collectstatic, as
``StaticLiveServerTestCase`` does.
"""

import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings

from zhibao.accounts.demo import make_uscc
from zhibao.conftest import PASSWORD, make_user
from zhibao.core.choices import Role

CASE_NUMBER = re.compile(r"ORG-\d{4}-\d{6}")
APPLICANT = {
    "username": "nasan",
    "display_name": "那顺",
    "mobile": "13847712345",
    "password": "Grassland-Horse-2026",
}
ORGANIZATION = {
    "kind": "enterprise",
    "name": "包头稀土永磁材料有限公司",
    "uscc": make_uscc("150203", 12345678),
    "address": "内蒙古自治区包头市昆都仑区钢铁大街88号",
    "industry": "C3985",
}


def licence_pdf() -> bytes:
    """A well-formed one-page PDF: what a scanned licence is, minus the scan."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# Bootstrap 5's --bs-primary (#0d6efd): proof that the vendored CSS was served and applied.
BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"

pytestmark = [pytest.mark.browser]


class Journey:
    """A browser page plus the record of everything that went wrong on it."""

    def __init__(self, page, base_url: str, shots: Path):
        self.page = page
        self.base_url = base_url
        self.shots = shots
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught JS error on {page.url}: {exc}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        # CSP violations reach the console too, but the DOM event says exactly what was blocked.
        page.expose_function("__zhibaoCspViolation", self._on_csp_violation)
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => window.__zhibaoCspViolation("
            "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));"
        )

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            source = msg.location.get("url") or "?"
            self.problems.append(f"console error on {self.page.url}: {msg.text} [{source}]")

    def _on_request_failed(self, request) -> None:
        self.problems.append(
            f"request failed on {self.page.url}: {request.method} {request.url} ({request.failure})"
        )

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _on_csp_violation(self, text: str) -> None:
        self.problems.append(f"CSP violation on {self.page.url}: {text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    def path_is(self, pattern: str) -> None:
        from playwright.sync_api import expect

        expect(self.page).to_have_url(re.compile("^" + re.escape(self.base_url) + pattern + r"(\?.*)?$"))

    def shot(self, name: str, *also: Path) -> None:
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=self.shots / name, full_page=True)
        for extra in also:
            extra.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=extra, full_page=True)

    def submit_main_form(self) -> None:
        """Click the submit button of the page's own form (the navbar has forms too)."""
        self.page.locator("main form[method=post] button[type=submit]").first.click()
        self.page.wait_for_load_state("load")

    def log_in(self, username: str, password: str, *, staff: bool = False) -> None:
        self.page.goto(self.url("/accounts/login/"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit_main_form()
        if staff:
            self.set_up_second_factor()
        self.path_is("/cases/")  # LOGIN_REDIRECT_URL: “我的办件”

    def set_up_second_factor(self) -> None:
        """A staff member's first login: pair an authenticator (we compute its TOTP code
        from the key shown on the page, as the phone app would), keep the backup codes."""
        import base64

        from django_otp.oath import totp

        page = self.page
        self.path_is("/accounts/2fa/setup/")
        assert page.locator("#otp-qr").count() == 1
        self.shot("07a-2fa-setup.png")
        secret = page.inner_text("#otp-secret").strip()
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("#otp-token", f"{totp(key):06d}")
        self.submit_main_form()
        assert page.locator("#backup-codes li").count() == 10, "no backup codes after pairing"
        self.shot("07b-2fa-backup-codes.png")
        page.locator("main a.btn-primary").click()
        page.wait_for_load_state("load")

    def log_out(self) -> None:
        """Through the user dropdown, which also proves Bootstrap's JavaScript runs."""
        page = self.page
        page.locator("#user-menu").click()
        logout = page.locator("nav .dropdown-menu form[action='/accounts/logout/'] button[type=submit]")
        logout.wait_for(state="visible")
        logout.click()
        page.wait_for_load_state("load")
        self.path_is("/")
        assert page.locator("nav a[href='/accounts/login/']").count() == 1, (
            "still logged in after logging out"
        )

    def check_page(self) -> None:
        """Every page: Chinese by default, Bootstrap applied."""
        page = self.page
        page.wait_for_load_state("load")  # deferred scripts have run, stylesheets applied
        assert page.get_attribute("html", "lang") == "zh-hans", f"{page.url} is not served in Chinese"
        navbar_bg = page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundColor")
        assert navbar_bg == BOOTSTRAP_PRIMARY, f"Bootstrap CSS not applied on {page.url} (navbar {navbar_bg})"
        scripts = page.evaluate("[typeof window.bootstrap, typeof window.htmx]")
        assert scripts == ["object", "object"], f"Bootstrap or htmx did not load on {page.url}: {scripts}"


def test_register_submit_verify_journey(live_server, transactional_db, browser):
    # No serialized rollback: after another transactional test's flush, post_migrate
    # recreates content types under new ids and reloading the serialized ones collides.
    # Nothing here needs the migrations' regions; the clerk's group is made on demand.
    started = time.monotonic()
    clerk = make_user("clerk", [Role.CLERK])
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    docs = Path(settings.BASE_DIR) / "docs" / "screenshots"
    update_docs = os.environ.get("ZHIBAO_UPDATE_DOC_SCREENSHOTS") == "1"

    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    j = Journey(page, live_server.url, shots)
    try:
        # 1. A newcomer opens the home page and clicks “register”.
        page.goto(j.url("/"))
        j.check_page()
        assert page.locator("#service-catalogue").count() == 1
        j.shot("01-home.png")
        page.locator("main a[href='/accounts/register/']").click()
        j.path_is("/accounts/register/")
        j.check_page()
        j.shot("02-register.png")

        # 2. Registers and lands logged in, on the organizations page.
        page.fill("#id_username", APPLICANT["username"])
        page.fill("#id_display_name", APPLICANT["display_name"])
        page.fill("#id_mobile", APPLICANT["mobile"])
        page.fill("#id_password1", APPLICANT["password"])
        page.fill("#id_password2", APPLICANT["password"])
        j.submit_main_form()
        j.path_is("/accounts/organizations/")
        j.check_page()
        assert APPLICANT["display_name"] in page.locator("#user-menu").inner_text()
        j.shot("03-registered.png")

        # 3. Registers an organization.
        page.locator("main a[href='/accounts/organizations/new/']").click()
        j.path_is("/accounts/organizations/new/")
        page.select_option("#id_kind", ORGANIZATION["kind"])
        for field in ("name", "uscc", "address", "industry"):
            page.fill(f"#id_{field}", ORGANIZATION[field])
        j.shot("04-organization-form.png")
        j.submit_main_form()
        j.path_is(r"/accounts/organizations/\d+/")
        org_path = page.url.removeprefix(live_server.url)
        assert "text-bg-secondary" in page.get_attribute("#org-status", "class")  # not verified yet
        assert page.locator("main dd.font-monospace").first.inner_text().strip() == ORGANIZATION["uscc"]
        j.shot("05-organization.png")

        # 4. Attaches the business licence, submits it for verification and gets an ORG case number.
        page.set_input_files("#id_licence", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf",
                                                    "buffer": licence_pdf()}])
        page.click("#submit-verification")
        page.wait_for_load_state("load")
        j.path_is(r"/cases/ORG-\d{4}-\d{6}/")
        number = CASE_NUMBER.search(page.url).group(0)
        assert CASE_NUMBER.fullmatch(page.locator("main .font-monospace").first.inner_text().strip())
        assert page.locator("main .alert-success").filter(has_text=number).count() == 1
        assert "text-bg-info" in page.get_attribute("#case-status", "class")  # submitted
        assert page.locator("#attachments a.attachment-link").filter(has_text="营业执照.pdf").count() == 1
        j.shot("06-case-submitted.png")
        j.log_out()

        # 5. The clerk logs in, finds the case in the worklist, takes it and verifies it.
        j.log_in(clerk.username, PASSWORD, staff=True)
        page.locator("nav a[href='/worklist/']").click()
        j.path_is("/worklist/")
        j.check_page()
        case_link = page.locator(f"#results a[href='/cases/{number}/']")
        assert case_link.count() == 1, f"{number} is not in the clerk's worklist"
        j.shot("07-worklist.png")
        case_link.click()
        j.path_is(f"/cases/{number}/")
        j.shot("08-case-clerk.png")
        page.click("[data-transition=accept]")
        page.wait_for_load_state("load")
        j.path_is(f"/cases/{number}/")
        assert "text-bg-primary" in page.get_attribute("#case-status", "class")  # in review
        j.shot("09-case-in-review.png")
        page.click("[data-transition=verify]")
        page.wait_for_load_state("load")
        j.path_is(f"/cases/{number}/")
        assert "text-bg-success" in page.get_attribute("#case-status", "class")  # verified
        assert page.locator("[data-transition]").count() == 0, "a closed case still offers transitions"
        assert page.locator("#case-events li").count() == 3  # submit, accept, verify
        j.shot("10-case-verified.png")
        j.log_out()

        # 6. The applicant sees the verified case in “我的办件” and a verified organization.
        j.log_in(APPLICANT["username"], APPLICANT["password"])
        row = page.locator("#results tbody tr").filter(has=page.locator(f"a[href='/cases/{number}/']"))
        assert row.count() == 1, f"{number} is not in the applicant's cases"
        assert row.locator(".badge.text-bg-success").count() == 1, "the case's badge is not the verified one"
        j.shot("11-my-cases.png", *([docs / "my-cases.png"] if update_docs else []))
        page.goto(j.url(org_path))
        assert "text-bg-success" in page.get_attribute("#org-status", "class")
        assert page.locator("#submit-verification").count() == 0
        j.shot("12-organization-verified.png")
        page.goto(j.url("/"))
        j.check_page()
        j.shot("13-home-applicant.png", *([docs / "home.png"] if update_docs else []))
    except Exception as exc:
        page.screenshot(path=shots / "failure.png", full_page=True)
        exc.add_note(f"page: {page.url}; screenshot: {shots / 'failure.png'}")
        for problem in j.problems:
            exc.add_note(problem)
        raise
    finally:
        context.close()

    assert not j.problems, "problems in the browser:\n" + "\n".join(j.problems)
    # The journey is a smoke test; if it gets slow, something regressed badly.
    assert time.monotonic() - started < 120
