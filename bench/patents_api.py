"""Patent search API benchmark: p95 latency of /api/v1/patents over an index of BENCH_N patents.

A fresh temporary ZHIBAO_VAR_DIR (SQLite) gets `migrate`, a user with an API token, and
BENCH_N generated patents (default 1,000,000; a small self-contained generator, deterministic
from BENCH_SEED: Chinese titles and abstracts from a technical vocabulary, 3,000 applicants
across the provinces, IPC codes, dates 2000–2024, types and statuses), written to the database
and indexed in batches. Then `zhibao serve` (gunicorn 2 workers × 4 threads, as `make run`)
listens on a free loopback port, and the same 200 queries — bare words, field codes, boolean
combinations, date ranges, drill-down filters, the three sorts, deep pages — are sent one after
another with the token, after one untimed warm-up pass. Every answer must be 200 with results
and facets. Prints `BENCH patents.api.search.p95_ms X ms` (target ≤ 50 ms), with p50, max and
the indexing rate. The server is stopped whatever happens.

    BENCH_N=50000 .venv/bin/python bench/patents_api.py
"""

import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
N = int(os.environ.get("BENCH_N", "1000000"))
SEED = int(os.environ.get("BENCH_SEED", "20260501"))
BATCH = 5000
SERVER_ENV = os.environ.get("BENCH_PATENTS_ENV", "development")
TARGET_MS = 50.0

