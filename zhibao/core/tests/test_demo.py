"""`zhibao demo`: every persona, organizations across the leagues, cases in every state; idempotent."""

import io

import pytest
from django.core.management import call_command

from zhibao.accounts.choices import VerificationState
from zhibao.accounts.models import Organization, User
from zhibao.core.models import Case


@pytest.mark.django_db
@pytest.mark.usefixtures("patent_index")  # the demo indexes its corpus: in an index of its own
def test_demo_loads_once_with_every_persona_and_state():
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (User.objects.count(), Organization.objects.count(), Case.objects.count())
    call_command("demo", stdout=io.StringIO())
    assert (User.objects.count(), Organization.objects.count(), Case.objects.count()) == counts
    names = set(User.objects.values_list("username", flat=True))
    assert {"alice", "bob", "clerk", "examiner", "expert", "leader", "sysadmin", "secadmin", "auditadmin"} <= names
    assert set(Case.objects.filter(service="ORG").values_list("status", flat=True)) == {s.value for s in VerificationState}
    assert Organization.objects.exclude(league=None).values("league").distinct().count() == 12
    assert "alice" in out.getvalue() and "otp-code" in out.getvalue()
    assert_the_navigation_demo_is_ready()
    code = io.StringIO()
    call_command("otp-code", "clerk", stdout=code)
    assert code.getvalue().strip().isdigit() and len(code.getvalue().strip()) == 6


def assert_the_navigation_demo_is_ready() -> None:
    """One ready navigation project: run, with the region's gap and strength branches on the
    demo corpus (its Inner Mongolian applicants file on upstream rare earth), and a report."""
    from zhibao.navigation.demo import TITLE
    from zhibao.navigation.models import NavigationProject

    project = NavigationProject.objects.get(title=TITLE)
    snapshot = project.snapshots.get()
    assert snapshot.state == "ready" and snapshot.total > 100
    verdicts = {node["name"]: node["verdict"] for node in snapshot.analytics["nodes"]}
    assert verdicts["萃取分离"] == "strength" and verdicts["稀土永磁电机"] == "gap", verdicts
    report = project.reports.get()
    assert report.state == "ready" and report.docx and report.pdf and report.chart_count >= 20
