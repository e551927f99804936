"""The matching engine on a small hand-made pool: ranking, explanations, storage, batches.

No database: the engine takes plain documents.
"""

import pytest

from zhibao.revitalization.matching import (
    IPC_WEIGHT,
    PoolDoc,
    PoolIndex,
    Query,
    highlight,
    rank_groups,
    subclasses_of,
    terms_of,
)

POOL = [
    PoolDoc(
        "CN1A",
        "一种钕铁硼永磁体的晶界扩散方法",
        "本发明公开了一种钕铁硼磁体，通过晶界扩散提高矫顽力。",
        ["H01F 1/057", "H01F 41/02"],
        0.4,
    ),
    PoolDoc(
        "CN2A",
        "一种锂离子电池正极材料及其制备方法",
        "本发明公开了一种磷酸铁锂正极材料，提高了循环寿命。",
        ["H01M 4/525"],
        0.9,
    ),
    PoolDoc(
        "CN3A", "一种苜蓿种植方法", "本发明公开了一种苜蓿种植方法，提高了牧草的出苗率。", ["A01G 22/00"], 1.0
    ),
    PoolDoc(
        "CN4A", "一种发酵乳及其制备方法", "本发明公开了一种益生菌发酵乳，延长了保质期。", ["A23C 9/12"], 0.2
    ),
    PoolDoc(
        "CN5U",
        "一种电池管理系统",
        "本实用新型公开了一种储能电池模组的均衡电路。",
        ["H01M 10/42", "H02J 7/00"],
    ),
    PoolDoc(
        "CN6U", "一种牧草收获机", "本实用新型公开了一种牧草收获机，包括割台和打捆机构。", ["A01D 43/00"], 0.5
    ),
    PoolDoc(
        "CN7A", "稀土永磁电机", "本发明公开了一种稀土永磁电机，减少了重稀土用量。", ["H02K 1/27", "H01F 7/02"]
    ),
    PoolDoc(
        "CN8A", "烟气脱硫脱硝方法", "本发明公开了一种烟气脱硫脱硝方法，减少了污染物排放。", ["B01D 53/00"]
    ),
]
DEMAND = "我们需要提高烧结钕铁硼磁体矫顽力的技术，减少重稀土的用量"


@pytest.fixture(scope="module")
def index():
    return PoolIndex.build(POOL)


def test_a_planted_relevant_patent_ranks_first(index):
    matches = index.match("提高钕铁硼磁体矫顽力的晶界扩散技术")
    assert matches[0].key == "CN1A"
    assert {"钕铁硼", "矫顽力", "晶界"} <= set(matches[0].shared_terms)
    # the demand about heavy rare earths finds both magnet patents first, the other fields after
    assert {m.key for m in index.match(DEMAND)[:2]} == {"CN1A", "CN7A"}


def test_a_planted_patent_ranks_first_among_many_unrelated_ones():
    filler = [
        PoolDoc(f"X{i}", f"一种{topic}装置", f"本实用新型公开了一种{topic}装置，结构简单。", [ipc])
        for i, (topic, ipc) in enumerate(
            [
                ("输送", "B65G 47/00"),
                ("焊接夹具", "B23K 37/00"),
                ("减速器", "F16H 57/00"),
                ("污水处理", "C02F 1/00"),
            ]
            * 50
        )
    ]
    planted = PoolDoc(
        "PLANTED", "一种羊绒分梳装置", "本实用新型公开了一种羊绒分梳装置，提高了分梳效率。", ["D01G 15/00"]
    )
    index = PoolIndex.build([*filler[:100], planted, *filler[100:]])
    assert index.match("寻求羊绒分梳的新设备，提高分梳效率")[0].key == "PLANTED"


def test_parts_add_up_to_the_score_and_results_are_sorted(index):
    matches = index.match(DEMAND, limit=20)
    assert len(matches) >= 3
    for m in matches:
        assert set(m.parts) == {"text", "ipc", "grade"}
        assert m.score == pytest.approx(sum(m.parts.values()), abs=1e-9)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_shared_terms_are_tokens_of_both_texts(index):
    by_key = {d.key: d for d in POOL}
    query_terms = set(terms_of(DEMAND))
    for m in index.match(DEMAND):
        doc = by_key[m.key]
        doc_terms = set(terms_of(doc.title)) | set(terms_of(doc.abstract))
        assert set(m.shared_terms) <= query_terms & doc_terms
        assert bool(m.shared_terms) == (m.parts["text"] > 0)
        assert set(m.ipc_overlap) <= set(subclasses_of(doc.ipc_codes))


def test_a_demand_gets_an_inferred_ipc_profile(index):
    inferred = index.infer_ipc(DEMAND)
    assert inferred[0][0] == "H01F"
    assert sum(w for _s, w in inferred) <= 1.0 + 1e-9
    assert "H01F" in index.match(DEMAND)[0].ipc_overlap


def test_given_ipc_codes_replace_the_inferred_profile(index):
    matches = index.match("提高效率", ipc_codes=["A01D 43/00"])
    assert matches[0].key == "CN6U"
    assert matches[0].ipc_overlap == ("A01D",)
    # codes alone (no known term) still match by classification
    assert [m.key for m in index.match("", ipc_codes=["A23C"])] == ["CN4A"]


