"""Formats, encodings and bad files: every good row is kept, every bad one explained."""

import csv
import json

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute, job_start
from zhibao.patents.importing.generator import PatentGenerator, generate_patents_file
from zhibao.patents.importing.presets import GENERATED_HEADERS
from zhibao.patents.importing.readers import ImportFileError
from zhibao.patents.importing.records import parse_legal_events, parse_priorities
from zhibao.patents.importing.services import patents_import
from zhibao.patents.models import Patent

HEADER = ["公开(公告)号", "标题", "摘要", "申请人", "申请号", "申请日", "IPC", "法律状态"]
GOOD = [
    ["CN218751475U", "一种无人机机载多功能盒", "摘要一", "中科大数据研究院", "CN202223220665.2", "2022-12-02",
     "B64U20/80|B64U101/30", "有权"],
    ["CN116245100A", "一种文本处理方法", "摘要二", "内蒙古大学;刘迪", "CN202211740332.4", "20221230", "G06F40/289", "审中"],
]


def write_csv(path, rows, encoding="utf-8-sig", header=HEADER):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_generic_chinese_csv_is_mapped_from_its_header(db, tmp_path):
    report = patents_import(path=write_csv(tmp_path / "a.csv", GOOD), rejected_path=tmp_path / "r.csv")
    assert (report.created, report.rejected) == (2, 0)
    p = Patent.objects.get(publication_number="CN116245100A")
    assert [a["name"] for a in p.applicants] == ["内蒙古大学", "刘迪"]
    assert [a["type"] for a in p.applicants] == ["university", "individual"]
    assert p.ipc_codes == ["G06F40/289"] and p.legal_status == "pending"


def test_gb18030_files_are_detected(db, tmp_path):
    report = patents_import(path=write_csv(tmp_path / "gbk.csv", GOOD, encoding="gb18030"),
                            rejected_path=tmp_path / "r.csv")
    assert report.encoding == "gb18030" and report.created == 2
    assert Patent.objects.get(publication_number="CN218751475U").title == "一种无人机机载多功能盒"


def test_english_headers_with_semicolon_lists(db, tmp_path):
    header = ["publication_number", "application_number", "title", "abstract", "applicant", "ipc_codes",
              "application_date"]
    rows = [["CN115883397A", "CN202211359874.7", "A network method", "An abstract", "Zhibao Ltd", "H04L43/02;H04L9/40",
             "2022-11-02"]]
    report = patents_import(path=write_csv(tmp_path / "en.csv", rows, header=header), rejected_path=tmp_path / "r.csv")
    assert report.created == 1
    p = Patent.objects.get(publication_number="CN115883397A")
    assert p.ipc_codes == ["H04L43/02", "H04L9/40"] and p.first_applicant == "Zhibao Ltd"
    assert p.applicant_type == "enterprise"


def test_xlsx_files_stream_and_keep_excel_dates(db, tmp_path):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in GOOD:
        sheet.append([*row[:5], dt.datetime(2022, 12, 2), *row[6:]])
    book.save(tmp_path / "a.xlsx")
    report = patents_import(path=tmp_path / "a.xlsx", rejected_path=tmp_path / "r.xlsx")
    assert report.format == "xlsx" and report.created == 2
    assert str(Patent.objects.get(publication_number="CN116245100A").application_date) == "2022-12-02"


def test_jsonl_in_the_export_layout_from_the_generator(db, tmp_path):
    generate_patents_file(path=tmp_path / "g.jsonl", count=50, seed=3)
    report = patents_import(path=tmp_path / "g.jsonl", rejected_path=tmp_path / "r.csv")
    assert report.format == "jsonl" and report.preset == "cn_export"
    assert (report.created, report.rejected) == (50, 0), report.rejections


