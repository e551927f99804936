"""Checks of the GB/T 2260 region reference data in zhibao/core/data/regions.csv.

Plain pytest: reads the CSV with the csv module, needs no Django settings or database.
"""

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

CSV_PATH = Path(__file__).resolve().parents[1] / "data" / "regions.csv"
# The shared folder beside the repository root (/work/main -> /work/shared).
SHARED_REGIONS = Path(__file__).resolve().parents[4] / "shared" / "data" / "regions"

HEADER = ["code", "name", "short_name", "level", "parent_code"]
INNER_MONGOLIA = "150000"


def load_rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == HEADER
        return list(reader)


def test_regions_csv_structure():
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "regions.csv must be UTF-8 without BOM"

    rows = load_rows()
    levels = Counter(r["level"] for r in rows)
    assert levels == {"province": 34, "league": 12, "county": 103}
    assert len(rows) == 149

    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes), "codes must be unique"
    for r in rows:
        assert re.fullmatch(r"\d{6}", r["code"]), r
        assert r["name"].strip() == r["name"] != "", r
        assert r["short_name"].strip() == r["short_name"], r

    by_code = {r["code"]: r for r in rows}
    # Parents come before children so a loader can insert rows in file order.
    position = {r["code"]: i for i, r in enumerate(rows)}

    for r in rows:
        code, parent = r["code"], r["parent_code"]
        if r["level"] == "province":
            assert parent == "", r
            assert code.endswith("0000"), r
        elif r["level"] == "league":
            assert parent == INNER_MONGOLIA, r
            assert code[:2] == "15" and code.endswith("00") and code[2:4] != "00", r
        else:  # county
            assert parent in by_code and by_code[parent]["level"] == "league", r
            assert position[parent] < position[code], r
            assert not code.endswith("00"), r
            # GB/T 2260: digits 1-4 are the prefecture, 5-6 the county. In the current list every
            # Inner Mongolian banner/county follows this; when a league was renumbered (e.g.
            # 乌兰察布盟 152600 -> 乌兰察布市 150900 in 2003) its counties were renumbered with it.
            # Specially administered cities such as 满洲里市 (150781) and 二连浩特市 (152501) still
            # carry their league's prefix. No exception is needed, so none is allowed here.
            assert code[:4] == parent[:4], f"{code} {r['name']} does not start with {parent[:4]}"

    # Every league has at least one county, and the 12 leagues hold all 103.
    per_league = Counter(r["parent_code"] for r in rows if r["level"] == "county")
    assert set(per_league) == {r["code"] for r in rows if r["level"] == "league"}
    assert sum(per_league.values()) == 103

    # A few anchors from the official list.
    assert by_code["150000"]["name"] == "内蒙古自治区"
    assert by_code["150000"]["short_name"] == "内蒙古"
    assert by_code["710000"]["name"] == "台湾省"
    assert by_code["810000"]["name"] == "香港特别行政区"
    assert by_code["820000"]["name"] == "澳门特别行政区"
    assert by_code["152900"]["name"] == "阿拉善盟"
    assert by_code["150603"]["name"] == "康巴什区"
    assert by_code["150703"]["name"] == "扎赉诺尔区"


def test_regions_csv_covers_geojson_counties():
    path = SHARED_REGIONS / "neimenggu_counties_all.geojson"
    if not path.exists():
        pytest.skip(f"shared county GeoJSON not available at {path}")

    rows = load_rows()
    by_code = {r["code"]: r for r in rows}
    league_code_by_name = {r["name"]: r["code"] for r in rows if r["level"] == "league"}
    county_code_by_key = {(r["parent_code"], r["name"]): r["code"] for r in rows if r["level"] == "county"}

    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert features, "the GeoJSON has no features"
    missing = []
    for feature in features:
        props = feature["properties"]
        # This file carries no adcode; when a code is present use it, otherwise match the
        # county by its league name and its own name.
        code = props.get("adcode") or props.get("id")
        if code is not None:
            code = str(code)
            if code not in by_code or by_code[code]["level"] != "county":
                missing.append((code, props.get("name")))
            continue
        league = league_code_by_name.get(props.get("league_city"))
        code = county_code_by_key.get((league, props.get("name")))
        if code is None:
            missing.append((props.get("league_city"), props.get("name")))
    assert not missing, f"GeoJSON counties without a matching code in regions.csv: {missing}"
