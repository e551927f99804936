"""The whole revitalization cycle in a real browser (Debian's Chromium through Playwright), every
step taken on the pages by clicking their buttons, as the people would:

1. the university (`uni`) downloads the Excel template, fills in four of its patents, uploads it,
   puts every matched line into the pool and submits the inventory;
2. the center's operator takes the inventory and completes it: the patents are in the pool;
3. the enterprise (`alice`) posts a technology demand; the operator publishes it on the case page,
   which matches it with the pool (on publication);
4. the operator reviews the suggestions and pushes the best one to both sides;
5. the enterprise answers “interested” on its demand's page, the holder on its patent's demands
   page (reached from its notification);
6. the enterprise expresses its intent from the recommendation: a deal linked to the match;
7. the holder starts the negotiation, the enterprise records the signed contract, downloads the
   contract (DOCX, opened with python-docx: both parties and the amount are in it), the operator
   records CNIPA's recordal;
8. the operator announces a roadshow presenting the magnet patent (the enterprise registers) and
   exports the filtered roadshow list (“导出 Excel”);
9. the operator's matching page; the leader's statistics count the pushed match and the deal.

Every page is checked for JavaScript errors (CSP violations among them), failed requests and
error messages; screenshots go to <ZHIBAO_VAR_DIR>/screenshots/revitalization/journey-*.png.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone

from zhibao.pre_exam.tests.test_browser_journey import Person
from zhibao.revitalization.choices import Answer, DealKind, DealState, DemandState, InventoryState, MatchState
from zhibao.revitalization.models import Deal, Demand, Inventory, Match, PoolPatent, Roadshow

from .test_demands import industries  # noqa: F401 (a fixture: a few GB/T 4754 classes)

pytestmark = [pytest.mark.browser]

# The university's list: three rare-earth patents and one of dairy, all held by it (conftest.CORPUS).
LISTED = ["CN111000001B", "CN111000002B", "CN211000003U", "CN111000005B"]
MAGNET = "CN111000001B"  # 烧结钕铁硼稀土永磁材料: what the demand below asks for


class Step(Person):
    """A person's tab that also checks, after each page, that it shows no error message."""

    def click(self, selector: str) -> None:
        super().click(selector)
        self.no_error()

    def go(self, path: str) -> None:
        super().go(path)
        self.no_error()

    def no_error(self) -> None:
        """The page shows no error (a refused step, a form's errors): stop here, saying which."""
        errors = self.page.locator("main .alert-danger, main .invalid-feedback")
        assert not errors.count(), f"{self.page.url}: {errors.all_inner_texts()} (problems so far: {self.problems})"


@pytest.fixture
def shots(settings, tmp_path):
    """The screenshots' folder under the run's var folder; the matching index of this test goes
    to its own folder (another run's index must not answer for this database)."""
    from zhibao.revitalization.services import matching

    folder = Path(settings.VAR_DIR) / "screenshots" / "revitalization"
    folder.mkdir(parents=True, exist_ok=True)
    settings.VAR_DIR = tmp_path / "var"
    matching._loaded.clear()
    yield folder
    matching._loaded.clear()


