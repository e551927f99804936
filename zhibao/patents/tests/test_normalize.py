"""The normalisers: one spelling for every number, code and date, and a reason for what is wrong."""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from zhibao.patents.normalize import (
    NormalizeError,
    application_check_char,
    normalize_applicant_type,
    normalize_application_number,
    normalize_count,
    normalize_date,
    normalize_ipc,
    normalize_legal_status,
    normalize_name,
    normalize_patent_type,
    normalize_publication_number,
    parse_ipc,
    parse_province_code,
)


@pytest.fixture(autouse=True)
def english():
    """Reasons are checked by their English msgids (the Chinese catalogue may change)."""
    with translation.override("en"):
        yield


twelve_digits = st.tuples(st.integers(2003, 2030), st.sampled_from("12389"), st.integers(0, 9_999_999)).map(
    lambda t: f"{t[0]}{t[1]}{t[2]:07d}")


@given(twelve_digits, st.sampled_from(["CN{d}.{c}", "{d}.{c}", "ZL{d}.{c}", "CN {d}{c}", "{d}{c}", "cn{d}.{c}"]))
def test_application_numbers_round_trip_with_their_check_character(digits, spelling):
    check = application_check_char(digits)
    canonical = f"CN{digits}.{check}"
    assert normalize_application_number(spelling.format(d=digits, c=check.lower())) == canonical
    assert normalize_application_number(canonical) == canonical
    assert normalize_application_number(digits) == canonical  # absent check character is computed


@given(twelve_digits)
def test_a_wrong_check_character_is_rejected_with_the_right_one(digits):
    check = application_check_char(digits)
    wrong = "0" if check != "0" else "1"
    with pytest.raises(NormalizeError) as exc:
        normalize_application_number(f"CN{digits}.{wrong}")
    assert check in str(exc.value)


def test_known_application_numbers():
    assert normalize_application_number("CN202223220665.2") == "CN202223220665.2"
    assert normalize_application_number("202121635235.X") == "CN202121635235.X"
    for bad in ("", "CN2022", "CN202223220665.7", "abc"):
        with pytest.raises(NormalizeError):
            normalize_application_number(bad)


@pytest.mark.parametrize("spelling", ["H01F1/057", "H01F 1/057", "h01f 1/057", "H01F0001057000", "H01F  1/057 (2006.01)",
                                      "Ｈ０１Ｆ１／０５７", "H01F 1/057 2006.01 A I"])
def test_ipc_spellings_give_one_code(spelling):
    assert normalize_ipc(spelling) == "H01F1/057"


@given(st.sampled_from("ABCDEFGH"), st.integers(1, 99), st.sampled_from("ABCDFGHJKLMNPQ"), st.integers(1, 9999),
       st.integers(0, 99))
def test_ipc_epo_layout_and_slash_layout_agree(section, klass, letter, group, sub):
    slash = f"{section}{klass:02d}{letter}{group}/{sub:02d}"
    epo = f"{section}{klass:02d}{letter}{group:04d}{sub:02d}0000"
    assert normalize_ipc(slash) == normalize_ipc(epo) == normalize_ipc(normalize_ipc(slash))


def test_ipc_levels_and_ancestors():
    symbol = parse_ipc("H01F 1/057")
    assert symbol.level == "subgroup" and symbol.subclass == "H01F" and symbol.main_group == "H01F1/00"
    assert symbol.ancestors() == ["H", "H01", "H01F", "H01F1/00"]
    assert parse_ipc("H01M").level == "subclass" and parse_ipc("B64U101/30").code == "B64U101/30"


@pytest.mark.parametrize("bad, words", [
    ("Z01F1/057", "A to H"), ("H1F1/057", "two-digit"), ("H01 1/057", "subclass"), ("H01F1057", "slash"),
    ("H01F0/00", "cannot be 0"), ("", "empty"), ("H01F1/", "group/subgroup"),
])
def test_malformed_ipc_codes_are_rejected_with_a_reason(bad, words):
    with pytest.raises(NormalizeError) as exc:
        normalize_ipc(bad)
    assert words in str(exc.value)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
def test_dates_in_every_common_spelling(date):
    for text in (date.strftime("%Y%m%d"), date.isoformat(), f"{date.year}.{date.month}.{date.day}",
                 f"{date.year}/{date.month:02d}/{date.day:02d}", f"{date.year}年{date.month}月{date.day}日",
                 f"{date.isoformat()} 00:00:00"):
        assert normalize_date(text) == date
    assert normalize_date(dt.datetime.combine(date, dt.time(8))) == date


def test_empty_and_bad_dates():
    assert normalize_date("0") is None and normalize_date("") is None and normalize_date(None) is None
    for bad in ("20221332", "2022-02-30", "12/02/2022", "1850-01-01"):
        with pytest.raises(NormalizeError):
            normalize_date(bad)


def test_publication_numbers_types_and_statuses():
    assert normalize_publication_number("cn 218751475 u") == "CN218751475U"
    assert normalize_publication_number("218751475U") == "CN218751475U"
    with pytest.raises(NormalizeError):
        normalize_publication_number("CN218751475")
    assert normalize_patent_type("发明公开;发明授权") == "invention"
    assert normalize_patent_type("", publication_number="CN218751475U") == "utility_model"
    assert normalize_patent_type("", application_number="CN202230000001.0") == "design"
    assert normalize_legal_status("有权-审定授权") == "granted"
    assert normalize_legal_status("无权-未缴年费") == "lapsed"
    assert normalize_legal_status("审中-实质审查") == "pending"
    assert normalize_legal_status("something else") == "unknown"


def test_applicant_types_names_regions_and_counts():
    assert normalize_applicant_type("科研机构") == "institute"
    assert normalize_applicant_type("", name="中国科学院过程工程研究所") == "institute"
    assert normalize_applicant_type("", name="内蒙古农业大学") == "university"
    assert normalize_applicant_type("", name="包头稀土新材料科技有限公司") == "enterprise"
    assert normalize_applicant_type("", name="刘迪") == "individual"
    assert normalize_name(" 郑州明华专利代理事务所(普通合伙)； ") == "郑州明华专利代理事务所（普通合伙）"
    assert parse_province_code("河南(41)") == ("河南", "41") and parse_province_code("江苏") == ("江苏", "")
    assert normalize_count("3次") == 3 and normalize_count("") == 0 and normalize_count("2.0") == 2
    for bad in ("-1", "1.5", "many", "NaN", "inf"):
        with pytest.raises(NormalizeError):
            normalize_count(bad)


@pytest.mark.parametrize("value", ["202211", "2022111", "2022-12", "12/02/2022"])
def test_incomplete_or_ambiguous_dates_are_rejected(value):
    with pytest.raises(NormalizeError):
        normalize_date(value)