def test_a_malformed_file_keeps_every_good_row_and_explains_the_bad_ones(db, tmp_path):
    bad_rows = [
        ["CN200000001U", "坏日期", "", "某公司", "", "20221399", "H01M4/525", ""],
        ["CN200000002U", "坏分类号", "", "某公司", "", "2022-01-01", "Z99Q1/00", ""],
        ["", "缺少公开号", "", "某公司", "", "2022-01-01", "", ""],
        ["CN200000003U", "坏校验位", "", "某公司", "CN202223220665.7", "", "", ""],
        ["CN200000004U", "多一列", "", "某公司", "", "", "", "", "多余"],
    ]
    path = write_csv(tmp_path / "bad.csv", [GOOD[0], *bad_rows, GOOD[1]])
    with open(path, "ab") as fh:
        fh.write("CN200000005U,坏编码\xff,,,,,,\n".encode().replace(b"\xc3\xbf", b"\xff"))
    with translation.override("en"):
        report = patents_import(path=path, rejected_path=tmp_path / "rejected.csv")
    assert (report.rows_read, report.created, report.rejected) == (8, 2, 6)
    reasons = {item["row"]: (item["column"], item["reason"]) for item in report.rejections}
    assert reasons[3][0] == "申请日" and "20221399" in reasons[3][1]
    assert reasons[4][0] == "IPC" and "Z99Q1/00" in reasons[4][1]
    assert reasons[5][0] == "公开(公告)号" and "missing" in reasons[5][1]
    assert reasons[6][0] == "申请号" and "check character" in reasons[6][1]
    assert "9" in reasons[7][1] and "8" in reasons[7][1]
    assert "UTF-8" in reasons[9][1]
    with open(tmp_path / "rejected.csv", encoding="utf-8-sig") as fh:
        rejected = list(csv.reader(fh))
    assert rejected[0][:len(HEADER)] == HEADER and len(rejected) == 7
    assert rejected[1][1] == "坏日期" and rejected[1][-2] == "3" and "20221399" in rejected[1][-1]


