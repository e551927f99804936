"""The navigation report: a Word file and a PDF a leader can read, made from the snapshot's dicts.

Two reports are built once per module from the rare-earth magnet sample (sample_data.py): one
with the region maps of ../shared/data/regions (skipped with a reason when that folder is
absent) and one without maps, where bar charts stand in. The tests then open the files the way
a reader's tools would: python-docx, pypdf, and pdftoppm for a rendered page.
"""

import json
import re
import shutil
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from zhibao.navigation.report import ReportError, ReportFontMissing, build_report
from zhibao.navigation.report.pdf_writer import wrap_cjk
from zhibao.navigation.report.sections.base import first_incomplete_year

from .sample_data import YEARS, sample_context

REGIONS = Path(settings.BASE_DIR).parent / "shared" / "data" / "regions"
MAP_FILES = {"china": "china_provinces.geojson", "neimenggu": "neimenggu_12_leagues_cities.geojson",
             "neimenggu_counties": "neimenggu_counties_all.geojson"}
CHAPTERS = ["1 项目概况与数据说明", "2 产业与技术分解", "3 专利申请趋势与技术生命周期", "4 申请人分析",
            "5 技术构成分析", "6 区域分布与区域定位", "7 法律状态与运营", "8 重点专利", "9 结论与建议"]
SPEED_LIMIT_SECONDS = 60  # issue 7: the full report (DOCX + PDF, 20+ charts) in ≤ 60 s


def _build(tmp_dir: Path, maps: dict | None) -> dict:
    calls = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        files = build_report(sample_context(maps=maps), out_dir=tmp_dir,
                             progress=lambda pct, message: calls.append((pct, message)))
        seconds = time.perf_counter() - started
    return {"files": files, "seconds": seconds, "progress": calls, "warnings": [str(w.message) for w in caught],
            "docx": Document(str(files.docx_path)), "pdf": PdfReader(str(files.pdf_path))}


@pytest.fixture(scope="module")
def with_maps(tmp_path_factory):
    missing = [name for name in MAP_FILES.values() if not (REGIONS / name).is_file()]
    if missing:
        pytest.skip(f"region maps not found in {REGIONS} ({', '.join(missing)}): the shared data folder is absent")
    maps = {key: json.loads((REGIONS / name).read_text(encoding="utf-8")) for key, name in MAP_FILES.items()}
    return _build(tmp_path_factory.mktemp("report-maps"), maps)


@pytest.fixture(scope="module")
def without_maps(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("report-nomaps"), None)


