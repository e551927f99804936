"""The channel's key journey in a real browser (Debian's Chromium through Playwright), one
person per browser context: alice files her organization, a clerk approves the filing; alice
submits an invention; an examiner fails the formal check; alice replies with a revised claims
document; the formal check passes and the case goes to the least-loaded examiner, who starts,
writes the opinion and qualifies it; alice records the CNIPA application number; the examiner
records the grant. Every page is checked for JavaScript errors and failed requests; a
screenshot of each step goes to <ZHIBAO_VAR_DIR>/screenshots/pre_exam/.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from zhibao.conftest import login
from zhibao.core.models import Attachment
from zhibao.core.tests.test_attachments import pdf_bytes
from zhibao.pre_exam.choices import DocumentKind, FilingState, PreExamState
from zhibao.pre_exam.models import Filing, PreExamCase, TechnicalField

from .conftest import SCOPE, verify

pytestmark = [pytest.mark.browser]


class Person:
    """One person's browser tab, logged in through a real session (staff past the 2FA)."""

    def __init__(self, browser, live_server, user, shots: Path, problems: list):
        self.base, self.shots, self.problems = live_server.url, shots, problems
        client = login(user)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                              "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        self.page = context.new_page()
        self.page.on("pageerror", lambda exc: problems.append(f"{user}: JS error on {self.page.url}: {exc}"))
        self.page.on("console", lambda msg: msg.type == "error" and problems.append(
            f"{user}: console error on {self.page.url}: {msg.text}"))
        self.page.on("response", lambda r: r.status >= 400 and problems.append(
            f"{user}: HTTP {r.status} for {r.request.method} {r.url}"))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.page.wait_for_load_state("load")

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / name, full_page=True)

    def status_badge(self) -> str:
        return self.page.get_attribute("#case-status", "class") or ""


