"""供需对接, the platform's side: the pool index on disk, matching on publication, the batch
job, a pool patent's demands and likely enterprises, pushing, answering and the match quality."""

import pytest
from django.urls import reverse

from zhibao.conftest import login
from zhibao.core.choices import JobStatus
from zhibao.core.models import Job, Notification
from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.jobs import job_execute
from zhibao.revitalization.choices import Answer, MatchState
from zhibao.revitalization.models import Match
from zhibao.revitalization.services import matching
from zhibao.revitalization.services.pool import pool_add

from .conftest import UNI_NAME, make_patent
from .test_demands import industries, moved, published, submitted, var_dir  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

PLANTED_TITLE = "一种马铃薯淀粉加工废水的膜分离回收蛋白方法"
PLANTED_ABSTRACT = "马铃薯淀粉生产废水经絮凝、超滤膜分离回收马铃薯蛋白，出水回用于淀粉洗涤，降低废水排放。"
DEMAND_TITLE = "马铃薯淀粉废水处理与蛋白回收技术"
DEMAND_TEXT = "我公司马铃薯淀粉加工每年产生大量废水，需要废水处理和马铃薯蛋白回收技术，实现废水回用。"


@pytest.fixture
def pool(corpus, uni, uni_org, bob, bob_org):
    """Every corpus patent in the pool (the university's by it, the others by bob's enterprise)
    and a planted patent that clearly answers the potato-starch demand."""
    planted = make_patent("CN111000099B", PLANTED_TITLE, abstract=PLANTED_ABSTRACT, ipc=("C02F9/00", "B01D61/14"),
                          claims_count=9)
    entries = {}
    for number, patent in {**corpus, "CN111000099B": planted}.items():
        holder = uni_org if patent.first_applicant == UNI_NAME or patent is planted else bob_org
        entries[number], _ = pool_add(patent=patent, holder=holder, actor=uni)
    return entries


@pytest.fixture
def potato(alice, alice_org, operator, industries, pool, django_capture_on_commit_callbacks):  # noqa: F811
    """alice's published potato-starch demand, matched on publication (after the commit)."""
    demand = submitted(alice, alice_org, industries, title=DEMAND_TITLE, description=DEMAND_TEXT,
                       key_industry=None)
    with django_capture_on_commit_callbacks(execute=True):
        published(demand, operator)
    demand.refresh_from_db()
    return demand


def test_publishing_matches_the_demand_and_ranks_the_planted_patent_first(potato, pool, settings):
    matches = list(potato.matches.order_by("rank"))
    assert potato.matched_at is not None and 1 <= len(matches) <= matching.MATCH_LIMIT
    first = matches[0]
    assert first.pool_patent == pool["CN111000099B"] and first.rank == 1
    assert all(a.score >= b.score for a, b in zip(matches, matches[1:], strict=False))
    e = first.explanation
    assert {"马铃薯", "淀粉", "废水"} <= set(e["shared_terms"])
    assert e["holder"] == UNI_NAME and e["grade"] == pool["CN111000099B"].grade
    assert set(e["parts"]) == {"text", "ipc", "grade"}
    assert abs(sum(e["parts"].values()) - first.score) < 1e-3
    assert (settings.VAR_DIR / "matching" / "pool.npz").is_file()


def test_a_rematch_keeps_what_the_operator_pushed_or_dismissed(potato, operator):
    first, second = list(potato.matches.order_by("rank"))[:2]
    matching.match_push(match=first, actor=operator)
    matching.match_dismiss(match=second, actor=operator)
    matching.demand_match(potato)
    first.refresh_from_db(), second.refresh_from_db()
    assert first.state == MatchState.PUSHED and second.state == MatchState.DISMISSED
    assert Match.objects.filter(demand=potato).count() == len(set(potato.matches.values_list("pool_patent", flat=True)))


def test_the_index_follows_the_pool(potato, pool, uni, uni_org, settings):
    index = matching.pool_index()
    assert len(index) == len(pool)
    extra = make_patent("CN111000098B", "一种马铃薯淀粉废水絮凝剂", abstract="用于马铃薯淀粉废水。", ipc=("C02F1/52",))
    pool_add(patent=extra, holder=uni_org, actor=uni)
    assert len(matching.pool_index()) == len(pool) + 1  # stale by its watermark: rebuilt (a small pool)
    from zhibao.revitalization.choices import PoolStatus

    pool["CN111000099B"].status = PoolStatus.WITHDRAWN
    pool["CN111000099B"].save()
    matching.demand_match(potato)
    assert not potato.matches.filter(pool_patent=pool["CN111000099B"], state=MatchState.SUGGESTED).exists()


