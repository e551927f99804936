"""分级分类: changing the grading settings (service, page, admin) bumps the version and queues the
regrade job, which regrades every listed pool patent in batches; imports queue it too."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from zhibao.conftest import login
from zhibao.core.choices import JobStatus
from zhibao.core.models import Job
from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.jobs import job_execute
from zhibao.patents.models import Patent
from zhibao.patents.signals import patents_imported
from zhibao.revitalization.grading import DEFAULT_WEIGHTS, FACTORS
from zhibao.revitalization.models import GradingConfig, PoolPatent
from zhibao.revitalization.services.pool import (
    REGRADE_JOB,
    grading_config_update,
    pool_add,
    pool_patent_withdraw,
    pool_regrade,
    stale_count,
)

UNI_PATENTS = ("CN111000001B", "CN111000002B", "CN211000003U", "CN111000004A", "CN111000005B", "CN111000006B")
THRESHOLDS = {"A": 80, "B": 65, "C": 50}


@pytest.fixture
def pool(corpus, uni_org, operator):
    return {pn: pool_add(patent=corpus[pn], holder=uni_org, actor=operator)[0] for pn in UNI_PATENTS}


def only(factor: str) -> dict:
    return {f: (1 if f == factor else 0) for f in FACTORS}


def test_a_weights_change_bumps_the_version_and_the_job_regrades_every_listed_patent(pool, operator, uni):
    pool_patent_withdraw(pool_patent=pool["CN111000006B"], user=uni)
    config, job = grading_config_update(weights=only("patent_type"), thresholds=THRESHOLDS, evaluation_min_count=1,
                                        actor=operator)
    assert config.version == 2 and job.name == REGRADE_JOB and job.owner == operator
    assert stale_count() == 5
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result == {"regraded": 5, "version": 2} and job.progress == 100
    listed = PoolPatent.objects.listed()
    assert set(listed.values_list("graded_version", flat=True)) == {2} and stale_count() == 0
    scores = {pp.patent.publication_number: pp.score for pp in listed.select_related("patent")}
    assert scores == {"CN111000001B": Decimal("100.00"), "CN111000002B": Decimal("100.00"),
                      "CN211000003U": Decimal("60.00"), "CN111000004A": Decimal("100.00"),
                      "CN111000005B": Decimal("100.00")}
    for pp in listed:
        assert sum(Decimal(p["points"]) for p in pp.score_parts) == pp.score
        assert next(p for p in pp.score_parts if p["factor"] == "patent_type")["weight"] == 100
    withdrawn = PoolPatent.objects.get(patent__publication_number="CN111000006B")
    assert withdrawn.graded_version == 1  # regraded when it is listed again


def test_the_regrade_keeps_industries_and_reports_progress_by_batch(pool):
    config = GradingConfig.current()
    calls = []
    assert pool_regrade(config=config, progress=lambda done, total: calls.append((done, total)), batch_size=4) == 6
    assert calls == [(4, 6), (6, 6)]
    dairy = PoolPatent.objects.get(patent__publication_number="CN111000005B")
    assert set(dairy.industries.values_list("code", flat=True)) == {"dairy", "biomedicine"}  # A23C9, C12N1
    assert set(PoolPatent.objects.get(patent__publication_number="CN111000001B")
               .industries.values_list("code", flat=True)) == {"rare_earth"}


def test_a_stale_patent_says_regrading_on_its_page_until_the_job_ran(pool, operator, alice):
    pp = pool["CN111000001B"]
    _config, job = grading_config_update(weights=only("claims"), thresholds=THRESHOLDS, evaluation_min_count=1,
                                         actor=operator)
    client = login(alice)
    assert 'id="regrading"' in client.get(reverse("revitalization:pool_patent", args=[pp.pk])).content.decode()
    job_execute(str(job.pk))
    html = client.get(reverse("revitalization:pool_patent", args=[pp.pk])).content.decode()
    assert 'id="regrading"' not in html and 'id="score">100.00<' in html  # ten claims: the factor is full


def test_saving_the_same_settings_changes_nothing(pool, operator):
    config = GradingConfig.current()
    same, job = grading_config_update(weights=dict(config.weights), thresholds=dict(config.thresholds),
                                      evaluation_min_count=config.evaluation_min_count, actor=operator)
    assert job is None and same.version == config.version
    assert not Job.objects.filter(name=REGRADE_JOB).exists()


def test_a_second_change_while_the_regrade_waits_queues_nothing_more(pool, operator):
    _c, first = grading_config_update(weights=only("claims"), thresholds=THRESHOLDS, evaluation_min_count=1,
                                      actor=operator)
    config, second = grading_config_update(weights=only("family"), thresholds=THRESHOLDS, evaluation_min_count=1,
                                           actor=operator)
    assert second.pk == first.pk and config.version == 3
    job_execute(str(first.pk))  # the waiting job reads the settings when it runs
    assert set(PoolPatent.objects.values_list("graded_version", flat=True)) == {3}


@pytest.mark.parametrize(("weights", "thresholds", "count", "field"), [
    ({"novelty": 10}, THRESHOLDS, 1, "weights"),
    ({**DEFAULT_WEIGHTS, "claims": -1}, THRESHOLDS, 1, "weights"),
    (only("claims") | {"claims": 0}, THRESHOLDS, 1, "weights"),
    (DEFAULT_WEIGHTS, {"A": 60, "B": 65, "C": 50}, 1, "thresholds"),
    (DEFAULT_WEIGHTS, {"A": 80}, 1, "thresholds"),
    (DEFAULT_WEIGHTS, THRESHOLDS, 0, "evaluation_min_count"),
    ({**DEFAULT_WEIGHTS, "claims": "many"}, THRESHOLDS, 1, "weights"),
])
def test_invalid_settings_are_refused_and_nothing_changes(pool, operator, weights, thresholds, count, field):
    with pytest.raises(WorkflowError) as exc:
        grading_config_update(weights=weights, thresholds=thresholds, evaluation_min_count=count, actor=operator)
    assert exc.value.code == "invalid_settings" and exc.value.status == 400 and field in exc.value.fields
    config = GradingConfig.current()
    assert config.version == 1 and config.weights == DEFAULT_WEIGHTS
    assert not Job.objects.filter(name=REGRADE_JOB).exists()


def test_only_operators_change_the_settings(pool, alice, uni, leader):
    for user in (alice, uni, leader):
        with pytest.raises(WorkflowError) as exc:
            grading_config_update(weights=only("claims"), thresholds=THRESHOLDS, evaluation_min_count=1, actor=user)
        assert exc.value.status == 403
    assert GradingConfig.current().version == 1


def test_an_import_queues_one_regrade(pool):
    patents_imported.send(sender=Patent, report=None)
    patents_imported.send(sender=Patent, report=None)
    assert Job.objects.filter(name=REGRADE_JOB, status=JobStatus.QUEUED).count() == 1


def test_an_import_with_an_empty_pool_queues_nothing(corpus):
    patents_imported.send(sender=Patent, report=None)
    assert not Job.objects.filter(name=REGRADE_JOB).exists()


def test_an_import_that_changed_a_legal_status_is_reflected_after_the_regrade(pool):
    patent = Patent.objects.get(publication_number="CN111000001B")
    patent.legal_status = "lapsed"
    patent.save()
    patents_imported.send(sender=Patent, report=None)
    job_execute(str(Job.objects.get(name=REGRADE_JOB).pk))
    pp = PoolPatent.objects.get(patent=patent)
    assert next(p for p in pp.score_parts if p["factor"] == "legal_status")["value"] == 0.0
    assert pp.score < pool["CN111000001B"].score


# --- the settings page -------------------------------------------------------------------------


def form_data(config, **changes) -> dict:
    data = {f"weight_{f}": config.weights.get(f, 0) for f in FACTORS}
    data.update({f"threshold_{g}": config.thresholds[g] for g in "ABC"})
    data["evaluation_min_count"] = config.evaluation_min_count
    data.update(changes)
    return data


def test_the_settings_page_saves_queues_the_regrade_and_shows_its_progress(pool, operator):
    client = login(operator)
    page = reverse("revitalization:grading_settings")
    html = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for label in FACTORS.values():
        assert escape(str(label)) in html
    response = client.post(page, form_data(GradingConfig.current(), weight_market=40))
    assert response.status_code == 302
    config = GradingConfig.current()
    assert config.version == 2 and config.weights["market"] == 40
    job = Job.objects.get(name=REGRADE_JOB)
    html = client.get(page).content.decode()
    assert 'id="regrade-progress"' in html and "hx-get" in html and re.search(r"6 .{0,12}6", html)
    job_execute(str(job.pk))
    fragment = client.get(reverse("revitalization:grading_progress"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "hx-get" not in fragment and re.search(r"\b0 .{0,12}6", fragment)


def test_the_settings_page_shows_refusals_and_saves_nothing(pool, operator):
    client = login(operator)
    response = client.post(reverse("revitalization:grading_settings"),
                           form_data(GradingConfig.current(), threshold_A=40))
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert GradingConfig.current().version == 1


def test_the_settings_page_is_for_operators(pool, alice, leader, uni):
    for user in (alice, leader, uni):
        assert login(user).get(reverse("revitalization:grading_settings")).status_code == 403
        assert login(user).post(reverse("revitalization:grading_settings"),
                                form_data(GradingConfig.current(), weight_market=40)).status_code == 403
        assert login(user).get(reverse("revitalization:grading_progress")).status_code == 403
    assert GradingConfig.current().version == 1


def test_the_admin_save_goes_through_the_service(pool, sysadmin):
    sysadmin.is_staff = sysadmin.is_superuser = True  # as the demo's system admin maintains the tables
    sysadmin.save()
    config = GradingConfig.current()
    client = login(sysadmin)
    url = reverse("admin:revitalization_gradingconfig_change", args=[config.pk])
    assert client.get(url).status_code == 200
    weights = dict(config.weights, market=30)
    response = client.post(url, {"weights": json.dumps(weights), "thresholds": json.dumps(config.thresholds),
                                 "evaluation_min_count": 2})
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.version == 2 and config.weights["market"] == 30 and config.evaluation_min_count == 2
    job = Job.objects.get(name=REGRADE_JOB)
    job_execute(str(job.pk))
    assert set(PoolPatent.objects.values_list("graded_version", flat=True)) == {2}
    # the admin's own validation refuses bad thresholds
    response = client.post(url, {"weights": json.dumps(weights), "thresholds": json.dumps({"A": 1, "B": 2, "C": 3}),
                                 "evaluation_min_count": 2})
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.version == 2