VAR = Path(tempfile.mkdtemp(prefix="zhibao-bench-patents-"))
ENV = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER")}
ENV.update(ZHIBAO_ENV=SERVER_ENV, ZHIBAO_VAR_DIR=str(VAR), ZHIBAO_DEBUG="false", ZHIBAO_LOG_LEVEL="WARNING")
os.environ.update(ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibao.settings")
sys.path.insert(0, str(ROOT))

# --- The generator -----------------------------------------------------------------------------

SUBJECTS = ["稀土永磁材料", "钕铁硼磁体", "锂离子电池", "正极材料", "负极材料", "电解液", "隔膜", "固态电池", "钠离子电池",
            "光伏组件", "逆变器", "风力发电机", "储能系统", "燃料电池", "煤气化炉", "碳化硅", "单晶硅", "石墨烯", "乳制品",
            "奶牛饲料", "牧草", "羊绒", "马铃薯", "燕麦", "沙棘", "蒙药", "中药组合物", "传感器", "控制器", "无人机",
            "机器人", "集成电路", "半导体芯片", "神经网络", "图像识别", "物联网", "充电桩", "换热器", "稀土抛光粉", "合金"]
ACTIONS = ["制备方法", "检测装置", "控制方法", "控制系统", "生产工艺", "回收方法", "冷却装置", "监测系统", "加工设备",
           "改性方法", "测试平台", "处理工艺", "组合物", "结构"]
QUALIFIERS = ["高性能", "低成本", "高效", "智能", "一体化", "耐高温", "轻量化", "环保型", "模块化", "自动"]
FILLER = ["提高了", "降低了", "所述", "包括", "设置有", "连接", "温度", "压力", "效率", "稳定性", "寿命", "成本", "性能",
          "结构简单", "操作方便", "通过", "实现", "工艺", "步骤", "其中", "采用", "能够", "有效", "显著"]
PROVINCES = [("内蒙古自治区", ["呼和浩特市", "包头市", "鄂尔多斯市", "赤峰市", "通辽市", "乌海市"], "15"),
             ("北京市", ["北京市"], "11"), ("江苏省", ["南京市", "苏州市", "无锡市"], "32"),
             ("广东省", ["深圳市", "广州市", "东莞市"], "44"), ("浙江省", ["杭州市", "宁波市"], "33"),
             ("山东省", ["济南市", "青岛市"], "37"), ("上海市", ["上海市"], "31")]
LEAGUES = {"呼和浩特市": "150100", "包头市": "150200", "乌海市": "150300", "赤峰市": "150400", "通辽市": "150500",
           "鄂尔多斯市": "150600"}
KINDS = ["有限公司", "股份有限公司", "大学", "研究院", "科技有限公司"]
IPCS = ["H01F1/057", "H01F41/02", "H01M4/525", "H01M10/0525", "H01M50/403", "H02K1/27", "H02S40/32", "F03D9/25",
        "C22C38/00", "C01F17/00", "B07B1/00", "A23C9/12", "A23K50/10", "A01G22/00", "A61K36/00", "G06N3/08",
        "G06V10/82", "H04L67/12", "B64C39/02", "B25J9/16", "H01L21/02", "G01N33/00", "F28D7/00", "C10J3/00"]
TYPES = ["invention"] * 5 + ["utility_model"] * 4 + ["design"]
STATUSES = ["granted"] * 4 + ["pending"] * 3 + ["lapsed", "expired", "withdrawn", "rejected", "invalidated"]
TYPE_KIND = {"invention": "A", "utility_model": "U", "design": "S"}


def applicants_pool(rng: random.Random) -> list[dict]:
    pool = []
    for i in range(3000):
        province, cities, code = PROVINCES[0] if i % 3 == 0 else rng.choice(PROVINCES)
        city = rng.choice(cities)
        kind = rng.choice(KINDS)
        name = f"{city.rstrip('市')}{rng.choice(QUALIFIERS)}{rng.choice(SUBJECTS)[:2]}{i}{kind}"
        kind_code = {"大学": "university", "研究院": "institute"}.get(kind, "enterprise")
        pool.append({"name": name, "address": f"{province}{city}创新路{i % 200 + 1}号", "province": province,
                     "city": city, "county": "", "type": kind_code, "_code": code})
    return pool


def generate(start: int, count: int, rng: random.Random, pool: list[dict]):
    from zhibao.patents.models import Patent

    for i in range(start, start + count):
        patent_type = rng.choice(TYPES)
        subject, action = rng.choice(SUBJECTS), rng.choice(ACTIONS)
        title = f"一种{rng.choice(QUALIFIERS)}{subject}的{action}"
        other = rng.choice(SUBJECTS)
        abstract = (f"本发明公开了一种{subject}的{action}，" + "".join(rng.choices(FILLER, k=18))
                    + f"，适用于{other}领域，" + "".join(rng.choices(FILLER, k=12)) + "。")
        people = [rng.choice(pool) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        first = people[0]
        filed = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(25 * 365))
        codes = list(dict.fromkeys(rng.sample(IPCS, rng.choice((1, 2, 3)))))
        yield Patent(
            publication_number=f"CN{100000000 + i}{TYPE_KIND[patent_type]}",
            application_number=f"{filed.year}1{i % 10_000_000:07d}",
            patent_type=patent_type, title=title, abstract=abstract,
            first_claim=f"1. 一种{subject}的{action}，其特征在于，" + "".join(rng.choices(FILLER, k=10)) + "。",
            applicants=[{k: v for k, v in a.items() if k != "_code"} for a in people],
            first_applicant=first["name"], applicant_type=first["type"], province=first["province"],
            province_code=first["_code"], city=first["city"], league_code=LEAGUES.get(first["city"], ""),
            inventors=[f"发明人{rng.randrange(20000)}" for _ in range(rng.choice((1, 2, 3)))],
            ipc_main=codes[0], ipc_codes=codes, application_date=filed,
            publication_date=filed + dt.timedelta(days=rng.randrange(120, 700)),
            legal_status=rng.choice(STATUSES), citation_count=rng.randrange(10),
        )


def load_corpus() -> float:
    """Write and index N patents; returns the documents per second of the whole load."""
    from zhibao.patents.models import Patent
    from zhibao.patents.search import get_engine

    rng = random.Random(SEED)
    pool = applicants_pool(rng)
    engine = get_engine()
    started = time.perf_counter()
    done = 0
    while done < N:
        count = min(BATCH, N - done)
        batch = list(generate(done, count, rng, pool))
        Patent.objects.bulk_create(batch, batch_size=1000)
        engine.index_patents(batch)
        done += count
        if done % 100_000 == 0 or done == N:
            engine.commit()
            print(f"patents: {done:,} written and indexed ({time.perf_counter() - started:.0f} s)", flush=True)
    engine.commit()
    return N / (time.perf_counter() - started)


def queries() -> list[dict]:
    """200 queries, the same every run: what analysts type, with the page's drill-downs and sorts."""
    rng = random.Random(SEED + 1)
    out: list[dict] = []
    templates = [
        lambda: {"q": rng.choice(SUBJECTS)},
        lambda: {"q": f"{rng.choice(SUBJECTS)} {rng.choice(ACTIONS)}"},
        lambda: {"q": f'TI="{rng.choice(SUBJECTS)}" AND AD>={rng.randrange(2005, 2023)}'},
        lambda: {"q": f"IPC={rng.choice(IPCS)[:4]} AND PR=内蒙古"},
        lambda: {"q": f"({rng.choice(SUBJECTS)} OR {rng.choice(SUBJECTS)}) NOT TYPE=外观设计"},
        lambda: {"q": f"PA={rng.choice(['包头', '鄂尔多斯', '呼和浩特', '深圳', '苏州'])} AND LS=有权"},
        lambda: {"q": f"AD=[{(y := rng.randrange(2000, 2020))} TO {y + 3}] AND MIPC={rng.choice(IPCS)[:4]}"},
        lambda: {"q": rng.choice(SUBJECTS), "type": "invention", "year": str(rng.randrange(2005, 2024))},
        lambda: {"q": rng.choice(SUBJECTS), "sort": "-application_date"},
        lambda: {"q": f"TIAB={rng.choice(SUBJECTS)}", "province": "内蒙古自治区", "sort": "application_date"},
        lambda: {"q": rng.choice(SUBJECTS), "page": str(rng.randrange(2, 20))},
        lambda: {"q": f"CL={rng.choice(SUBJECTS)} AND AD>=2015", "legal_status": "granted"},
    ]
    for i in range(200):
        out.append(templates[i % len(templates)]())
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


def main() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from zhibao.accounts.services import user_register

    call_command("migrate", verbosity=0)
    user = user_register(username="bench-analyst", password="Bench-password-2026", email="bench@example.org")
    token = Token.objects.create(user=user).key
    rate = load_corpus()
    from zhibao.patents.search import reset_engine

    reset_engine()  # release the writer lock before the server opens the index
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (VAR / "server.log").open("w")
    server = subprocess.Popen([str(BIN / "zhibao"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              env=ENV, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)

    def stop() -> None:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), shutil.rmtree(VAR, ignore_errors=True), os._exit(143)))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (loopback)
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start; see {VAR / 'server.log'}") from None
                time.sleep(0.3)

        def call(params: dict) -> tuple[float, dict]:
            url = f"{base}/api/v1/patents?{urllib.parse.urlencode(params)}"
            request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback)
                body = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, json.loads(body)

        workload = queries()
        for params in workload:  # warm-up: each gunicorn worker opens the index and warms its caches
            call(params)
        latencies, totals, engine_ms = [], [], []
        for params in workload:
            elapsed, body = call(params)
            assert "results" in body and "facets" in body, body
            latencies.append(elapsed)
            totals.append(body["total"])
            engine_ms.append(body["took_ms"])
    finally:
        stop()
        log.close()
    print(f"patents: {N:,} indexed; 200 queries matched {min(totals):,}–{max(totals):,} "
          f"(median {sorted(totals)[100]:,}) patents", flush=True)
    bench("patents.index.rate", rate, "docs/s")
    bench("patents.api.search.p50_ms", percentile(latencies, 50), "ms")
    bench("patents.api.search.p95_ms", percentile(latencies, 95), "ms")
    bench("patents.api.search.max_ms", max(latencies), "ms")
    bench("patents.engine.search.p95_ms", percentile(engine_ms, 95), "ms")
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(VAR, ignore_errors=True)
    return 0 if percentile(latencies, 95) <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