def test_the_revitalization_cycle_in_a_browser(live_server, browser, shots, people, uni_org, alice_org,
                                               corpus, industries, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    expect = pytest.importorskip("playwright.sync_api").expect
    problems: list[str] = []
    uni = Step(browser, live_server, people["uni"], shots, problems)
    operator = Step(browser, live_server, people["operator"], shots, problems)
    alice = Step(browser, live_server, people["alice"], shots, problems)

    # 1. The university fills in the template it downloads, uploads it and submits the inventory.
    uni.go("/revitalization/inventories/new/")
    with uni.page.expect_download() as download:
        uni.page.click("#template-link")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    wb = load_workbook(template)
    sheet = wb.worksheets[0]
    assert [c.value for c in sheet[1]] == ["公开号或申请号", "发明人联系方式", "备注"]
    sheet.delete_rows(2)  # the example row
    for number in LISTED:
        sheet.append([number, "张老师 13800000001", "课题组可提供技术指导"])
    listing = tmp_path / "内蒙古工业大学-专利清单.xlsx"
    wb.save(listing)
    uni.page.set_input_files("#id_upload-file", str(listing))
    uni.shot("journey-01-inventory-upload.png")
    uni.click("#submit-upload")
    inventory = Inventory.objects.get(organization=uni_org)
    assert f"/revitalization/inventories/{inventory.case.number}/" in uni.page.url
    expect(uni.page.locator("#inventory-lines tr[data-line]")).to_have_count(len(LISTED))
    uni.click("#all-pooled")
    uni.click('[data-transition="submit"]')
    inventory.refresh_from_db()
    assert inventory.state == InventoryState.SUBMITTED
    uni.shot("journey-02-inventory-submitted.png")

    # 2. The operator takes it and completes it: the four patents are listed in the pool.
    operator.go(f"/revitalization/inventories/{inventory.case.number}/")
    operator.click('[data-transition="accept"]')
    operator.click('[data-transition="complete"]')
    inventory.refresh_from_db()
    assert inventory.state == InventoryState.COMPLETED
    assert set(PoolPatent.objects.listed().values_list("patent__publication_number", flat=True)) == set(LISTED)
    alice.go("/revitalization/pool/")
    rows = alice.page.locator("#pool-table tr[data-number]")
    expect(rows).to_have_count(len(LISTED))
    assert {rows.nth(i).get_attribute("data-number") for i in range(len(LISTED))} == set(LISTED)
    alice.shot("journey-03-pool.png")
    magnet = PoolPatent.objects.get(patent__publication_number=MAGNET)
    alice.click(f'#pool-table tr[data-number="{MAGNET}"] a')
    assert alice.page.url.endswith(f"/revitalization/pool/{magnet.pk}/")
    alice.shot("journey-04-pool-patent.png")

    # 3. The enterprise posts a demand; the operator publishes it from the case page.
    alice.go("/revitalization/demands/new/")
    alice.page.select_option("#id_organization", str(alice_org.pk))
    alice.page.fill("#id_title", "高矫顽力钕铁硼永磁材料晶界扩散技术")
    alice.page.fill("#id_description", "我公司生产烧结钕铁硼磁体，需要通过晶界扩散降低重稀土用量、提高磁体矫顽力的制备技术，"
                                       "可受让专利或获得实施许可。")
    alice.page.select_option("#id_industry", str(industries["C3812"].pk))
    alice.page.select_option("#id_key_industry", "rare_earth")
    alice.page.select_option("#id_league", "150200")
    alice.page.fill("#id_budget_min", "30")
    alice.page.fill("#id_budget_max", "80")
    alice.page.check('input[name="modes"][value="assignment"]')
    alice.page.check('input[name="modes"][value="licence"]')
    alice.page.fill("#id_deadline", (timezone.localdate() + dt.timedelta(days=90)).isoformat())
    alice.page.fill("#id_contact_name", "李经理")
    alice.page.fill("#id_contact_phone", "0472-5123456")
    alice.shot("journey-05-demand-form.png")
    alice.click("#submit-demand")
    demand = Demand.objects.get(organization=alice_org)
    assert demand.state == DemandState.SUBMITTED
    assert alice.page.url.endswith(demand.case.get_absolute_url())

    operator.go(demand.case.get_absolute_url())
    operator.click('[data-transition="publish"]')
    demand.refresh_from_db()
    assert demand.state == DemandState.PUBLISHED and demand.matched_at is not None  # matched on publication
    match = Match.objects.get(demand=demand, pool_patent=magnet)
    assert match.rank == 1 and match.state == MatchState.SUGGESTED

    # 4. The operator reviews the suggestions (the shared terms marked) and pushes the best one.
    operator.click("#review-matches")
    assert operator.page.url.endswith(f"/revitalization/demands/{demand.pk}/matches/")
    card = operator.page.locator(f"#match-{match.pk}")
    expect(card.locator(".match-title mark").first).to_be_visible()
    operator.page.select_option('select[name="state"]', "suggested")  # the filter submits itself
    expect(operator.page).to_have_url(f"{live_server.url}/revitalization/demands/{demand.pk}/matches/?state=suggested")
    operator.page.check(f"#pick-{match.pk}")
    operator.shot("journey-06-matches.png")
    operator.click("#push-selected")
    match.refresh_from_db()
    assert match.state == MatchState.PUSHED and match.pushed_by == people["operator"]

    # 5. Both sides answer “interested”: the enterprise on its demand's page, the holder on its
    #    patent's demands, which its notification links to.
    alice.go(f"/revitalization/demands/{demand.pk}/")
    card = alice.page.locator(f"#match-{match.pk}")
    card.locator(f'input[name="m{match.pk}-answer"][value="interested"]').check()
    card.locator("textarea").fill("技术对口，希望洽谈转让")
    card.locator('button[type="submit"]').click()
    alice.page.wait_for_load_state("load")
    alice.no_error()
    match.refresh_from_db()
    assert match.demand_answer == Answer.INTERESTED
    expect(alice.page.locator(f"#intent-{match.pk}")).to_be_visible()
    alice.shot("journey-07-recommended.png")

    uni.go("/notifications/")
    uni.click(f'a[href="/revitalization/pool/{magnet.pk}/demands/"]')
    card = uni.page.locator(f"#match-{match.pk}")
    card.locator(f'input[name="m{match.pk}-answer"][value="interested"]').check()
    card.locator('button[type="submit"]').click()
    uni.page.wait_for_load_state("load")
    uni.no_error()
    match.refresh_from_db()
    assert match.holder_answer == Answer.INTERESTED
    uni.shot("journey-08-holder-answer.png")

    # 6. The enterprise expresses its intent from the recommendation: a deal linked to the match.
    alice.go(f"/revitalization/demands/{demand.pk}/")
    alice.click(f"#intent-{match.pk}")
    expect(alice.page.locator("#intent-match")).to_contain_text("本次交易将关联该推荐")
    assert alice.page.input_value("#id_organization") == str(alice_org.pk)
    assert alice.page.input_value("#id_kind") == DealKind.ASSIGNMENT
    alice.page.fill("#id_note", "希望受让该专利，并请课题组提供技术指导。")
    alice.shot("journey-09-intent.png")
    alice.click("#submit-intent")
    deal = Deal.objects.get(buyer=alice_org)
    assert deal.match == match and deal.seller == uni_org and deal.state == DealState.INTENT
    assert alice.page.url.endswith(f"/revitalization/deals/{deal.case.number}/")
    expect(alice.page.locator("#deal-match")).to_contain_text(demand.title)

    # 7. The holder starts the negotiation; the enterprise records the signed contract.
    uni.go(f"/revitalization/deals/{deal.case.number}/")
    uni.click('[data-transition="negotiate"]')
    deal.refresh_from_db()
    assert deal.state == DealState.NEGOTIATION
    alice.go(f"/revitalization/deals/{deal.case.number}/")
    alice.page.select_option("#sign-form #id_kind", DealKind.ASSIGNMENT)
    alice.page.fill("#sign-form #id_amount", "50")
    # The date inputs come filled with today (ISO: the browser ignores a date in the locale's format).
    assert alice.page.input_value("#sign-form #id_signed_on") == timezone.localdate().isoformat()
    alice.click('#sign-form button[type="submit"]')
    deal.refresh_from_db()
    assert deal.state == DealState.CONTRACTED and str(deal.amount) == "50.00"
    alice.shot("journey-10-contracted.png")
    with alice.page.expect_download() as download:
        alice.page.click("#contract-download")
    contract = tmp_path / download.value.suggested_filename
    download.value.save_as(contract)
    assert contract.name == f"{deal.case.number}-专利权转让合同.docx"
    from docx import Document

    document = Document(io.BytesIO(contract.read_bytes()))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    for expected in (alice_org.name, uni_org.name, alice_org.uscc, MAGNET, "人民币 50.00 万元", deal.case.number):
        assert expected in text, expected

    operator.go(f"/revitalization/deals/{deal.case.number}/")
    operator.page.fill("#record-form #id_recordal_number", "2025990000123")
    assert operator.page.input_value("#record-form #id_recorded_on") == timezone.localdate().isoformat()
    operator.click('#record-form button[type="submit"]')
    deal.refresh_from_db()
    assert deal.state == DealState.RECORDED and deal.recordal_number == "2025990000123"
    operator.shot("journey-11-recorded.png")

    # 8. The operator announces a roadshow presenting the pooled patents and exports the list.
    operator.go("/revitalization/roadshows/new/")
    starts = timezone.localtime() + dt.timedelta(days=10)
    operator.page.fill("#id_title", "稀土新材料专利路演")
    operator.page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    operator.page.fill("#id_place", "包头市稀土高新区会展中心")
    operator.page.select_option("#id_key_industry", label="稀土")
    operator.page.select_option("#id_patents", [str(magnet.pk)])
    operator.click("#publish-roadshow")
    roadshow = Roadshow.objects.get()
    assert list(roadshow.patents.all()) == [magnet]
    operator.go(f"/revitalization/roadshows/{roadshow.pk}/edit/")  # its time comes back as the input reads it
    assert operator.page.input_value("#id_starts_at") == starts.strftime("%Y-%m-%dT%H:%M")
    alice.go(f"/revitalization/roadshows/{roadshow.pk}/")
    alice.click("#register-form button[type=submit]")
    operator.go("/revitalization/roadshows/?q=稀土")
    expect(operator.page.locator("#roadshows [data-roadshow]")).to_have_count(1)
    operator.shot("journey-12-roadshows.png")
    with operator.page.expect_download() as download:
        operator.page.click("#export-roadshows")
    exported = tmp_path / download.value.suggested_filename
    download.value.save_as(exported)
    assert exported.name.startswith("roadshows-") and exported.suffix == ".xlsx"
    rows = list(load_workbook(exported).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "标题", "开始时间")
    assert rows[1:] == [(roadshow.pk, "稀土新材料专利路演", starts.strftime("%Y-%m-%d %H:%M"), "包头市稀土高新区会展中心",
                         None, "稀土", "计划中", 1, 1, 1, None, 0)]

    # 9. The operator's matching page and the leader's statistics.
    operator.go("/revitalization/matches/")
    operator.shot("journey-13-matching.png")
    leader = Step(browser, live_server, people["leader"], shots, problems)
    leader.go("/revitalization/statistics/")
    expect(leader.page.locator('[data-figure="deals"]')).to_have_text("1")
    expect(leader.page.locator('[data-figure="pushed"]')).to_have_text("1")
    leader.shot("journey-14-statistics.png")
    assert problems == []
