"""The GB/T 4754-2017 table: loading it, and organizations checked against it."""

import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from zhibao.accounts.demo import make_uscc
from zhibao.accounts.services import organization_create
from zhibao.core.industries import industries_load
from zhibao.core.models import Industry

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "industry" / "gbt4754_2017_industry_classification.csv"
HEADER = ["code", "level", "section", "division", "group", "class", "name", "remark"]
pytestmark = pytest.mark.django_db


def write(tmp_path, rows):
    path = tmp_path / "industries.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_bad_rows_are_reported_and_good_ones_kept(tmp_path):
    path = write(tmp_path, [
        ["C", "1", "C", "", "", "", "制造业", ""],
        ["39", "2", "C", "39", "", "", "计算机、通信和其他电子设备制造业", ""],
        ["398", "3", "C", "39", "398", "", "电子元件及电子专用材料制造", ""],
        ["3985", "4", "C", "39", "398", "3985", "电子专用材料制造", ""],
        ["3999", "9", "C", "39", "399", "3999", "层级错误", ""],
        ["4111", "4", "C", "41", "411", "4111", "父类缺失", ""],
    ])
    report = industries_load(path)
    assert (report.read, report.created, report.updated) == (6, 4, 0)
    assert [line for line, _ in report.rejected] == [6, 7]
    assert Industry.objects.get(code="3985").parent_id == "398"
    again = industries_load(path)
    assert (again.created, again.updated) == (0, 4)


def test_organization_industry_must_exist_once_the_table_is_loaded(tmp_path, alice):
    industries_load(write(tmp_path, [["C", "1", "C", "", "", "", "制造业", ""]]))
    with pytest.raises(ValidationError) as err:
        organization_create(user=alice, kind="enterprise", name="某企业", uscc=make_uscc("150203", 5), industry="C3985")
    assert "industry" in err.value.message_dict
    org = organization_create(user=alice, kind="enterprise", name="某企业", uscc=make_uscc("150203", 5), industry="C")
    assert org.industry_name == "制造业"


def test_codes_resolve_with_or_without_the_section_letter(tmp_path):
    from zhibao.core.industries import industry_lookup

    industries_load(write(tmp_path, [
        ["C", "1", "C", "", "", "", "制造业", ""],
        ["39", "2", "C", "39", "", "", "计算机、通信和其他电子设备制造业", ""],
        ["398", "3", "C", "39", "398", "", "电子元件及电子专用材料制造", ""],
        ["3985", "4", "C", "39", "398", "3985", "电子专用材料制造", ""],
    ]))
    assert industry_lookup("C3985").name == industry_lookup("3985").name == "电子专用材料制造"
    assert industry_lookup("A3985") is None  # the letter must match the section


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data/industry is absent (reference data is not in the repo)")
def test_the_real_classification_loads_completely(capsys):
    call_command("load-industries", str(SHARED))
    out = capsys.readouterr().out
    assert "rejected 0" in out, out
    assert Industry.objects.filter(level=1).count() == 20
    assert Industry.objects.filter(level=4).count() == 1380
