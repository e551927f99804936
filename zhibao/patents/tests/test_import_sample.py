"""The real files: the 61-column export sample and the title + IPC development set, imported
with every field right, re-imported without a write, and found by the search engine."""

import datetime as dt
from pathlib import Path

import pytest

from zhibao.patents.importing.services import patents_export_jsonl, patents_import
from zhibao.patents.models import Patent
from zhibao.patents.search import get_engine

DATA = Path("/work/shared/data/patents")
SAMPLE = DATA / "cn_patents_full_fields_sample.csv"
DEV = DATA / "cn_title_ipc_dev.csv"

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="the export sample is not on this machine")
needs_dev = pytest.mark.skipif(not DEV.exists(), reason="the development set is not on this machine")


@needs_sample
def test_the_export_sample_imports_with_every_field_right(db, tmp_path):
    report = patents_import(path=SAMPLE, rejected_path=tmp_path / "rejected.csv")
    assert (report.rows_read, report.created, report.rejected) == (10, 10, 0), report.rejections
    assert report.preset == "cn_export" and report.encoding == "utf-8-sig" and report.format == "csv"
    p = Patent.objects.get(publication_number="CN218751475U")
    assert p.application_number == "CN202223220665.2"
    assert p.grant_number == "CN218751475U"
    assert p.patent_type == "utility_model"
    assert p.title == "一种无人机机载多功能盒"
    assert p.abstract.startswith("为解决目前无人机") and p.first_claim.startswith("1.一种无人机机载多功能盒")
    assert p.first_applicant == "中科大数据研究院" and p.applicant_type == "institute"
    assert p.applicants == [{"name": "中科大数据研究院", "address": "河南省郑州市郑东新区中道东路6号创意岛大厦8层",
                             "province": "河南", "city": "郑州市", "county": "", "type": "institute"}]
    assert (p.province, p.province_code, p.city) == ("河南", "41", "郑州市")
    assert p.league_code == "" and p.banner_code == ""
    assert p.inventors == ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"]
    assert p.agency == "郑州明华专利代理事务所（普通合伙）" and p.agents == ["袁艳丽"]
    assert p.current_holders == ["中科大数据研究院"]
    assert p.ipc_main == "B64U20/80" and p.ipc_codes == ["B64U20/80", "B64U101/30"]
    assert p.application_date == dt.date(2022, 12, 2)
    assert p.publication_date == dt.date(2023, 3, 28) and p.grant_date == dt.date(2023, 3, 28)
    assert p.legal_status == "granted" and p.legal_status_raw == "有权-审定授权"
    assert p.citation_count == 0 and p.family_size == 0 and p.priorities == [] and p.legal_events == []
    assert p.source_file == SAMPLE.name and len(p.content_hash) == 32
    # A pending invention: no grant date ("0" in the export), type from 发明公开.
    pending = Patent.objects.get(publication_number="CN116245100A")
    assert pending.patent_type == "invention" and pending.legal_status == "pending" and pending.grant_date is None
    # 发明公开;发明授权 with a B grant number.
    granted = Patent.objects.get(publication_number="CN115883397A")
    assert granted.patent_type == "invention" and granted.grant_number.endswith("B")
    # The search index has them too, the moment the import returns.
    result = get_engine().search("无人机机载多功能盒")
    assert "CN218751475U" in [hit.publication_number for hit in result.hits]


@needs_sample
def test_re_importing_the_same_file_changes_nothing(db, tmp_path):
    patents_import(path=SAMPLE, rejected_path=tmp_path / "r.csv")
    before = dict(Patent.objects.values_list("publication_number", "updated_at"))
    report = patents_import(path=SAMPLE, rejected_path=tmp_path / "r.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 10)
    assert dict(Patent.objects.values_list("publication_number", "updated_at")) == before


@needs_sample
def test_the_platform_jsonl_round_trips(db, tmp_path):
    patents_import(path=SAMPLE, rejected_path=tmp_path / "r.csv")
    fields = [f.name for f in Patent._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at",
                                                                              "source_file")]
    original = {p["publication_number"]: p for p in Patent.objects.values(*fields)}
    out = tmp_path / "corpus.jsonl"
    assert patents_export_jsonl(path=out) == 10
    # Into the same corpus: every record is unchanged (the hash ignores the file's name).
    again = patents_import(path=out, rejected_path=tmp_path / "r.csv")
    assert again.preset == "zhibao_jsonl" and (again.unchanged, again.created, again.updated) == (10, 0, 0)
    # Into an empty corpus: the same records, field for field.
    Patent.objects.all().delete()
    fresh = patents_import(path=out, rejected_path=tmp_path / "r.csv")
    assert fresh.created == 10 and fresh.rejected == 0
    assert {p["publication_number"]: p for p in Patent.objects.values(*fields)} == original


@needs_dev
def test_titles_and_ipc_only_import_and_ipc_search_finds_exactly_them(db, tmp_path):
    report = patents_import(path=DEV, rejected_path=tmp_path / "r.csv")
    assert report.rejected == 0 and report.created == report.rows_read > 4000
    p = Patent.objects.get(publication_number="CN111504366B")
    assert p.title == "基于人工智能的流体输送系统精确计量方法及计量装置"
    assert p.ipc_codes == ["G01D", "G01F"] and p.ipc_main == "G01D" and p.patent_type == "invention"
    expected = {p.publication_number for p in Patent.objects.all() if "H01M" in p.ipc_subclasses}
    assert expected
    result = get_engine().search("IPC=H01M", page_size=1000, facets=())
    assert result.total == len(expected)
    assert {hit.publication_number for hit in result.hits} == expected
