"""Case index benchmark: submission rate through the real service, and list latency at scale.

Prints `BENCH name value unit`. Runs on SQLite in a temporary directory, or on the database
in DATABASE_URL. Scale: the center's pre-examination channel alone has 11,503 cases; the index
is loaded with 100,000 to see how "my cases" and the worklist hold up.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

N_SUBMIT = int(os.environ.get("BENCH_SUBMIT", "500"))
N_INDEX = int(os.environ.get("BENCH_INDEX", "100000"))


def bench(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.2f} {unit}", flush=True)


def timed(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    call_command("migrate", verbosity=0)
    from zhibao.accounts.choices import OrganizationKind
    from zhibao.accounts.demo import make_uscc
    from zhibao.accounts.models import Membership, Organization
    from zhibao.accounts.services import organization_verification_submit, user_register, user_set_roles
    from zhibao.core.choices import Role
    from zhibao.core.models import Case
    from zhibao.core.selectors import cases_of_applicant, worklist_for

    owner = user_register(username="bench-owner", password="Bench-password-2026")
    clerk = user_register(username="bench-clerk", password="Bench-password-2026")
    user_set_roles(user=clerk, roles=[Role.CLERK])
    orgs = Organization.objects.bulk_create([
        Organization(kind=OrganizationKind.ENTERPRISE, name=f"基准测试企业{i}", uscc=make_uscc("150203", 30_000_000 + i),
                     created_by=owner, join_code=f"B{i:07d}")
        for i in range(N_SUBMIT)
    ])
    Membership.objects.bulk_create([Membership(user=owner, organization=o, role="owner") for o in orgs])

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        start = time.perf_counter()
        for org in orgs:
            organization_verification_submit(organization=org, user=owner)
        elapsed = time.perf_counter() - start
    bench("core.case_submit.rate", N_SUBMIT / elapsed, "cases/s")

    # Fill the index to scale (rows only: the lists read the index, not the service records).
    now = timezone.now()
    batch = []
    for i in range(N_INDEX):
        batch.append(Case(number=f"ZZZ-2026-{i:06d}", service="ORG", title=f"基准办件{i}", applicant=owner,
                          status="submitted", assignee_role=Role.CLERK, submitted_at=now, last_event_at=now,
                          deadline=now.date()))
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)
    connection.cursor().execute("ANALYZE")

    def worklist_page():
        qs = worklist_for(clerk)
        qs.count()
        list(qs[:20])

    def my_cases_page():
        qs = cases_of_applicant(owner)
        qs.count()
        list(qs[:20])

    total = Case.objects.count()
    bench("core.worklist.page_ms", timed(worklist_page) * 1000, f"ms (index of {total} cases)")
    bench("core.my_cases.page_ms", timed(my_cases_page) * 1000, f"ms (index of {total} cases)")
    with CaptureQueriesContext(connection) as ctx:
        worklist_page()
    bench("core.worklist.queries", len(ctx), "queries")


if __name__ == "__main__":
    main()
