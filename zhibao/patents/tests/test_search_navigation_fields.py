"""The index fields navigation analytics read (schema version 2): the banner, the value
indicators and the key score, the packed publication numbers and the co-applicant counts —
through both paths that build documents (a Patent, and an import's index_values tuple)."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhibao.patents.models import Patent
from zhibao.patents.search import PatentSearchEngine, get_engine, reset_engine
from zhibao.patents.search import tantivy_backend as backend
from zhibao.patents.search.tantivy_backend import key_score, pn_code, pn_decode

pytestmark = pytest.mark.django_db


def patent(number: str, applicants: list[str], **fields) -> Patent:
    return Patent.objects.create(
        publication_number=number, application_number=f"20201{number[2:10]}", patent_type="invention",
        title="一种烧结钕铁硼磁体", abstract="晶界扩散。", applicants=[{"name": a} for a in applicants],
        first_applicant=applicants[0], province="内蒙古", league_code="150200", ipc_main="H01F1/057",
        ipc_codes=["H01F1/057"], application_date=dt.date(2020, 5, 1), legal_status="granted", **fields)


def test_the_new_fields_are_indexed_from_a_patent_and_from_import_values():
    engine = get_engine()
    first = patent("CN100000001B", ["包头稀土研究院", "内蒙古大学"], banner_code="150203", citation_count=4,
                   family_size=2, transfer_count=1, licence_count=2, pledge_count=1, claims_count=9)
    engine.index_patents([first])
    record = {name: getattr(first, name) for name in backend.INDEX_FIELDS}
    record.update(publication_number="CN100000002B", banner_code="150205", citation_count=1, claims_count=3,
                  transfer_count=0, licence_count=0, pledge_count=0, family_size=1, applicants=[{"name": "内蒙古大学"}])
    engine.index_values([(backend.index_values(record), False)])
    engine.commit()

    assert [(b.key, b.label, b.count) for b in engine.aggregate("", "banner")] == [
        ("150203", "昆都仑区", 1), ("150205", "石拐区", 1)]
    assert engine.count("", filters={"banner": ["150205"]}) == 1
    total, raw = engine.aggregate_raw("", {"t": {"sum": {"field": "transfers"}}, "c": {"sum": {"field": "claims"}}})
    assert (total, raw["t"]["value"], raw["c"]["value"]) == (2, 1.0, 12.0)
    keys = engine.key_patents("", 5)
    assert [(k["publication_number"], k["score"]) for k in keys] == [
        ("CN100000001B", key_score(citations=4, family=2, transfers=1, licences=2, pledges=1, claims=9)),
        ("CN100000002B", key_score(citations=1, family=1, claims=3))]
    assert keys[0]["first_applicant"] == "包头稀土研究院" and keys[0]["application_date"] == "2020-05-01"
    assert (keys[0]["citations"], keys[0]["family"], keys[0]["licences"], keys[0]["claims"]) == (4, 2, 2, 9)
    assert engine.co_applicants("", ["包头稀土研究院", "内蒙古大学", "无名氏"]) == {("包头稀土研究院", "内蒙古大学"): 1}
    assert engine.publication_number_set("") == ["CN100000001B", "CN100000002B"]


def test_the_publication_number_set_reads_packed_and_unpackable_numbers():
    engine = get_engine()
    numbers = ["CN218751475U", "CN00012345A", "US1234567B2", "EP1234567", "CN1234567890123B1", "JP2020-123456A"]
    patents = [patent(n, [f"申请人{i}"]) for i, n in enumerate(numbers)]
    engine.index_patents(patents)
    engine.commit()
    assert pn_code("JP2020-123456A") == 0  # not the canonical pattern: read from its document
    assert engine.publication_number_set("") == sorted(numbers)
    assert engine.publication_number_set("PA=申请人2") == ["US1234567B2"]
    assert engine.publication_number_set("PA=没有的人") == []
    assert engine.publication_number_set("") == sorted(engine.publication_numbers(""))


@given(st.from_regex(r"[A-Z]{2}[0-9]{5,13}(?:[A-Z][0-9]?)?", fullmatch=True))
def test_publication_numbers_pack_and_unpack_losslessly(number):
    code = pn_code(number)
    assert 0 < code < 2 ** 63 and pn_decode([code]) == [number]


def test_pn_codes_of_other_numbers_differ():
    numbers = ["CN1234567A", "CN01234567A", "CN1234567B", "CN1234567B1", "CN1234567", "US1234567A", "CN1234568A"]
    assert len({pn_code(n) for n in numbers}) == len(numbers)
    mixed = [*numbers, "CN00000A", "CN9999999999999Z9", "AA00000", "WO2020123456A1", "CN218751475U"]
    assert sorted(pn_decode([pn_code(n) for n in reversed(mixed)])) == sorted(mixed)  # runs of every shape
    assert pn_code("") == pn_code("CN123A") == pn_code("cn1234567a") == 0


def test_an_index_of_the_old_schema_is_emptied_for_a_rebuild(settings, tmp_path):
    path = tmp_path / "old-index"
    settings.PATENT_INDEX_DIR = path
    reset_engine()
    engine = get_engine()
    engine.index_patents([patent("CN100000009B", ["甲"])])
    engine.commit()
    assert engine.count("") == 1
    reset_engine()
    (path / "zhibao-schema.json").write_text(json.dumps({"schema": backend.SCHEMA_VERSION - 1}))
    fresh = PatentSearchEngine(path)
    assert fresh.count("") == 0  # emptied: `zhibao reindex` fills it again
    assert json.loads((path / "zhibao-schema.json").read_text()) == {"schema": 2}
    fresh.rebuild()
    assert fresh.publication_number_set("") == ["CN100000009B"]
    fresh.close()