def test_exclude_leaves_a_document_out(index):
    matches = index.match(DEMAND, exclude=["CN1A", "unknown-key"])
    assert matches and "CN1A" not in [m.key for m in matches]


def test_the_grade_orders_but_never_lifts_an_unrelated_patent(index):
    keys = [m.key for m in index.match("钕铁硼磁体矫顽力", limit=20)]
    assert "CN3A" not in keys  # grade 1.0, but about forage grass: no shared term, no shared subclass
    for m in index.match(DEMAND, limit=20):
        assert m.parts["grade"] == 0 or m.parts["text"] > 0 or m.parts["ipc"] > 0
        if m.key == "CN7A":
            assert m.parts["grade"] == 0  # not graded


@pytest.mark.parametrize("text", ["", "   ", "！？。，", "zzqx qqzv", "的 和 与", "\x00\ufffd"])
def test_empty_or_garbage_query_matches_nothing(index, text):
    assert index.match(text) == []
    assert index.infer_ipc(text) == []


def test_save_and_load_give_identical_results(index, tmp_path):
    path = tmp_path / "pool.npz"
    index.save(path)
    loaded = PoolIndex.load(path)
    assert len(loaded) == len(index)
    for text in (DEMAND, "电池循环寿命", "牧草"):
        assert loaded.match(text) == index.match(text)
    assert loaded.match("提高效率", ipc_codes=["H01M"]) == index.match("提高效率", ipc_codes=["H01M"])


def test_a_file_of_another_version_is_refused(index, tmp_path):
    import json

    import numpy as np

    path = tmp_path / "pool.npz"
    index.save(path)
    with np.load(path) as data:
        arrays = dict(data)
    arrays["meta"] = np.array(json.dumps({"version": 999}))
    np.savez(path, **arrays)
    with pytest.raises(ValueError):
        PoolIndex.load(path)


def test_match_many_equals_match_one_by_one_and_reports_progress(index):
    queries = [
        DEMAND,
        Query("电池的循环寿命", exclude=["CN2A"]),
        Query("提高效率", ipc_codes=["A01G"]),
        "",
        "牧草",
    ]
    queries = queries * 30  # more than one chunk
    reports = []
    results = index.match_many(queries, limit=5, progress=lambda done, total: reports.append((done, total)))
    expected = [
        index.match(q, limit=5)
        if isinstance(q, str)
        else index.match(q.text, ipc_codes=q.ipc_codes, exclude=q.exclude, limit=5)
        for q in queries
    ]
    assert results == expected
    assert reports and reports[-1] == (len(queries), len(queries))
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_the_inverse_direction_uses_the_same_class(index):
    """Demands are documents too: classified by the pool's inferred profile, then matched back."""
    demands = [("D1", DEMAND), ("D2", "寻找苜蓿和燕麦草的高产种植技术"), ("D3", "乳酸菌发酵酸奶的保质期延长")]
    demand_index = PoolIndex.build(
        PoolDoc(key, text, "", [s for s, _w in index.infer_ipc(text, limit=2)]) for key, text in demands
    )
    patent = POOL[2]  # 苜蓿种植方法
    ranked = demand_index.match(f"{patent.title}。{patent.abstract}", ipc_codes=patent.ipc_codes)
    assert ranked[0].key == "D2"


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError):
        PoolIndex.build([POOL[0], POOL[0]])


def test_an_empty_pool_matches_nothing(tmp_path):
    index = PoolIndex.build([])
    assert index.match(DEMAND) == []
    index.save(tmp_path / "empty.npz")
    assert PoolIndex.load(tmp_path / "empty.npz").match(DEMAND) == []


def test_rank_groups_gathers_matches_by_holder(index):
    holder = {"CN1A": "包头稀土研究院", "CN7A": "包头稀土研究院", "CN2A": "某电池公司"}
    groups = rank_groups(index.match(DEMAND, limit=20), holder.get)
    assert groups[0][0] == "包头稀土研究院"
    assert sorted(groups[0][2]) == ["CN1A", "CN7A"]
    assert groups[0][1] > max(m.score for m in index.match(DEMAND, limit=2))


def test_highlight_marks_the_shared_terms():
    assert highlight("一种钕铁硼永磁体", ["钕铁硼", "永磁"]) == [
        ("一种", False),
        ("钕铁硼", True),
        ("永磁", True),
        ("体", False),
    ]
    assert highlight("LED灯", ["led"]) == [("LED", True), ("灯", False)]
    assert highlight("", ["x"]) == []
    assert highlight("abc", []) == [("abc", False)]


def test_weighted_ipc_codes_are_normalised(index):
    """A suggester's (code, confidence) mapping is accepted as a profile, codes in any spelling."""
    weighted = index.match("提高", ipc_codes={"a01g 22/00": 0.75, "H01M": 0.25, "bogus": 1.0})
    assert weighted[0].key == "CN3A"
    assert weighted[0].parts["ipc"] == pytest.approx(0.75 * IPC_WEIGHT, rel=1e-6)
