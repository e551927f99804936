"""The report made from what analytics.project_analytics really returns, not from the sample.

A small crafted corpus (two branches, one empty, a handful of patents, one co-application)
exercises the edges the sample does not: branches with no patents, no verdicts, a single year,
six-digit league codes, and no maps. The report must still open, say "无数据" where there is
nothing, and keep one data table per chart.
"""

import datetime as dt

import pytest
from docx import Document
from pypdf import PdfReader

from zhibao.navigation.analytics import project_analytics
from zhibao.navigation.report import build_report

from .test_analytics import TODAY, index, make_patent


@pytest.fixture
def corpus(db):
    index([
        make_patent("CN110000001B", applicants=["包头稀土研究院", "中国北方稀土(集团)高科技股份有限公司"],
                    applicant_type="institute", filed=dt.date(2019, 3, 2), granted=dt.date(2021, 5, 1),
                    league="150200", banner="150203", citation_count=4, family_size=2, claims_count=9),
        make_patent("CN110000002A", applicants=["宁波韵升股份有限公司"], province="浙江", filed=dt.date(2020, 6, 1),
                    status="pending"),
        make_patent("CN110000003B", applicants=["北京中科三环高技术股份有限公司"], province="北京",
                    filed=dt.date(2021, 1, 5), granted=dt.date(2023, 2, 1), transfer_count=1),
        make_patent("CN210000004U", applicants=["内蒙古科技大学"], applicant_type="university", kind="utility_model",
                    filed=dt.date(2021, 8, 1), granted=dt.date(2022, 1, 1), ipc=("H02K1/27",), league="150100",
                    banner="150102"),
    ])


def test_a_report_from_real_analytics_of_a_tiny_corpus(corpus, tmp_path):
    nodes = [{"key": "1", "name": "稀土永磁", "parent_key": None, "depth": 1, "query": ""},
             {"key": "1.1", "name": "磁体材料", "parent_key": "1", "depth": 2, "query": "IPC=H01F"},
             {"key": "1.2", "name": "电机", "parent_key": "1", "depth": 2, "query": "IPC=H02K"},
             {"key": "1.3", "name": "钐钴", "parent_key": "1", "depth": 2, "query": "TI=钐钴"}]
    analytics = project_analytics(nodes, today=TODAY)
    context = {
        "project": {"title": "小型测试导航", "industry": "稀土永磁", "purpose_label": "研发活动", "team": [],
                    "region_name": "内蒙古自治区", "description": ""},
        "snapshot": {"number": 1, "taken_at": "2025-06-30 09:00", "corpus_size": 4, "data_sources": []},
        "nodes": [{**n, "effective_query": e["effective_query"], "total": e["total"], "description": ""}
                  for n, e in zip(nodes, analytics["nodes"], strict=True)],
        "analytics": analytics,
        "conclusions": {},
        "maps": {"china": None, "neimenggu": None, "neimenggu_counties": None},
        "generated_at": "2025-06-30 09:05",
        "version": 1,
    }
    files = build_report(context, out_dir=tmp_path)

    doc = Document(str(files.docx_path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1 项目概况与数据说明" and headings[-1] == "9 结论与建议"
    assert len(doc.inline_shapes) == files.chart_count >= 10
    texts = [p.text for p in doc.paragraphs]
    assert texts.count("（分析人员未填写）") == 6
    assert "按上述规则，本项目未发现短板分支。" in texts
    banners = next(t for t in doc.tables if t.rows[0].cells[1].text == "旗县（市、区）")
    assert {row.cells[2].text for row in banners.rows[1:]} <= {"包头市", "呼和浩特市"}
    pdf_text = "".join(page.extract_text() for page in PdfReader(str(files.pdf_path)).pages)
    assert "9 结论与建议" in pdf_text and "钐钴" in pdf_text