def _pdf_text(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _body_items(doc):
    """Paragraph texts and tables of the document body, in reading order."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield "p", "".join(t.text or "" for t in child.iter(qn("w:t"))), child
        elif child.tag == qn("w:tbl"):
            yield "tbl", None, child


# --- the Word file ------------------------------------------------------------------------------

def test_docx_has_every_chapter_heading_in_order(with_maps):
    headings = [p.text for p in with_maps["docx"].paragraphs if p.style.name == "Heading 1"]
    assert headings == CHAPTERS
    sections = [p.text for p in with_maps["docx"].paragraphs if p.style.name == "Heading 2"]
    assert "6.4 短板分支与优势分支" in sections
    assert "1.3 检索式" in sections


def test_docx_holds_the_charts_as_inline_images_and_real_tables(with_maps):
    doc, files = with_maps["docx"], with_maps["files"]
    assert files.chart_count >= 20
    assert len(doc.inline_shapes) == files.chart_count
    # one data table per chart, plus the project, query, breakdown, gap/strength, key-patent tables
    assert len(doc.tables) >= files.chart_count + 8
    assert files.docx_path.stat().st_size > 200_000


def test_every_chart_is_followed_by_its_data_table(with_maps):
    items = list(_body_items(with_maps["docx"]))
    figure_captions = [(i, text) for i, (kind, text, _el) in enumerate(items)
                       if kind == "p" and re.match(r"^图\d+-\d+ ", text or "")]
    assert len(figure_captions) == with_maps["files"].chart_count
    for index, caption in figure_captions:
        number = caption.split(" ")[0]
        following = items[index + 1: index + 4]
        table_caption = next(text for kind, text, _el in following if kind == "p" and text.startswith("表"))
        assert f"{number}的数据" in table_caption, caption
        after_caption = items[[i for i, item in enumerate(items) if item[1] == table_caption][0] + 1]
        assert after_caption[0] == "tbl", caption


def test_docx_tables_have_a_repeated_header_row_and_right_aligned_numbers(with_maps):
    doc = with_maps["docx"]
    for table in doc.tables:
        first_row = table.rows[0]._tr
        assert first_row.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    breakdown = next(t for t in doc.tables if t.rows[0].cells[1].text == "技术分支" and t.rows[0].cells[3].text == "专利数量")
    number_cell = breakdown.rows[1].cells[3].paragraphs[0]
    assert number_cell.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", number_cell.text)
    shares = next(t for t in doc.tables if any(c.text == "占项目总量" for c in t.rows[0].cells))
    assert shares.rows[1].cells[-1].text.endswith("%")


def test_docx_is_a4_with_chinese_fonts_and_a_toc_field(with_maps):
    doc = with_maps["docx"]
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体"
    xml = doc.element.xml
    assert 'TOC \\o "1-2"' in xml
    # the field's cached result lists the headings, so the contents read without updating fields
    texts = [text for _kind, text, _el in _body_items(doc)][:40]
    assert "目　录" in texts and "6.4 短板分支与优势分支" in texts


def test_the_analysts_conclusions_are_quoted_and_empty_ones_are_not_invented(with_maps):
    context = sample_context()
    paragraphs = with_maps["docx"].paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text == "9 结论与建议")
    chapter = [p.text for p in paragraphs[start:]]
    assert context["conclusions"]["summary"] in chapter
    assert context["conclusions"]["recommendations"] in chapter
    # "industry" and "applicants" are empty in the sample
    assert chapter[chapter.index("9.2 产业发展") + 1] == "（分析人员未填写）"
    assert chapter[chapter.index("9.4 创新主体") + 1] == "（分析人员未填写）"


def test_gap_and_strength_nodes_are_listed_with_their_figures(with_maps):
    doc = with_maps["docx"]
    gaps = next(t for t in doc.tables
                if t._element.getprevious() is not None and "短板分支及其依据" in
                "".join(x.text or "" for x in t._element.getprevious().iter(qn("w:t"))))
    names = [row.cells[1].text for row in gaps.rows[1:]]
    assert names == ["新能源汽车驱动电机", "晶界扩散", "粘结钕铁硼"]  # weakest first
    header = [c.text for c in gaps.rows[0].cells]
    assert header[:7] == ["编号", "技术分支", "专利数量", "内蒙古专利", "内蒙古占比", "全国占比", "区位熵"]
    assert gaps.rows[1].cells[4].text.endswith("%") and float(gaps.rows[1].cells[6].text) < 0.5


# --- the PDF ------------------------------------------------------------------------------------

def test_pdf_text_extracts_as_chinese(with_maps):
    pages = _pdf_text(with_maps["pdf"])
    text = "\n".join(pages)
    for heading in CHAPTERS:
        assert heading in text, heading
    for phrase in ("短板分支", "区位熵", "内蒙古自治区知识产权保护中心", "（分析人员未填写）"):
        assert phrase in text
    assert len(pages) == with_maps["files"].page_count >= 20


def test_pdf_contents_give_the_right_page_numbers(with_maps):
    pages = _pdf_text(with_maps["pdf"])
    contents = "\n".join(p for p in pages[1:4] if "目" in p)
    for heading in ("3 专利申请趋势与技术生命周期", "6 区域分布与区域定位", "9 结论与建议"):
        match = re.search(re.escape(heading) + r"[ .…]*(\d+)", contents)
        assert match, heading
        page = int(match.group(1))
        assert heading in pages[page - 1], f"{heading} is not on page {page}"


def test_pdf_embeds_the_chinese_font(with_maps):
    reader = with_maps["pdf"]
    fonts = set()
    for page in reader.pages[:6]:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            fonts.add(str(font["/BaseFont"]))
    assert any("CJK" in name or "Noto" in name for name in fonts), fonts


def _render(pdf_path: Path, page: int, out: Path) -> Image.Image:
    prefix = out / f"page{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), str(pdf_path), str(prefix)],
                   check=True, capture_output=True, timeout=60)
    return Image.open(next(out.glob(f"page{page}*.png"))).convert("RGB")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_map_page_renders_with_the_map_drawn(with_maps, tmp_path):
    pages = _pdf_text(with_maps["pdf"])
    number = next(i for i, text in enumerate(pages, 1) if "图6-1 专利申请的省份分布" in text)
    pixels = np.asarray(_render(with_maps["files"].pdf_path, number, tmp_path), dtype=int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    ink = ((r + g + b) < 720).mean()
    blue = ((b > r + 40) & (b > 120)).mean()
    assert ink > 0.08, "the page is (nearly) blank"
    assert blue > 0.03, "no choropleth fill on the map page"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_a_chart_page_renders_non_blank(without_maps, tmp_path):
    pages = _pdf_text(without_maps["pdf"])
    number = next(i for i, text in enumerate(pages, 1) if "图3-1 " in text)
    pixels = np.asarray(_render(without_maps["files"].pdf_path, number, tmp_path), dtype=int)
    assert (pixels.sum(axis=-1) < 720).mean() > 0.05


def test_charts_draw_every_character_in_the_chinese_font(with_maps, without_maps):
    # matplotlib warns "Glyph … missing from font(s)" for every character it draws as a box
    for build in (with_maps, without_maps):
        assert not [w for w in build["warnings"] if "missing from" in w], build["warnings"]


# --- without maps, speed, progress, errors ------------------------------------------------------

def test_without_maps_bar_charts_stand_in_and_the_report_says_so(without_maps):
    texts = [p.text for p in without_maps["docx"].paragraphs]
    assert "（未载入全国地图数据，以条形图代替地图。）" in texts
    assert "（未载入盟市地图数据，以条形图代替地图。）" in texts
    assert without_maps["files"].chart_count >= 20
    assert len(without_maps["docx"].inline_shapes) == without_maps["files"].chart_count
    assert "6 区域分布与区域定位" in "\n".join(_pdf_text(without_maps["pdf"]))


def test_the_report_is_made_within_the_time_budget(with_maps):
    assert with_maps["seconds"] <= SPEED_LIMIT_SECONDS


def test_progress_is_reported_in_chinese_up_to_100(with_maps):
    calls = with_maps["progress"]
    percents = [pct for pct, _message in calls]
    assert percents == sorted(percents) and percents[-1] == 100
    assert len(calls) >= 10
    assert all(re.search(r"[\u4e00-\u9fff]", message) for _pct, message in calls)


def test_a_server_without_a_chinese_font_gets_a_clear_error(settings, tmp_path):
    settings.ZHIBAO_PDF_FONT = "/nonexistent/NotoSansCJK-Regular.ttc#2"
    with pytest.raises(ReportFontMissing, match="fonts-noto-cjk"):
        build_report(sample_context(), out_dir=tmp_path)
    assert not list(tmp_path.iterdir())  # refused before writing anything


def test_a_context_without_a_project_is_refused(tmp_path):
    with pytest.raises(ReportError):
        build_report({"nodes": []}, out_dir=tmp_path)


# --- helpers ------------------------------------------------------------------------------------

def test_chinese_lines_never_start_with_closing_punctuation_nor_split_numbers():
    from fpdf import FPDF

    from zhibao.core.pdf import add_cjk_font

    pdf = FPDF()
    add_cjk_font(pdf, "cjk")
    pdf.add_page()
    pdf.set_font("cjk", size=10.5)
    text = "　　本报告依据 GB/T 39551-2020《专利导航指南》组织，面向产业规划，以内蒙古自治区为分析区域，" * 6
    for width in (40, 57, 83, 120):
        lines = wrap_cjk(pdf, text, width).split("\n")
        assert lines[0].startswith("　　")
        assert all(pdf.get_string_width(line) <= width + 0.01 for line in lines)
        assert not any(line[:1] in "，。、；：）》" for line in lines[1:])
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert not re.search(r"39551-20$", line) and not line.startswith("20《")


def test_first_incomplete_year_follows_the_18_month_publication_rule():
    assert first_incomplete_year("2026-12-07 10:30") == 2025  # filings of 2024 are all published by 2026-06-30
    assert first_incomplete_year("2026-03-01") == 2024
    assert first_incomplete_year(None) is None


def test_the_sample_adds_up():
    context = sample_context()
    analytics = context["analytics"]
    nodes = context["nodes"]
    assert len(nodes) == 12 and {n["depth"] for n in nodes} == {1, 2, 3}
    assert analytics["overall"]["years"] == YEARS == list(range(2005, 2025))
    totals = {n["key"]: n["total"] for n in nodes}
    for row in analytics["node_year"]["rows"]:
        assert sum(row["counts"]) == totals[row["key"]]
    for node in nodes:
        if node["parent_key"]:
            assert totals[node["parent_key"]] >= node["total"]
    for result in [analytics["overall"], *analytics["node_results"].values()]:
        geo = result["geography"]
        assert sum(p["count"] for p in geo["leagues"]) == geo["region"]["count"]
        assert sum(b["count"] for b in geo["banners"]) == geo["region"]["count"]
        assert {p["name"]: p["count"] for p in geo["provinces"]}["内蒙古"] == geo["region"]["count"]
        assert sum(t["count"] for t in result["types"]) == result["total"]
        assert sum(s["count"] for s in result["legal"]["status"]) == result["total"]
    assert [n["name"] for n in analytics["gaps"]] == ["新能源汽车驱动电机", "晶界扩散", "粘结钕铁硼"]
    assert {n["name"] for n in analytics["strengths"]} >= {"速凝甩带与氢破制粉", "风力发电机", "成型与烧结"}
