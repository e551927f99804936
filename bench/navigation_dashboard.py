"""Patent navigation dashboard benchmark: how fast a run's dashboard page renders.

Prints `BENCH name value unit`. Runs on SQLite in a temporary directory (or the database in
DATABASE_URL). One analyst, one project and one ready run holding the figures of a realistic
12-branch, 3-level project (zhibao/navigation/tests/sample_data.py: 20 years, 20 top applicants,
co-applicant network, IPC, 33 provinces, leagues and banners, key patents), written as the run's
job writes them. The page is fetched 20 times through Django's test client (full middleware,
session, permission checks, template rendering); the first fetch builds and caches the page's
tables and charts, the others read the cache. Target (issue 7): p95 ≤ 1000 ms.
"""

import os
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

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

RENDERS = int(os.environ.get("BENCH_RENDERS", "20"))


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def make_snapshot(analyst):
    from zhibao.navigation.choices import RunState
    from zhibao.navigation.models import Snapshot, SnapshotNode
    from zhibao.navigation.services.projects import project_create
    from zhibao.navigation.tests.sample_data import sample_context

    context = sample_context()
    project, _created = project_create(user=analyst, title=context["project"]["title"], industry="稀土永磁",
                                       purpose="industry_planning", region="150000",
                                       description=context["project"]["description"])
    analytics = dict(context["analytics"])
    node_results = analytics.pop("node_results")
    numbers = analytics.pop("publication_numbers")
    snapshot = Snapshot.objects.create(
        project=project, number=1, taken_by=analyst, state=RunState.READY, tree=context["nodes"],
        corpus_size=context["snapshot"]["corpus_size"], total=analytics["overall"]["total"], analytics=analytics,
        taken_at=timezone.now(), took_ms=analytics.get("took_ms", 0))
    SnapshotNode.objects.bulk_create([
        SnapshotNode(snapshot=snapshot, key=n["key"], name=n["name"], depth=n["depth"],
                     total=node_results[n["key"]]["total"], numbers_blob=SnapshotNode.pack(numbers[n["key"]]),
                     analytics=node_results[n["key"]]) for n in context["nodes"]])
    return snapshot


def timed_renders(client, url: str) -> list[float]:
    times = []
    for _ in range(RENDERS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    call_command("migrate", verbosity=0)
    from zhibao.conftest import login, make_user
    from zhibao.core.choices import Role

    analyst = make_user("bench-analyst", [Role.ANALYST])
    snapshot = make_snapshot(analyst)
    client = login(analyst)
    client.get(reverse("navigation:project_list"))  # the session's first request
    number = snapshot.project.case.number
    cache.clear()
    page = timed_renders(client, reverse("navigation:snapshot_dashboard", args=[number, 1]))
    bench("navigation.dashboard.ms", p95(page), "ms")
    bench("navigation.dashboard.cold.ms", page[0], "ms")
    bench("navigation.dashboard.median.ms", sorted(page)[len(page) // 2], "ms")
    branch = timed_renders(client, reverse("navigation:snapshot_node", args=[number, 1, "1.1"]))
    bench("navigation.dashboard.branch.ms", p95(branch), "ms")
    start = time.perf_counter()
    response = client.get(reverse("navigation:snapshot_export", args=[number, 1]))
    assert response.status_code == 200
    bench("navigation.dashboard.export.ms", (time.perf_counter() - start) * 1000, "ms")


if __name__ == "__main__":
    main()
