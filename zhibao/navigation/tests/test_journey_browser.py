"""An analyst's navigation in a real browser (Debian's Chromium through Playwright): open a
project, build a small tree (testing a query's count on the way), run it, open the dashboard,
write the conclusions, make the report and download the Word file and the PDF. Every page is
checked for JavaScript errors (CSP violations among them) and failed requests; screenshots go to
<ZHIBAO_VAR_DIR>/screenshots/navigation/."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings

from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.navigation.models import NavigationProject, NavigationReport
from zhibao.pre_exam.tests.test_browser_journey import Person

pytestmark = [pytest.mark.browser]

TITLES = ["烧结钕铁硼永磁体及其制备方法", "一种晶界扩散烧结钕铁硼磁体", "粘结钕铁硼磁粉的制备方法", "稀土永磁电机转子",
          "烧结钕铁硼的晶界扩散装置", "粘结永磁体注塑成型工艺"]
APPLICANTS = [("包头稀土研究院", "内蒙古", "150200", "150203"), ("宁波磁材科技有限公司", "浙江", "", ""),
              ("北京科技大学", "北京", "", "")]


@pytest.fixture(autouse=True)
def isolated(patent_index, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def corpus(db):
    from zhibao.patents.models import Patent
    from zhibao.patents.search import get_engine

    patents = []
    for i in range(24):
        name, province, league, banner = APPLICANTS[i % 3]
        patents.append(Patent.objects.create(
            publication_number=f"CN1130{i:05d}B", application_number=f"2018100{i:05d}", patent_type="invention",
            title=TITLES[i % len(TITLES)], abstract="本发明涉及稀土永磁材料，提高了磁体的矫顽力。",
            applicants=[{"name": name, "province": province}], first_applicant=name, province=province,
            league_code=league, banner_code=banner, ipc_main="H01F 1/057", ipc_codes=["H01F 1/057"],
            application_date=dt.date(2012 + i % 10, 3, 1), legal_status="granted" if i % 2 else "pending",
            citation_count=i % 5, claims_count=8))
    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()
    return patents


def run_pending_jobs() -> None:
    """What the worker does: the queued jobs, in order."""
    for job in Job.objects.filter(status="queued").order_by("created_at"):
        job_execute(str(job.pk))


def test_a_navigation_in_a_browser(live_server, browser, corpus, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    analyst = make_user("nav-analyst", [Role.ANALYST])
    shots = Path(settings.VAR_DIR) / "screenshots" / "navigation"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    me = Person(browser, live_server, analyst, shots, problems)

    me.go("/navigation/new/")
    me.page.fill("#id_title", "稀土永磁专利导航（浏览器）")
    me.page.fill("#id_industry", "稀土永磁")
    me.shot("nav-1-new.png")
    me.click("#save-project")
    project = NavigationProject.objects.get(title="稀土永磁专利导航（浏览器）")
    assert f"/navigation/{project.case.number}/" in me.page.url

    me.page.fill("#id_new-name", "稀土永磁材料")
    me.page.fill("#id_new-query", "TIAB=钕铁硼 OR TIAB=永磁")
    me.page.click("#test-new-query")
    me.page.wait_for_selector("#new-query-test [data-query-count]")
    assert me.page.get_attribute("#new-query-test [data-query-count]", "data-query-count") == "24"
    me.click("#add-node")
    root = project.nodes.get()
    for name, query in (("烧结钕铁硼", "TIAB=烧结"), ("粘结钕铁硼", "TIAB=粘结")):
        me.page.fill("#id_new-name", name)
        me.page.fill("#id_new-query", query)
        me.page.select_option("#id_new-parent", str(root.pk))
        me.click("#add-node")
    assert me.page.locator("#tree-table tr[data-node]").count() == 3
    me.shot("nav-2-tree.png")

    me.click("#run-project")
    run_pending_jobs()
    me.go(f"/navigation/{project.case.number}/")
    me.page.wait_for_selector('#runs-table tr[data-run="1"][data-state="ready"]')
    me.click('[data-dashboard="1"]')
    me.page.wait_for_timeout(800)  # the charts draw after load
    me.shot("nav-3-dashboard.png")

    me.go(f"/navigation/{project.case.number}/")
    me.page.fill("#id_summary", "包头在烧结钕铁硼分支具有优势。")
    me.click("#save-conclusions")
    me.click("#make-report")
    run_pending_jobs()
    me.go(f"/navigation/{project.case.number}/#reports")
    me.page.wait_for_selector('#reports-table tr[data-report="1"][data-state="ready"]')
    me.shot("nav-4-reports.png")
    with me.page.expect_download() as download:
        me.page.click('[data-download-docx="1"]')
    word = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "稀土永磁专利导航（浏览器）" in text and "包头在烧结钕铁硼分支具有优势。" in text
    with me.page.expect_download() as download:
        me.page.click('[data-download-pdf="1"]')
    pdf_text = "".join(page.extract_text() or "" for page in PdfReader(download.value.path()).pages)
    assert "稀土永磁专利导航" in pdf_text.replace(" ", "")
    assert NavigationReport.objects.get().page_count > 1
    assert not problems, "\n".join(problems)
