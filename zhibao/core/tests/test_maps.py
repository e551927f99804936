"""Region boundary maps: `zhibao load-maps DIR`, the /maps/<name>.json view and the selector."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from zhibao.core.maps import MAP_FILES, MapFileError, region_map, region_maps_load
from zhibao.core.models import Region, RegionMap
from zhibao.patents.search.query import normalize_province

SHARED_REGIONS = Path(__file__).resolve().parents[4] / "shared" / "data" / "regions"
pytestmark = pytest.mark.django_db
needs_shared = pytest.mark.skipif(not SHARED_REGIONS.is_dir(), reason=f"{SHARED_REGIONS} is absent (shared data)")


def small_maps(directory: Path, *, names=("内蒙古", "北京")) -> Path:
    """Three tiny, valid boundary files in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for file_name in MAP_FILES.values():
        features = [{"type": "Feature", "properties": {"name": name},
                     "geometry": {"type": "Polygon", "coordinates": [[[110, 40], [111, 40], [111, 41], [110, 40]]]}}
                    for name in names]
        (directory / file_name).write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                                      ensure_ascii=False), encoding="utf-8")
    return directory


@needs_shared
def test_the_shared_boundary_files_load_once_and_name_what_analytics_name():
    out = io.StringIO()
    call_command("load-maps", str(SHARED_REGIONS), stdout=out)
    assert {m.name: m.features for m in RegionMap.objects.all()} == {
        "china": 34, "neimenggu": 12, "neimenggu_counties": 103}
    assert "neimenggu_counties: 103 features loaded" in out.getvalue()
    first = dict(RegionMap.objects.values_list("name", "loaded_at"))

    again = io.StringIO()
    call_command("load-maps", str(SHARED_REGIONS), stdout=again)  # idempotent: nothing rewritten
    assert "china: unchanged" in again.getvalue()
    assert dict(RegionMap.objects.values_list("name", "loaded_at")) == first
    assert RegionMap.objects.count() == 3

    # The analytics name provinces by the index's short names and leagues/banners by Region
    # names: every one of them is a feature of its map, so charts join on the name.
    china = {f["properties"]["name"] for f in region_map("china")["features"]}
    provinces = {normalize_province(r.short_name or r.name) for r in Region.objects.filter(level="province")}
    assert provinces <= china
    leagues = {f["properties"]["name"] for f in region_map("neimenggu")["features"]}
    assert set(Region.objects.filter(level="league").values_list("name", flat=True)) == leagues
    counties = {f["properties"]["name"] for f in region_map("neimenggu_counties")["features"]}
    assert set(Region.objects.filter(level="county").values_list("name", flat=True)) == counties


def test_a_changed_file_replaces_its_map_and_a_bad_one_writes_nothing(tmp_path):
    directory = small_maps(tmp_path / "maps")
    report = region_maps_load(directory)
    assert report.loaded == {"china": 2, "neimenggu": 2, "neimenggu_counties": 2} and not report.missing
    small_maps(directory, names=("内蒙古", "北京", "天津"))
    (directory / MAP_FILES["neimenggu_counties"]).unlink()
    report = region_maps_load(directory)
    assert report.loaded == {"china": 3, "neimenggu": 3} and report.missing == [MAP_FILES["neimenggu_counties"]]
    assert len(region_map("china")["features"]) == 3

    (directory / MAP_FILES["china"]).write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}',
                                                 encoding="utf-8")
    with pytest.raises(MapFileError, match="没有名称"):
        region_maps_load(directory)
    assert len(region_map("china")["features"]) == 3  # left as it was
    (directory / MAP_FILES["china"]).write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是可读的 JSON"):
        call_command("load-maps", str(directory), stdout=io.StringIO())


def test_the_command_refuses_a_folder_without_maps(tmp_path):
    with pytest.raises(CommandError, match="No such folder"):
        call_command("load-maps", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="No map file"):
        call_command("load-maps", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_view_serves_a_loaded_map_to_anybody_with_cache_headers(client, tmp_path):
    missing = client.get("/maps/china.json")
    assert missing.status_code == 404 and "zhibao load-maps" in missing.json()["detail"]
    assert client.get("/maps/atlantis.json").status_code == 404
    assert region_map("china") is None

    region_maps_load(small_maps(tmp_path / "maps"))
    response = client.get("/maps/china.json")  # anonymous: the boundaries are public
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    assert "max-age" in response["Cache-Control"] and response["ETag"] and response["Last-Modified"]
    body = json.loads(response.content)
    assert body == region_map("china") and body["features"][0]["properties"]["name"] == "内蒙古"
    assert client.get("/maps/china.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304

    small_maps(tmp_path / "maps", names=("宁夏",))
    region_maps_load(tmp_path / "maps")
    fresh = client.get("/maps/china.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert fresh.status_code == 200 and json.loads(fresh.content)["features"][0]["properties"]["name"] == "宁夏"


def test_the_demo_loads_the_maps_when_the_shared_folder_is_there(tmp_path, monkeypatch):
    from zhibao.core import demo

    monkeypatch.setattr(demo, "SHARED_DATA", tmp_path / "absent")
    demo.load_maps()  # logged, not raised
    assert not RegionMap.objects.exists()
    small_maps(tmp_path / "shared" / "regions")
    monkeypatch.setattr(demo, "SHARED_DATA", tmp_path / "shared")
    out = io.StringIO()
    demo.load_maps(stdout=out)
    assert RegionMap.objects.count() == 3 and "region maps" in out.getvalue()
