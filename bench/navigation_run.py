"""Navigation benchmark: a 12-node, 3-level breakdown tree run over a generated corpus.

Builds a corpus of BENCH_N records (default 200,000; the issue's target is measured with
BENCH_N=1000000) the way the platform does: `gen-patents` writes the export file and the real
import (`patents_import`: normalise, resolve regions, write the database, segment and index in
the writer process) loads it into a migrated SQLite database and the app's own search index in
a temporary ZHIBAO_VAR_DIR. BENCH_DIR=/some/dir keeps that folder and reuses it when it already
holds BENCH_N patents (the import of 1M records takes minutes; the run takes seconds).

Then it times `navigation.analytics.project_analytics` on a rare-earth + energy-storage tree of
12 nodes in 3 levels — every node's analytics, the overall analytics, the gap/strength verdicts,
the node × year and node × applicant matrices and every node's publication-number set, i.e.
what a project run stores in its snapshot — and prints

    BENCH navigation.analytics.seconds    project_analytics alone (the figures, nothing stored)
    BENCH navigation.run.seconds          the whole run through the services, as the job does it:
                                          a project of those 12 branches, project_run +
                                          snapshot_execute (figures + every branch's patent set
                                          stored on the Snapshot) — target ≤ 10 s at 1,000,000
    BENCH navigation.report.seconds       report_execute of that run: 20+ charts drawn, DOCX and
                                          PDF written and stored as attachments (target ≤ 60 s)
    BENCH navigation.node_analytics.ms    node_analytics of the largest node
    BENCH navigation.pn_set.ms            the publication-number set of a ~50,000-hit query
                                          (engine.publication_number_set: the packed `pn_code`
                                          fast field read as the sort keys of one search)
    BENCH navigation.pn_terms_agg.ms      the same numbers as a terms aggregation on `pn`
    BENCH navigation.pn_doc_fetch.ms      the same numbers fetched document by document
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
N = int(os.environ.get("BENCH_N", "200000"))
KEEP = os.environ.get("BENCH_DIR", "")
VAR = Path(KEEP) if KEEP else Path(tempfile.mkdtemp(prefix="zhibao-bench-nav-"))
os.environ["ZHIBAO_VAR_DIR"] = str(VAR)
os.environ.setdefault("ZHIBAO_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibao.settings")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

TREE = [  # (key, name, parent, query) in tree order
    ("1", "稀土功能材料", None, "IPC=H01F OR IPC=C22B"),
    ("1.1", "稀土永磁", "1", "TIAB=钕铁硼 OR TIAB=稀土永磁"),
    ("1.1.1", "烧结钕铁硼", "1.1", "TIAB=烧结钕铁硼"),
    ("1.1.2", "晶界扩散", "1.1", "TIAB=晶界扩散"),
    ("1.2", "稀土冶炼分离", "1", "IPC=C22B"),
    ("1.2.1", "萃取分离", "1.2", "TIAB=萃取"),
    ("1.3", "稀土储氢与发光材料", "1", "TIAB=储氢合金 OR TIAB=稀土发光材料"),
    ("2", "电化学储能", None, "IPC=H01M"),
    ("2.1", "正极材料", "2", "TIAB=正极材料"),
    ("2.1.1", "磷酸铁锂", "2.1", "TIAB=磷酸铁锂"),
    ("2.2", "固态电解质", "2", "TIAB=固态电解质"),
    ("2.3", "电池管理与储能系统", "2", "TIAB=电池管理系统 OR IPC=H02J"),
]


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


def nodes() -> list[dict]:
    depth = {}
    out = []
    for key, name, parent, query in TREE:
        depth[key] = depth[parent] + 1 if parent else 1
        out.append({"key": key, "name": name, "description": "", "parent_key": parent, "depth": depth[key],
                    "query": query})
    return out


def build() -> None:
    from django.core.management import call_command

    from zhibao.patents.importing.generator import generate_patents_file
    from zhibao.patents.importing.services import patents_import
    from zhibao.patents.models import Patent

    call_command("migrate", verbosity=0)
    have = Patent.objects.count()
    if have == N:
        print(f"# reusing the corpus of {N} records in {VAR}", flush=True)
        return
    if have:
        raise SystemExit(f"{VAR} holds {have} patents, not BENCH_N={N}: use another BENCH_DIR")
    data = VAR / "bench-patents.csv"
    started = time.perf_counter()
    generate_patents_file(path=data, count=N, seed=1)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    report = patents_import(path=data, preset="cn_export", rejected_path=VAR / "rejected.csv",
                            refresh_collections=False)
    imported = time.perf_counter() - started
    data.unlink()
    print(f"# corpus: {N} records generated in {generated:.0f} s, imported (database + index) in {imported:.0f} s "
          f"({report.created} created, {report.rejected} rejected)", flush=True)


def service_path(tree: list[dict]) -> None:
    """The run and the report as an analyst gets them: through the services the jobs call."""
    from zhibao.accounts.models import User
    from zhibao.accounts.services import user_set_roles
    from zhibao.core.choices import Role
    from zhibao.navigation.services.projects import project_create
    from zhibao.navigation.services.reports import report_execute, report_request
    from zhibao.navigation.services.runs import project_run, snapshot_execute
    from zhibao.navigation.services.tree import node_add

    analyst, created = User.objects.get_or_create(username="bench-analyst", defaults={"first_name": "压测分析"})
    if created:
        user_set_roles(user=analyst, roles=[Role.ANALYST])
    project, _created = project_create(user=analyst, title="压测：稀土与储能专利导航", industry="稀土、储能",
                                       purpose="industry_planning", scope_query="AD>=2005",
                                       idempotency_key=f"bench-navigation-{time.time_ns()}")
    made = {}
    for node in tree:
        made[node["key"]] = node_add(project=project, user=analyst, parent=made.get(node["parent_key"]),
                                     name=node["name"], query=node["query"])
    started = time.perf_counter()
    snapshot = snapshot_execute(project_run(project=project, user=analyst))
    run_seconds = time.perf_counter() - started
    stored = sum(len(n.publication_numbers) for n in snapshot.node_sets.all())
    print(f"# run {snapshot.number}: {snapshot.total} patents, {stored} branch memberships stored", flush=True)
    bench("navigation.run.seconds", run_seconds, "s")

    started = time.perf_counter()
    report = report_execute(report_request(project=project, user=analyst, snapshot=snapshot))
    report_seconds = time.perf_counter() - started
    print(f"# report v{report.version}: {report.chart_count} charts, {report.page_count} PDF pages, "
          f"DOCX {report.docx.size / 1e6:.1f} MB, PDF {report.pdf.size / 1e6:.1f} MB", flush=True)
    bench("navigation.report.seconds", report_seconds, "s")


def main() -> None:
    build()
    from zhibao.navigation.analytics import node_analytics, project_analytics
    from zhibao.patents.search import get_engine

    engine = get_engine()
    tree = nodes()
    project_analytics(tree[:1])  # open the index and warm the caches (not timed)

    started = time.perf_counter()
    result = project_analytics(tree, project_scope="AD>=2005")
    seconds = time.perf_counter() - started
    totals = {entry["key"]: entry["total"] for entry in result["nodes"]}
    print(f"# nodes (patents): {', '.join(f'{k}={v}' for k, v in totals.items())}; "
          f"overall {result['overall']['total']}; gaps {[g['key'] for g in result['gaps']]}, "
          f"strengths {[s['key'] for s in result['strengths']]}", flush=True)
    print(f"# publication numbers stored: {sum(len(v) for v in result['publication_numbers'].values())}", flush=True)
    bench("navigation.analytics.seconds", seconds, "s")
    service_path(tree)

    largest = max(TREE, key=lambda row: totals[row[0]])
    from zhibao.navigation.analytics import effective_queries

    query = effective_queries(tree)[largest[0]]
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        node_analytics(query)
        samples.append((time.perf_counter() - started) * 1000)
    print(f"# node_analytics of node {largest[0]} ({totals[largest[0]]} patents)", flush=True)
    bench("navigation.node_analytics.ms", min(samples), "ms")

    # The publication-number set of a query of about 50,000 hits (the brief's comparison).
    target = 50_000
    candidates = ["TIAB=正极材料", "IPC=H01M", "IPC=H01M OR IPC=H01F", "IPC=H01M OR IPC=H01F OR IPC=A01G", "实用新型", "装置"]
    query = min(candidates, key=lambda text: abs(engine.count(text) - target))
    hits = engine.count(query)
    started = time.perf_counter()
    fast = engine.publication_number_set(query)
    fast_ms = (time.perf_counter() - started) * 1000
    searcher = engine.searcher()
    _, compiled = engine.build_query(query)
    started = time.perf_counter()
    found = searcher.search(compiled, hits, count=False)
    slow = [searcher.doc(address).get_first("pn") for _, address in found.hits]
    slow_ms = (time.perf_counter() - started) * 1000
    assert sorted(slow) == fast
    # The other candidate: a terms aggregation over the `pn` fast field (at most 65,000 buckets).
    print(f"# publication numbers of {query!r}: {hits} hits", flush=True)
    bench("navigation.pn_set.ms", fast_ms, "ms")
    if hits <= 65_000:
        started = time.perf_counter()
        raw = searcher.aggregate(compiled, {"pn": {"terms": {"field": "pn", "size": hits, "segment_size": hits}}})
        terms = sorted(bucket["key"] for bucket in raw["pn"]["buckets"])
        terms_ms = (time.perf_counter() - started) * 1000
        assert terms == fast
        bench("navigation.pn_terms_agg.ms", terms_ms, "ms")
    else:  # tantivy refuses more buckets: the reason the packed fast field is read instead
        print("# terms aggregation on pn: refused by tantivy above 65,000 buckets", flush=True)
    bench("navigation.pn_doc_fetch.ms", slow_ms, "ms")
    print(f"# N={N}, corpus in {VAR}{' (kept)' if KEEP else ''}", flush=True)


if __name__ == "__main__":
    main()
