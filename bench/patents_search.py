"""Patent search benchmark: import rate, query latency against raw tantivy, analytics time.

Prints `BENCH name value unit`. Generates BENCH_N patents (default 1,000,000) with a
self-contained generator of realistic Chinese titles, abstracts, applicants and IPC codes,
indexes them through engine.index_patents (unsaved Patent instances: the engine's own cost,
not the database's), then runs 200 fixed queries of 1–3 terms — a third of them broad (one or
two common words, thousands of hits), half with facet filters — through engine.search (with
facets) and through raw tantivy doing the same search and aggregation (the ceiling), then the
full analytics set of broad queries. Targets: service p95 ≤ 20 ms and ≤ 3× raw; analytics ≤ 100 ms;
import ≥ 10,000 records/s.
"""

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ZHIBAO_ENV", "test")
os.environ.setdefault("ZHIBAO_VAR_DIR", tempfile.mkdtemp(prefix="zhibao-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibao.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

N = int(os.environ.get("BENCH_N", "1000000"))
SEED = 20240601

COMMON = ["装置", "方法", "系统", "材料", "电池", "设备", "控制", "检测", "结构", "组合物"]
SUBJECTS = [
    "锂离子电池", "稀土永磁体", "牧草", "乳制品", "风力发电机", "光伏组件", "煤气化炉", "马铃薯", "羊绒", "燕麦",
    "沙棘", "石墨烯", "单晶硅", "碳化硅", "无人机", "机器人", "传感器", "逆变器", "换热器", "储能系统",
    "充电桩", "集成电路", "神经网络", "图像识别", "区块链", "服务器", "电解液", "隔膜", "正极材料", "负极材料",
    "钕铁硼", "永磁电机", "抛光粉", "奶牛", "肉羊", "酸奶", "奶粉", "饲料", "草原", "灌溉",
    "混凝土", "钢筋", "管道", "阀门", "轴承", "齿轮", "电机", "变压器", "电缆", "开关柜",
]
MODIFIERS = ["高效", "智能", "节能", "新型", "便携式", "自动化", "环保", "低成本", "高强度", "耐高温",
             "模块化", "可拆卸", "多功能", "精密", "快速"]
HEADS = ["装置", "方法", "系统", "设备", "组合物", "材料", "结构", "工艺", "控制方法", "检测方法", "制备方法"]
SENTENCES = [
    "本发明公开了一种{m}{s}{h}，包括{s2}和{c}，属于{f}技术领域。",
    "所述{s}通过{c}与{s2}连接，能够提高{p}，降低{q}。",
    "该{h}结构简单，操作方便，适用于{f}领域的{s2}。",
    "采用{m}{c}，解决了现有{s}{p}不足的问题，具有{q}低的优点。",
    "实验表明，所述方法使{s}的{p}提高了{n}%以上。",
]
PARTS = ["壳体", "支架", "控制器", "电路板", "底座", "传动机构", "冷却装置", "密封件", "连接件", "驱动电机"]
FIELDS = ["新能源", "农业机械", "食品加工", "冶金", "电力", "化工", "通信", "生物医药", "建筑", "环境保护"]
PROPS = ["效率", "稳定性", "安全性", "能量密度", "使用寿命", "精度", "产量", "强度"]
COSTS = ["成本", "能耗", "污染", "故障率", "噪音"]
SUBCLASSES = ["H01M", "H01F", "A01D", "A23C", "F03D", "H02S", "C10J", "A01B", "D01G", "A23L", "C01B", "H01L",
              "B64C", "B25J", "G01N", "H02M", "F28D", "H02J", "B60L", "G06N", "G06V", "G06Q", "G06F", "C22C",
              "H02K", "C09K", "A61K", "A23K", "E04B", "C04B", "F16K", "F16C", "F16H", "H01B", "H02B", "G01D"]
PROVINCES = ["内蒙古"] * 6 + ["北京", "江苏", "广东", "浙江", "山东", "上海", "河南", "四川", "湖北", "福建"]
LEAGUES = ["150100", "150200", "150300", "150400", "150500", "150600", "150700", "150800", "150900"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def generate(n: int):
    """n unsaved Patent instances, deterministic for a seed (same corpus every run)."""
    from zhibao.patents.models import Patent

    rng = random.Random(SEED)
    companies = [f"{rng.choice(['内蒙古', '包头', '鄂尔多斯', '北京', '江苏', '深圳'])}"
                 f"{rng.choice(['华', '蒙', '恒', '鑫', '北', '新'])}{rng.choice(['晟', '达', '源', '泰', '科', '丰'])}"
                 f"{rng.choice(['科技', '能源', '稀土', '乳业', '电力', '机械'])}{'有限公司' if i % 3 else '股份有限公司'}{i}"
                 for i in range(3000)]
    universities = ["内蒙古大学", "内蒙古工业大学", "内蒙古农业大学", "包头稀土研究院", "内蒙古科技大学"]
    for i in range(n):
        subject, subject2 = rng.choice(SUBJECTS), rng.choice(SUBJECTS)
        head, modifier = rng.choice(HEADS), rng.choice(MODIFIERS)
        title = f"一种{modifier}{subject}{head}" if i % 4 else f"{subject}{rng.choice(PARTS)}及其{head}"
        abstract = "".join(
            rng.choice(SENTENCES).format(m=rng.choice(MODIFIERS), s=subject, s2=subject2, h=head,
                                         c=rng.choice(PARTS), f=rng.choice(FIELDS), p=rng.choice(PROPS),
                                         q=rng.choice(COSTS), n=rng.randint(5, 60))
            for _ in range(rng.randint(3, 5))
        )
        applicant = rng.choice(universities) if rng.random() < 0.15 else companies[int(rng.paretovariate(1.2)) % 3000]
        province = rng.choice(PROVINCES)
        kind = rng.choices(["invention", "utility_model", "design"], [55, 40, 5])[0]
        subclasses = rng.sample(SUBCLASSES, rng.randint(1, 3))
        codes = [f"{s}{rng.randint(1, 60)}/{rng.choice(['00', '02', '04', '057', '10', '0525'])}" for s in subclasses]
        year = rng.randint(2005, 2024)
        ad = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        yield Patent(
            publication_number=f"CN{100000000 + i}{ {'invention': 'A', 'utility_model': 'U', 'design': 'S'}[kind]}",
            application_number=f"CN{year}1{i:07d}.1", patent_type=kind, title=title, abstract=abstract,
            first_claim=f"1. 一种{subject}{head}，其特征在于，包括{rng.choice(PARTS)}和{rng.choice(PARTS)}。",
            applicants=[{"name": applicant, "province": province}], first_applicant=applicant,
            province=province, city="", league_code=rng.choice(LEAGUES) if province == "内蒙古" else "",
            inventors=[rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN) for _ in range(rng.randint(1, 4))],
            ipc_main=codes[0], ipc_codes=codes, application_date=ad,
            publication_date=ad + dt.timedelta(days=rng.randint(60, 540)),
            grant_date=ad + dt.timedelta(days=700) if kind != "invention" or rng.random() < 0.5 else None,
            legal_status=rng.choice(["granted", "granted", "pending", "lapsed", "expired"]),
            applicant_type="university" if "大学" in applicant else "enterprise",
        )


def queries() -> list[tuple[str, dict | None]]:
    """200 fixed queries: 70 broad (common words), the rest 1–3 specific terms; half filtered."""
    rng = random.Random(7)
    out: list[tuple[str, dict | None]] = []
    filters = [None, {"type": ["invention"]}, {"year": [2019, 2020, 2021]}, {"province": ["内蒙古"]},
               {"legal_status": ["granted"], "type": ["utility_model"]}]
    for i in range(200):
        if i < 70:
            text = " ".join(rng.sample(COMMON, rng.randint(1, 2)))
        else:
            words = rng.sample(SUBJECTS + MODIFIERS + PARTS, rng.randint(1, 3))
            text = " ".join(words) if i % 5 else f"TI={words[0]} AND IPC={rng.choice(SUBCLASSES)}"
        out.append((text, filters[i % len(filters)] if i % 2 else None))
    return out


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.1f} {unit}", flush=True)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(len(ordered) * 0.95) - 1]


def main() -> None:
    settings.PATENT_INDEX_DIR = Path(tempfile.mkdtemp(prefix="zhibao-bench-index-"))
    settings.PATENT_SEARCH_IPC_WORDS = False  # no database in this benchmark
    from zhibao.patents.search import get_engine
    from zhibao.patents.search.engine import DEFAULT_FACETS, FACET_SIZE, PatentSearchEngine

    engine = get_engine()
    elapsed, batch = 0.0, []
    generation = time.perf_counter()
    for patent in generate(N):
        batch.append(patent)
        if len(batch) == 5000:
            started = time.perf_counter()
            engine.index_patents(batch)
            elapsed += time.perf_counter() - started
            batch = []
    started = time.perf_counter()
    engine.index_patents(batch)
    engine.commit()
    elapsed += time.perf_counter() - started
    total = time.perf_counter() - generation
    bench("patents.index.records_per_s", N / elapsed, "records/s")
    print(f"# indexed {N} patents in {elapsed:.1f} s ({total:.1f} s with the generator)", flush=True)

    searcher = engine.searcher()
    facet_aggs = {name: PatentSearchEngine._terms_agg(name, FACET_SIZE) for name in DEFAULT_FACETS}
    plan = queries()
    for text, filters in plan[:20]:  # warm the caches
        engine.search(text, filters=filters)
    service, raw, totals = [], [], []
    for text, filters in plan:
        start = time.perf_counter()
        result = engine.search(text, filters=filters)
        service.append((time.perf_counter() - start) * 1000)
        totals.append(result.total)
        _, query = engine.build_query(text, filters)
        start = time.perf_counter()
        found = searcher.search(query, 20, count=True)
        for _, address in found.hits:
            searcher.doc(address)
        if found.count:
            searcher.aggregate(query, facet_aggs)
        raw.append((time.perf_counter() - start) * 1000)
    broad = sum(1 for t in totals if t >= 1000)
    print(f"# {len(plan)} queries, {broad} with ≥1000 hits, median hits {sorted(totals)[len(totals) // 2]}")
    bench("patents.search.p95_ms", p95(service), "ms")
    bench("patents.search.raw_p95_ms", p95(raw), "ms")
    bench("patents.search.ratio_to_raw", p95(service) / max(p95(raw), 0.001), "x")

    analytics = []
    for text in ("电池", "装置 控制", "IPC=H01M", "系统", "方法 材料"):
        start = time.perf_counter()
        engine.analytics(text)
        analytics.append((time.perf_counter() - start) * 1000)
    bench("patents.analytics.ms", max(analytics), "ms")
    print(f"# analytics per query (ms): {', '.join(f'{a:.1f}' for a in analytics)}; N={N}")


if __name__ == "__main__":
    main()