def test_a_file_without_the_required_columns_names_them(db, tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"]], header=["名字", "编号"])
    with translation.override("en"), pytest.raises(ImportFileError) as exc:
        patents_import(path=path)
    message = str(exc.value)
    assert "Publication number" in message and "Title" in message and "名字" in message


def test_a_file_that_is_not_text_is_refused_clearly(db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\xff\xfe\x80" * 1000)
    with translation.override("en"), pytest.raises(ImportFileError) as exc:
        patents_import(path=path)
    assert "UTF-8" in str(exc.value) and "GB18030" in str(exc.value)
    (tmp_path / "z.csv").write_bytes(b"PK\x03\x04not really a zip")
    with pytest.raises(ImportFileError):
        patents_import(path=tmp_path / "z.csv")


def test_duplicates_in_one_file_the_last_wins(db, tmp_path):
    changed = [GOOD[0][0], "新标题", *GOOD[0][2:]]
    path = write_csv(tmp_path / "d.csv", [GOOD[0], GOOD[0], changed])
    report = patents_import(path=path, rejected_path=tmp_path / "r.csv")
    assert (report.created, report.unchanged, report.updated) == (1, 1, 1)
    assert Patent.objects.get(publication_number=GOOD[0][0]).title == "新标题"
    again = patents_import(path=path, rejected_path=tmp_path / "r.csv", batch_size=1)
    assert (again.created, again.unchanged, again.updated) == (0, 1, 2)  # 新标题 → old → 新标题


def test_a_changed_record_is_updated_in_place(db, tmp_path):
    patents_import(path=write_csv(tmp_path / "a.csv", GOOD), rejected_path=tmp_path / "r.csv")
    pk = Patent.objects.get(publication_number=GOOD[1][0]).pk
    changed = [*GOOD[1][:7], "无权-驳回"]
    report = patents_import(path=write_csv(tmp_path / "b.csv", [GOOD[0], changed]), rejected_path=tmp_path / "r.csv")
    assert (report.updated, report.unchanged) == (1, 1)
    p = Patent.objects.get(publication_number=GOOD[1][0])
    assert p.pk == pk and p.legal_status == "rejected" and p.source_file == "b.csv"


def test_legal_events_and_priorities_are_parsed():
    assert parse_legal_events("2023-03-28 授权：授权公告; 20221230 实质审查的生效") == [
        {"date": "2022-12-30", "event": "实质审查的生效", "detail": ""},
        {"date": "2023-03-28", "event": "授权", "detail": "授权公告"},
    ]
    assert parse_priorities("CN202110012345.6 2021-01-05; US63/123,456", "; 20200304") == [
        {"number": "CN202110012345.6", "date": "2021-01-05"}, {"number": "US63/123,456", "date": "2020-03-04"}]


def test_inner_mongolia_addresses_get_league_and_banner(db, tmp_path):
    header = ["公开号", "专利名称", "申请人", "申请人地址"]
    rows = [["CN200000010U", "一种稀土永磁体", "包头稀土研究院", "014030内蒙古自治区包头市昆都仑区钢铁大街1号"],
            ["CN200000011U", "一种牧草播种机", "某合作社", "内蒙古自治区锡林郭勒盟正蓝旗上都镇"]]
    patents_import(path=write_csv(tmp_path / "nm.csv", rows, header=header), rejected_path=tmp_path / "r.csv")
    first = Patent.objects.get(publication_number="CN200000010U")
    assert (first.province, first.province_code, first.league_code, first.banner_code) == ("内蒙古", "15", "150200",
                                                                                            "150203")
    assert first.applicants[0]["county"] == "昆都仑区"
    assert Patent.objects.get(publication_number="CN200000011U").league_code == "152500"


def test_the_generator_is_deterministic_and_valid(db, tmp_path):
    a, b = PatentGenerator(7), PatentGenerator(7)
    rows = [a.row() for _ in range(300)]
    other = PatentGenerator(8)
    assert rows == [b.row() for _ in range(300)] and rows != [other.row() for _ in range(300)]
    assert all(len(row) == len(GENERATED_HEADERS) for row in rows)
    generate_patents_file(path=tmp_path / "g.csv", count=2000, seed=7)
    report = patents_import(path=tmp_path / "g.csv", rejected_path=tmp_path / "r.csv")
    assert (report.created, report.rejected) == (2000, 0), report.rejections[:3]
    assert Patent.objects.exclude(league_code="").count() > 500  # a large share in Inner Mongolia
    assert any(e["event"] == "授权" for p in Patent.objects.all()[:200] for e in p.legal_events)
    generate_patents_file(path=tmp_path / "g.xlsx", count=20, seed=7)
    assert len(list(load_workbook(tmp_path / "g.xlsx", read_only=True).active.iter_rows())) == 21
    assert patents_import(path=tmp_path / "g.xlsx", rejected_path=tmp_path / "r.xlsx").unchanged == 20


def test_the_commands_import_export_and_queue(db, tmp_path, capsys):
    call_command("gen-patents", "30", "--seed", "1", "--out", str(tmp_path / "g.csv"))
    with translation.override("en"):
        call_command("import-patents", str(tmp_path / "g.csv"), "--progress")
    captured = capsys.readouterr()
    assert "30 created" in captured.out and "\r[" in captured.err
    with translation.override("en"):
        call_command("import-patents", str(tmp_path / "g.csv"), "--preset", "cn_export")
    assert "30 unchanged" in capsys.readouterr().out
    call_command("import-patents", "--export-jsonl", str(tmp_path / "all.jsonl"))
    assert len((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert json.loads((tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()[0])["publication_number"]
    call_command("import-patents", str(tmp_path / "all.jsonl"), "--background")
    job = Job.objects.get(name="patents.import")
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["unchanged"] == 30, job.error


def test_the_job_reports_a_bad_file_as_failed(db, tmp_path):
    (tmp_path / "x.csv").write_text("名字\n张三\n", encoding="utf-8")
    job = job_start(name="patents.import", title="x", params={"path": str(tmp_path / "x.csv")})
    with translation.override("en"):
        job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "Publication number" in job.error


def test_the_demo_loader_is_idempotent(db):
    from zhibao.patents.demo import load_demo_patents

    first = load_demo_patents(count=50)
    assert first["demo-patents.csv"]["created"] == 50
    again = load_demo_patents(count=50)
    assert again["demo-patents.csv"]["unchanged"] == 50
    assert all(report["created"] == 0 and report["updated"] == 0 for report in again.values())


def test_the_index_writer_process_indexes_what_the_import_wrote(db, tmp_path):
    """Large files index in a writer process of their own: same rows, same index, in order."""
    from zhibao.patents.search import get_engine

    generate_patents_file(path=tmp_path / "g.csv", count=3000, seed=3)
    report = patents_import(path=tmp_path / "g.csv", rejected_path=tmp_path / "r.csv", workers=1, batch_size=500)
    assert (report.created, report.rejected) == (3000, 0)
    engine = get_engine()
    assert engine.count("") == 3000 == Patent.objects.count()
    title = Patent.objects.order_by("pk").first().title
    assert engine.count(f'TI="{title}"') >= 1
    changed = [[*GOOD[0][:1], "改过的标题", *GOOD[0][2:]], GOOD[1]]
    write_csv(tmp_path / "c.csv", [GOOD[0], GOOD[1], changed[0]])
    again = patents_import(path=tmp_path / "c.csv", rejected_path=tmp_path / "r.csv", workers=1)
    assert (again.created, again.updated) == (2, 1)
    assert engine.count(f"PN={GOOD[0][0]}") == 1 and engine.count("TI=改过的标题") == 1