def test_a_change_of_the_pool_queues_one_rebuild(pool, uni, uni_org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            patent = make_patent(f"CN11100010{n}B", f"一种测试专利{n}")
            pool_add(patent=patent, holder=uni_org, actor=uni)
    jobs = Job.objects.filter(name=matching.INDEX_JOB)
    assert jobs.count() == 1 and jobs.get().status == JobStatus.QUEUED
    job_execute(str(jobs.get().pk))
    job = jobs.get()
    assert job.status == JobStatus.SUCCEEDED and job.result["pool"] == len(pool) + 3


def test_an_import_queues_the_batch_matching(db):
    from zhibao.patents.signals import patents_imported

    patents_imported.send(sender=None, report=None)
    patents_imported.send(sender=None, report=None)
    assert Job.objects.filter(name=matching.MATCH_ALL_JOB, status=JobStatus.QUEUED).count() == 1


def test_the_batch_job_matches_every_published_demand_with_progress(alice, alice_org, bob, bob_org, operator,
                                                                      industries, pool):  # noqa: F811
    demands = [published(submitted(alice, alice_org, industries, title=DEMAND_TITLE, description=DEMAND_TEXT),
                         operator),
               published(submitted(bob, bob_org, industries, title="益生菌酸奶发酵技术",
                                   description="需要乳酸菌发酵乳的菌种和工艺，提高活菌数。"), operator)]
    submitted(alice, alice_org, industries, title="未发布")  # not matched
    assert not Match.objects.exists()  # the publications' matching waits for the commit
    seen = []
    result = matching.match_all(progress=lambda done, total: seen.append((done, total)))
    assert result["demands"] == 2 and seen[-1] == (2, 2)
    job = matching.match_all_start(owner=operator)
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress == 100 and job.result["demands"] == 2
    for demand in demands:
        demand.refresh_from_db()
        assert demand.matched_at is not None and demand.matches.exists()
    yogurt = demands[1].matches.order_by("rank").first()
    assert yogurt.pool_patent == pool["CN111000005B"]


# --- pushing and answering --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "uni", "uni_member", "leader"])
def test_only_operators_push_or_dismiss(potato, people, who):
    match = potato.matches.order_by("rank").first()
    for step in (matching.match_push, matching.match_dismiss):
        with pytest.raises(WorkflowError) as exc:
            step(match=match, actor=people[who])
        assert exc.value.code == "forbidden"


def test_a_push_tells_both_sides(potato, alice, uni, uni_member, bob, operator):
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    match = matching.match_push(match=potato.matches.order_by("rank").first(), actor=operator)
    assert match.state == MatchState.PUSHED and match.pushed_by == operator and match.pushed_at
    told = Notification.objects.filter(pk__gt=before)
    assert {n.recipient for n in told} == {alice, uni, uni_member}  # both sides' members, nobody else
    holder_note = Notification.objects.filter(recipient=uni).latest("created_at")
    assert holder_note.url == reverse("revitalization:pool_patent_demands", args=[match.pool_patent_id])
    with pytest.raises(WorkflowError) as exc:
        matching.match_push(match=match, actor=operator)
    assert exc.value.code == "already_pushed"
    with pytest.raises(WorkflowError) as exc:
        matching.match_dismiss(match=match, actor=operator)
    assert exc.value.code == "already_pushed"


def test_each_side_answers_only_for_itself_and_only_pushed_matches(potato, alice, bob, uni, uni_member, operator,
                                                                    leader):
    suggested = potato.matches.order_by("rank")[1]
    with pytest.raises(WorkflowError) as exc:
        matching.match_answer(match=suggested, user=alice, answer=Answer.INTERESTED)
    assert exc.value.code == "not_pushed"
    match = matching.match_push(match=potato.matches.order_by("rank").first(), actor=operator)
    for stranger in (bob, operator, leader):
        with pytest.raises(WorkflowError) as exc:
            matching.match_answer(match=match, user=stranger, answer=Answer.INTERESTED)
        assert exc.value.code == "forbidden"
    with pytest.raises(WorkflowError) as exc:
        matching.match_answer(match=match, user=alice, answer="maybe")
    assert exc.value.code == "bad_answer"
    match = matching.match_answer(match=match, user=alice, answer=Answer.INTERESTED, feedback="请联系我们。")
    assert match.demand_answer == Answer.INTERESTED and match.holder_answer == Answer.PENDING
    from zhibao.revitalization.models import Operation

    interest = Operation.objects.get(kind="interest")  # counted as a use of the marketplace
    assert interest.demand == potato and interest.pool_patent == match.pool_patent and interest.organization_id == potato.organization_id
    match = matching.match_answer(match=match, user=uni_member, answer=Answer.NOT_INTERESTED, feedback="已许可他人")
    assert match.demand_answer == Answer.INTERESTED and match.holder_answer == Answer.NOT_INTERESTED
    assert "请联系我们。" in match.feedback and "已许可他人" in match.feedback


def test_the_match_quality_is_the_precision_of_pushed_matches(potato, alice, operator, people):
    from zhibao.conftest import make_user
    from zhibao.core.choices import Role

    other = make_user("operator2", [Role.OPERATOR])
    ranked = list(potato.matches.order_by("rank"))
    a, b, c, d = ranked[:4]
    for match, who in ((a, operator), (b, operator), (c, other), (d, other)):
        matching.match_push(match=match, actor=who)
    matching.match_answer(match=a, user=alice, answer=Answer.INTERESTED)
    matching.match_answer(match=b, user=alice, answer=Answer.NOT_INTERESTED)
    matching.match_answer(match=c, user=alice, answer=Answer.INTERESTED)
    quality = matching.match_quality()
    assert (quality["pushed"], quality["answered"], quality["interested"]) == (4, 3, 2)
    assert quality["precision"] == pytest.approx(2 / 3, abs=1e-4)
    by = {q["operator_id"]: q for q in quality["operators"]}
    assert by[operator.pk]["precision"] == 0.5 and by[other.pk]["precision"] == 1.0 and by[other.pk]["answered"] == 1
    page = login(operator).get(reverse("revitalization:matching"))
    assert page.status_code == 200 and 'id="precision">67%' in page.content.decode()


# --- a pool patent's demands and likely enterprises ------------------------------------------------------


def test_a_pool_patent_ranks_demands_and_likely_enterprises(potato, pool, alice_org, bob_org, uni, bob, operator,
                                                             alice):
    planted = pool["CN111000099B"]
    ranked = matching.pool_patent_demands(planted)
    assert ranked and ranked[0][0] == potato
    enterprises = matching.likely_enterprises(planted, demand_matches=ranked)
    assert enterprises[0]["organization"] == alice_org and enterprises[0]["demands"] == [potato.pk]
    # bob's enterprise holds CN111000007B (H01M 4/58) itself: likely for the hydrogen-storage alloy (H01M 4/38)
    alloy = matching.likely_enterprises(pool["CN111000004A"])
    assert any(e["organization"] == bob_org and e["own_patents"] == 1 for e in alloy)
    assert all(e["organization"] != bob_org for e in matching.likely_enterprises(pool["CN111000007B"]))  # holder
    url = reverse("revitalization:pool_patent_demands", args=[planted.pk])
    for who in (uni, operator):
        page = login(who).get(url)
        assert page.status_code == 200 and f'data-demand="{potato.pk}"' in page.content.decode()
    for stranger in (bob, alice):
        assert login(stranger).get(url).status_code == 404


# --- the operator's pages --------------------------------------------------------------------------------


def test_the_review_page_marks_shared_terms_and_pushes(potato, pool, operator, alice, bob, uni):
    url = reverse("revitalization:demand_matches", args=[potato.pk])
    for who in (alice, bob, uni):
        assert login(who).get(url).status_code == 404
    client = login(operator)
    body = client.get(url).content.decode()
    first = potato.matches.order_by("rank").first()
    assert f'data-match="{first.pk}"' in body and "<mark>马铃薯</mark>" in body
    response = client.post(reverse("revitalization:match_push"), {"match": [first.pk], "next": url})
    assert response.status_code == 302 and response["Location"] == url
    first.refresh_from_db()
    assert first.state == MatchState.PUSHED
    second = potato.matches.order_by("rank")[1]
    client.post(reverse("revitalization:match_push"), {"match": [second.pk], "dismiss": "1"})
    second.refresh_from_db()
    assert second.state == MatchState.DISMISSED
    # bob's POST of the same ids changes nothing: the matches are not his to see
    third = potato.matches.order_by("rank")[2]
    login(bob).post(reverse("revitalization:match_push"), {"match": [third.pk]})
    third.refresh_from_db()
    assert third.state == MatchState.SUGGESTED


def test_the_enterprise_answers_on_its_demand_page(potato, operator, alice, bob, uni):
    match = matching.match_push(match=potato.matches.order_by("rank").first(), actor=operator)
    page = login(alice).get(reverse("revitalization:demand_detail", args=[potato.pk])).content.decode()
    assert f'data-match="{match.pk}"' in page and "answer-form" in page
    answer_url = reverse("revitalization:match_answer", args=[match.pk])
    assert login(bob).post(answer_url, {f"m{match.pk}-answer": "interested"}).status_code == 404
    assert login(operator).post(answer_url, {f"m{match.pk}-answer": "interested"}).status_code == 404
    login(alice).post(answer_url, {f"m{match.pk}-answer": "interested", f"m{match.pk}-feedback": "想了解许可费"})
    login(uni).post(answer_url, {f"m{match.pk}-answer": "not_interested"})
    match.refresh_from_db()
    assert match.demand_answer == Answer.INTERESTED and match.holder_answer == Answer.NOT_INTERESTED


def test_the_matching_page_and_its_export_are_the_centers(potato, operator, leader, alice):
    from openpyxl import load_workbook

    matching.match_push(match=potato.matches.order_by("rank").first(), actor=operator)
    assert login(alice).get(reverse("revitalization:matching")).status_code == 404
    assert login(alice).get(reverse("revitalization:matching_export")).status_code == 404
    assert login(leader).get(reverse("revitalization:matching")).status_code == 200
    import io

    response = login(operator).get(reverse("revitalization:matching_export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == 2 and rows[1][0] == potato.case.number
    started = login(operator).post(reverse("revitalization:matching_run"))
    assert started.status_code == 302 and Job.objects.filter(name=matching.MATCH_ALL_JOB).exists()
    assert login(leader).post(reverse("revitalization:matching_run")).status_code == 404