def test_filing_to_grant_in_a_browser(seeded, live_server, browser, alice, alice_org, clerk, examiner,
                                      tmp_path):
    from zhibao.conftest import make_user
    from zhibao.core.choices import Role

    examiner2 = make_user("examiner2", [Role.EXAMINER])
    lead = make_user("fieldlead", [Role.EXAMINER])
    for field in TechnicalField.objects.all():
        field.lead = lead
        field.save()
    materials = TechnicalField.objects.get(code="new_materials")
    materials.examiners.add(examiner, examiner2)
    verify(alice_org, alice, clerk)
    shots = Path(settings.VAR_DIR) / "screenshots" / "pre_exam"
    shots.mkdir(parents=True, exist_ok=True)
    pdf = tmp_path / "document.pdf"
    pdf.write_bytes(pdf_bytes())
    problems: list[str] = []
    applicant = Person(browser, live_server, alice, shots, problems)
    desk = Person(browser, live_server, clerk, shots, problems)

    # 1. alice applies for filing; the clerk takes it and approves it.
    applicant.go("/pre-exam/filing/new/")
    applicant.page.select_option("#id_organization", str(alice_org.pk))
    applicant.page.check(f"input[name=technical_fields][value='{materials.pk}']")
    applicant.page.fill("#id_business_scope", SCOPE)
    applicant.page.fill("#id_contact_name", "张工")
    applicant.page.fill("#id_contact_phone", "0472-1234567")
    applicant.page.set_input_files("#id_licence", str(pdf))
    applicant.shot("01-filing-form.png")
    applicant.click("#submit-filing")
    filing = Filing.objects.get(organization=alice_org)
    assert applicant.page.url.endswith(filing.case.get_absolute_url())
    desk.go(filing.case.get_absolute_url())
    desk.click("button[data-transition=accept]")
    desk.click("button[data-transition=approve]")
    desk.shot("02-filing-approved.png")
    filing.refresh_from_db()
    assert filing.state == FilingState.APPROVED and filing.valid_until > timezone.localdate()

    # 2. alice submits an invention for pre-examination through the wizard.
    applicant.go("/pre-exam/cases/new/")
    applicant.page.fill("#id_title", "一种高矫顽力钕铁硼永磁材料及其制备方法")
    applicant.page.fill("#id_abstract", "本发明公开了一种高矫顽力钕铁硼永磁材料，通过晶界扩散镝提高矫顽力，降低重稀土用量。")
    applicant.page.fill("#id_ipc_codes", "H01F 1/057; C22C 38/00")
    applicant.page.select_option("#id_field", str(materials.pk))
    for kind in (DocumentKind.REQUEST_FORM, DocumentKind.DESCRIPTION, DocumentKind.CLAIMS, DocumentKind.ABSTRACT):
        applicant.page.set_input_files(f"#id_{kind.value}", str(pdf))
    applicant.shot("03-case-form.png")
    applicant.click("#submit-case")
    detail = PreExamCase.objects.get()
    assert re.search(r"PE-\d{4}-\d{6}", applicant.page.url) and detail.state == PreExamState.SUBMITTED

    # 3. An examiner of the field fails the formal check: the claims are not numbered.
    checker = Person(browser, live_server, examiner2, shots, problems)
    checker.go(detail.case.get_absolute_url())
    checker.page.check("#pe-check-claims_numbered")
    checker.page.fill("#pe-formal-comment", "权利要求未按阿拉伯数字顺序编号，请修改后重新提交。")
    checker.shot("04-formal-check.png")
    checker.click("button[data-step=fail_formal_check]")
    detail.refresh_from_db()
    assert detail.state == PreExamState.FORMAL_CORRECTION
    assert detail.notices.get().letter.content_type == "application/pdf"

    # 4. alice reads the notice and replies with the renumbered claims.
    applicant.go(detail.case.get_absolute_url())
    applicant.shot("05-correction-notice.png")
    applicant.page.fill("#reply-text", "已按要求重新编号权利要求。")
    applicant.page.set_input_files("#reply-pe_claims", str(pdf))
    applicant.page.click("#submit-reply")
    applicant.page.wait_for_selector("#reply-form", state="detached")
    detail.refresh_from_db()
    assert detail.state == PreExamState.SUBMITTED
    assert Attachment.objects.filter(case=detail.case, kind=DocumentKind.CLAIMS).count() == 2

    # 5. The formal check passes; the case goes to the least-loaded examiner of the field.
    checker.go(detail.case.get_absolute_url())
    checker.click("button[data-step=pass_formal_check]")
    detail.refresh_from_db()
    assert detail.state == PreExamState.ASSIGNED and detail.case.assignee in (examiner, examiner2)

    # 6. The assignee starts, writes the opinion (a saved draft) and qualifies the application.
    owner = checker if detail.case.assignee == examiner2 else Person(browser, live_server, examiner,
                                                                       shots, problems)
    owner.go(detail.case.get_absolute_url())
    owner.click("button[data-step=start_examination]")
    owner.page.fill("#pe-opinion-text", "经预审，申请文件符合要求，权利要求清楚，具备授权前景。")
    owner.page.click("button[data-step=save_draft]")
    owner.page.wait_for_selector("#pe-draft-version")
    owner.shot("06-opinion.png")
    owner.click("button[data-step=qualify]")
    detail.refresh_from_db()
    assert detail.state == PreExamState.QUALIFIED and detail.qualified_on
    assert "success" in owner.status_badge()

    # 7. alice files at CNIPA and records the number (check character verified).
    applicant.go(detail.case.get_absolute_url())
    applicant.page.fill("#cnipa-number", "202410001234.1")
    applicant.shot("07-record-cnipa.png")
    applicant.page.click("#submit-record-filing")
    applicant.page.wait_for_selector("#record-filing-form", state="detached")
    detail.refresh_from_db()
    assert detail.state == PreExamState.FILED and detail.cnipa_application_number == "CN202410001234.1"

    # 8. The examiner records CNIPA's grant; the case closes with its whole history.
    owner.go(detail.case.get_absolute_url())
    owner.page.fill("#pe-granted-on", timezone.localdate().isoformat())
    owner.page.fill("#pe-grant-number", "CN118000001B")
    owner.click("#pe-decision button[data-step=record_grant]")
    detail.refresh_from_db()
    assert detail.state == PreExamState.GRANTED and detail.case.closed_at is not None
    owner.shot("08-granted.png")
    applicant.go(detail.case.get_absolute_url())
    applicant.shot("09-applicant-granted.png")
    events = list(detail.case.events.values_list("transition", flat=True))
    assert events == ["submit", "fail_formal_check", "reply", "pass_formal_check", "start_examination", "qualify",
                      "record_filing", "record_grant"]
    assert not problems, "\n".join(problems)
