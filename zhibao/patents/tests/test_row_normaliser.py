"""The import's fast normaliser (RowNormaliser, with per-file caches and canonical fast paths)
must give exactly what the reference `normalise_row` gives, row for row, errors included."""

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhibao.patents.importing.generator import PatentGenerator
from zhibao.patents.importing.presets import CN_EXPORT_HEADERS, GENERATED_HEADERS, preset_mapping
from zhibao.patents.importing.records import RowError, RowNormaliser, normalise_row

SAMPLE = Path(__file__).resolve().parents[4] / "shared" / "data" / "patents" / "cn_patents_full_fields_sample.csv"


def plan(headers: list[str]):
    mapping = {h: f for h, f in preset_mapping("cn_export").items() if h in headers}
    headers = [h for h in headers if h in mapping]
    fields = [mapping[h] for h in headers]
    return headers, fields, {f: h for h, f in zip(headers, fields, strict=True)}


def both(normaliser, fields, columns, values):
    def run(func):
        try:
            return ("ok", func())
        except RowError as exc:
            return ("rejected", sorted(exc.problems))

    fast = run(lambda: normaliser(list(values)))
    reference = run(lambda: normalise_row(dict(zip(fields, values, strict=True)), columns))
    return fast, reference


def test_generated_rows_normalise_alike():
    headers, fields, columns = plan(list(GENERATED_HEADERS))
    index = [list(GENERATED_HEADERS).index(h) for h in headers]
    normaliser = RowNormaliser(fields, columns)
    for row in PatentGenerator(3).rows(3000):
        values = [row[i] for i in index]
        fast, reference = both(normaliser, fields, columns, values)
        assert fast == reference, values


def test_the_real_sample_normalises_alike():
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is absent (the shared data folder)")
    with SAMPLE.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        all_headers = next(reader)
        headers, fields, columns = plan(all_headers)
        index = [all_headers.index(h) for h in headers]
        normaliser = RowNormaliser(fields, columns)
        for row in reader:
            values = [row[i] for i in index]
            fast, reference = both(normaliser, fields, columns, values)
            assert fast == reference


MESSY = st.one_of(
    st.sampled_from(["", "0", "-", "CN218751475U", "cn 218751475 u", "CN202223220665.2", "202223220665.2",
                     "CN202223220665.3", "20221202", "2022-12-02", "202211", "2022-13-45", "B64U20/80;B64U101/30",
                     "H01F 1/057 (2006.01)", "Z99", "有权-审定授权", "审中-实质审查", "实用新型", "发明公开;发明授权",
                     "中科大数据研究院;刘迪", "河南(41)", "3", "3.5", "NaN", "450000河南省郑州市郑东新区中道东路6号"]),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_messy_cells_normalise_alike(data):
    headers, fields, columns = plan(list(CN_EXPORT_HEADERS))
    normaliser = RowNormaliser(fields, columns)
    values = [data.draw(MESSY) for _ in fields]
    fast, reference = both(normaliser, fields, columns, values)
    assert fast == reference
