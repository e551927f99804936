"""The inventory in a real browser (Debian's Chromium through Playwright): the university uploads
its list, sees the unmatched lines with their reasons, puts every matched line into the pool and
submits; the operator takes it, overrides one line and completes it. Every page is checked for
JavaScript errors (CSP violations among them) and failed requests; screenshots go to
<ZHIBAO_VAR_DIR>/screenshots/revitalization/."""

from pathlib import Path

import pytest
from django.conf import settings

from zhibao.pre_exam.tests.test_browser_journey import Person
from zhibao.revitalization.choices import InventoryState
from zhibao.revitalization.models import Inventory, PoolPatent

from .test_inventory import LINES, by_application, xlsx_bytes  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser]


def test_an_inventory_in_a_browser(live_server, browser, people, uni_org, corpus, by_application, tmp_path):  # noqa: F811
    shots = Path(settings.VAR_DIR) / "screenshots" / "revitalization"
    shots.mkdir(parents=True, exist_ok=True)
    expect = pytest.importorskip("playwright.sync_api").expect
    problems: list[str] = []
    uni = Person(browser, live_server, people["uni"], shots, problems)
    uni.go("/revitalization/inventories/new/")
    listing = tmp_path / "清单.xlsx"
    listing.write_bytes(xlsx_bytes(LINES))
    uni.page.set_input_files("#id_upload-file", str(listing))
    uni.shot("inventory-1-new.png")
    uni.click("#submit-upload")
    inventory = Inventory.objects.get()
    assert f"/revitalization/inventories/{inventory.case.number}/" in uni.page.url
    assert uni.page.locator("#inventory-lines tr[data-line]").count() == 9
    uni.page.select_option("#id_match", "unmatched")
    expect(uni.page.locator("#inventory-lines tr[data-line]")).to_have_count(6)
    uni.shot("inventory-2-unmatched.png")
    uni.page.select_option("#id_match", "")
    expect(uni.page.locator("#inventory-lines tr[data-line]")).to_have_count(9)
    uni.click("#all-pooled")
    uni.shot("inventory-3-decided.png")
    uni.click('[data-transition="submit"]')
    assert Inventory.objects.get().state == InventoryState.SUBMITTED

    operator = Person(browser, live_server, people["operator"], shots, problems)
    operator.go(f"/revitalization/inventories/{inventory.case.number}/")
    operator.click('[data-transition="accept"]')
    first = inventory.items.get(line=2)
    operator.page.select_option(f'select[name="d-{first.pk}"]', "not_pooled")
    operator.page.select_option(f'select[name="r-{first.pk}"]', "no_market")
    operator.click("#save-decisions")
    operator.shot("inventory-4-center.png")
    operator.click('[data-transition="complete"]')
    assert Inventory.objects.get().state == InventoryState.COMPLETED
    assert set(PoolPatent.objects.values_list("patent__publication_number", flat=True)) == {
        "CN111000002B", "CN111000009B"}
    operator.go("/revitalization/inventories/progress/")
    operator.shot("inventory-5-progress.png")
    assert operator.page.locator(f'#progress-institutions tr[data-institution="{uni_org.pk}"]').count() == 1
    assert problems == []
