"""可转化专利资源库: the pool's list, search and filters, a pool patent's page (the grade explained
factor by factor), evaluations, contacts, the holder's listing, operations and the Excel export."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhibao.conftest import login
from zhibao.core.models import Notification
from zhibao.core.services.cases import WorkflowError
from zhibao.revitalization.choices import OperationKind, PoolStatus
from zhibao.revitalization.models import ContactRequest, MarketEvaluation, Operation, PoolPatent
from zhibao.revitalization.services.pool import (
    contact_request_reply,
    contact_request_send,
    pool_add,
    pool_patent_evaluate,
    pool_patent_relist,
    pool_patent_update,
    pool_patent_withdraw,
)

UNI_PATENTS = ("CN111000001B", "CN111000002B", "CN211000003U", "CN111000004A", "CN111000005B", "CN111000006B")


@pytest.fixture
def pool(corpus, uni_org, bob_org, operator):
    """The university's six patents in the pool, and bob's enterprise's own patent (CN111000007B,
    held by 鄂尔多斯绿能储能) too; CN111000008B stays out of the pool."""
    entries = {pn: pool_add(patent=corpus[pn], holder=uni_org, actor=operator)[0] for pn in UNI_PATENTS}
    entries["CN111000007B"] = pool_add(patent=corpus["CN111000007B"], holder=bob_org, actor=operator)[0]
    return entries


def url(pp) -> str:
    return reverse("revitalization:pool_patent", args=[pp.pk])


def numbers_on(html: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', html)


# --- the explanation ---------------------------------------------------------------------------


def test_the_page_explains_the_grade_factor_by_factor_adding_up_to_the_score(pool, alice, alice_org):
    pp = pool["CN111000001B"]
    html = login(alice).get(url(pp)).content.decode()
    points = [Decimal(p) for p in re.findall(r"data-points>([-0-9.]+)<", html)]
    assert len(points) == 10
    assert sum(points) == pp.score
    assert re.search(r'id="parts-total">([0-9.]+)<', html).group(1) == str(pp.score)
    assert f'id="score">{pp.score}<' in html
    assert f'id="grade">{pp.grade}<' in html
    assert 'data-factor="industry_fit"' in html and "稀土" in html  # the detail names the industry
    assert reverse("patents:detail", args=[pp.patent.publication_number]) in html


def test_the_factor_labels_follow_the_readers_language(pool, alice, alice_org):
    pp = pool["CN111000001B"]
    client = login(alice)
    english = client.get(url(pp), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Fit with the region&#x27;s key industries" in english or "Fit with the region's key industries" in english


def test_the_actions_include_is_rendered_with_the_evaluation_and_contact_buttons(pool, alice, alice_org):
    html = login(alice).get(url(pool["CN111000002B"])).content.decode()
    assert 'id="pool-patent-actions"' in html and 'id="action-evaluate"' in html and 'id="action-contact"' in html


# --- evaluations -------------------------------------------------------------------------------


def market(pp) -> dict:
    pp.refresh_from_db()
    return next(p for p in pp.score_parts if p["factor"] == "market")


def test_an_evaluation_changes_the_market_factor_at_once_and_rating_again_updates_it(pool, alice, alice_org, bob,
                                                                                    bob_org):
    pp = pool["CN111000002B"]
    before = pp.score
    assert market(pp)["value"] == 0.5  # neutral without evaluations
    _e, created = pool_patent_evaluate(pool_patent=pp, user=alice, organization=alice_org, rating=5, comment="好")
    assert created and market(pp)["value"] == 1.0 and pp.score > before
    _e, created = pool_patent_evaluate(pool_patent=pp, user=alice, organization=alice_org, rating=1)
    assert not created and MarketEvaluation.objects.filter(pool_patent=pp).count() == 1
    assert market(pp)["value"] == 0.0
    pool_patent_evaluate(pool_patent=pp, user=bob, organization=bob_org, rating=5)
    assert market(pp)["value"] == 0.5 and "3.0" in market(pp)["detail"]
    assert Operation.objects.filter(kind=OperationKind.EVALUATION, pool_patent=pp).count() == 3


def test_the_evaluation_form_rates_and_the_page_shows_average_and_comments(pool, alice, alice_org):
    pp = pool["CN111000002B"]
    client = login(alice)
    response = client.post(reverse("revitalization:pool_patent_evaluate", args=[pp.pk]),
                           {"organization": alice_org.pk, "rating": 4, "comment": "市场前景好"})
    assert response.status_code == 302
    html = client.get(url(pp)).content.decode()
    assert 'id="rating-summary"' in html and "4.0" in html and "市场前景好" in html
    pp.refresh_from_db()
    assert market(pp)["value"] == 0.75


def test_an_organization_may_not_rate_its_own_patents(pool, uni_member, uni_org):
    pp = pool["CN111000001B"]
    with pytest.raises(WorkflowError) as exc:
        pool_patent_evaluate(pool_patent=pp, user=uni_member, organization=uni_org, rating=5)
    assert exc.value.code == "own_patent" and exc.value.status == 403
    response = login(uni_member).post(reverse("revitalization:pool_patent_evaluate", args=[pp.pk]),
                                      {"organization": uni_org.pk, "rating": 5})
    assert response.status_code == 403
    assert not MarketEvaluation.objects.exists()
    html = login(uni_member).get(url(pp)).content.decode()
    assert 'id="evaluate"' not in html


def test_only_members_rate_for_an_enterprise_and_only_from_1_to_5(pool, alice, alice_org, bob, bob_org):
    pp = pool["CN111000001B"]
    with pytest.raises(WorkflowError) as exc:
        pool_patent_evaluate(pool_patent=pp, user=bob, organization=alice_org, rating=5)
    assert exc.value.code == "unknown_organization"
    with pytest.raises(WorkflowError) as exc:
        pool_patent_evaluate(pool_patent=pp, user=alice, organization=alice_org, rating=6)
    assert exc.value.code == "bad_rating"
    response = login(alice).post(reverse("revitalization:pool_patent_evaluate", args=[pp.pk]),
                                 {"organization": bob_org.pk, "rating": 5})
    assert response.status_code == 400  # not one of her enterprises: the form refuses it
    assert not MarketEvaluation.objects.exists()


# --- list, search and filters ------------------------------------------------------------------


def test_the_list_shows_listed_pool_patents_only_best_first(pool, alice, alice_org):
    pool_patent_withdraw(pool_patent=pool["CN111000004A"], user=pool["CN111000004A"].holder.memberships.first().user)
    html = login(alice).get(reverse("revitalization:pool")).content.decode()
    shown = numbers_on(html)
    assert set(shown) == set(UNI_PATENTS) - {"CN111000004A"} | {"CN111000007B"}
    scores = [PoolPatent.objects.get(patent__publication_number=n).score for n in shown]
    assert scores == sorted(scores, reverse=True)
    assert "CN111000008B" not in html


def test_search_uses_the_corpus_language_restricted_to_the_pool(pool, alice, alice_org, corpus):
    client = login(alice)
    pool_path = reverse("revitalization:pool")
    assert set(numbers_on(client.get(pool_path, {"q": "稀土"}).content.decode())) == {
        "CN111000001B", "CN111000002B", "CN211000003U", "CN111000004A"}
    assert numbers_on(client.get(pool_path, {"q": "IPC=A23C AND 奶酪"}).content.decode()) == ["CN111000006B"]
    # 苜蓿 is in the corpus (CN111000008B) but not in the pool
    assert numbers_on(client.get(pool_path, {"q": "苜蓿"}).content.decode()) == []
    assert "CN111000008B" in corpus
    response = client.get(pool_path, {"q": "TI=(稀土"})
    assert response.status_code == 200 and 'id="filter-errors"' in response.content.decode()
    assert numbers_on(response.content.decode()) == []


def test_filters_grade_industry_holder_league_mode_type(pool, alice, alice_org, uni, uni_org, bob_org):
    pool_patent_update(pool_patent=pool["CN111000005B"], user=uni, modes=["licence", "assignment"], asking_price=50,
                       description="", contact_name="", contact_phone="")
    client = login(alice)
    pool_path = reverse("revitalization:pool")

    def shown(**params):
        response = client.get(pool_path, params)
        assert response.status_code == 200
        return set(numbers_on(response.content.decode()))

    assert shown(key_industry="dairy") == {"CN111000005B", "CN111000006B"}
    assert shown(holder=bob_org.pk) == {"CN111000007B"}
    assert shown(mode="licence") == {"CN111000005B"}
    assert shown(patent_type="utility_model") == {"CN211000003U"}
    grade = pool["CN111000001B"].grade
    assert shown(grade=grade) == {pn for pn, pp in pool.items() if pp.grade == grade}
    assert shown(league=uni_org.league_id) == set(UNI_PATENTS) | {"CN111000007B"}  # the patents' league too
    if bob_org.league_id and bob_org.league_id != uni_org.league_id:
        assert shown(league=bob_org.league_id) == {"CN111000007B"}
    assert shown(q="稀土", patent_type="invention") == {"CN111000001B", "CN111000002B", "CN111000004A"}


def test_the_list_sorts_by_newest(pool, alice, alice_org):
    html = login(alice).get(reverse("revitalization:pool"), {"sort": "newest"}).content.decode()
    assert numbers_on(html)[0] == "CN111000007B"


def test_the_htmx_fragment_is_the_result_area(pool, alice, alice_org):
    response = login(alice).get(reverse("revitalization:pool"), {"q": "稀土"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="pool-table"' in html and "<html" not in html


# --- the pool patent page: who sees what -------------------------------------------------------


def test_contact_details_are_shown_to_the_holder_and_operators_only(pool, uni, uni_member, alice, alice_org, bob,
                                                                    operator, leader):
    pp = pool_patent_update(pool_patent=pool["CN111000001B"], user=uni_member, modes=["assignment"],
                            asking_price="120.5", description="可中试", contact_name="王老师",
                            contact_phone="0471-6575000")
    for user in (uni, uni_member, operator):
        html = login(user).get(url(pp)).content.decode()
        assert 'id="holder-contact"' in html and "0471-6575000" in html
    for user in (alice, bob, leader):
        html = login(user).get(url(pp)).content.decode()
        assert "0471-6575000" not in html and 'id="holder-contact"' not in html
        assert "可中试" in html and "120.50" in html


def test_bob_cannot_edit_the_university_listing_its_members_can(pool, uni_member, bob, bob_org):
    pp = pool["CN111000001B"]
    edit = reverse("revitalization:pool_patent_edit", args=[pp.pk])
    assert login(bob).get(edit).status_code == 404
    assert login(bob).post(edit, {"modes": ["licence"], "description": "hacked"}).status_code == 404
    with pytest.raises(WorkflowError) as exc:
        pool_patent_update(pool_patent=pp, user=bob, modes=[], asking_price=None, description="x", contact_name="",
                           contact_phone="")
    assert exc.value.status == 403
    for step in (pool_patent_withdraw,):
        with pytest.raises(WorkflowError):
            step(pool_patent=pp, user=bob)
    assert login(bob).post(reverse("revitalization:pool_patent_withdraw", args=[pp.pk])).status_code == 404
    client = login(uni_member)
    response = client.post(edit, {"modes": ["licence", "joint"], "asking_price": "30", "description": "许可",
                                  "contact_name": "李", "contact_phone": "13800000000"})
    assert response.status_code == 302
    pp.refresh_from_db()
    assert pp.modes == ["licence", "joint"] and pp.asking_price == Decimal("30.00") and pp.description == "许可"
    assert "hacked" not in pp.description


def test_the_listing_form_refuses_bad_input_and_saves_nothing(pool, uni_member):
    pp = pool["CN111000001B"]
    response = login(uni_member).post(reverse("revitalization:pool_patent_edit", args=[pp.pk]),
                                      {"modes": ["barter"], "asking_price": "-1"})
    assert response.status_code == 200 and 'is-invalid' in response.content.decode()
    pp.refresh_from_db()
    assert pp.modes == [] and pp.asking_price is None


def test_withdraw_hides_the_patent_from_strangers_and_relist_brings_it_back(pool, uni_member, alice, alice_org,
                                                                            operator):
    pp = pool["CN111000002B"]
    client = login(uni_member)
    assert client.post(reverse("revitalization:pool_patent_withdraw", args=[pp.pk])).status_code == 302
    pp.refresh_from_db()
    assert pp.status == PoolStatus.WITHDRAWN
    assert login(alice).get(url(pp)).status_code == 404
    assert "CN111000002B" not in numbers_on(login(alice).get(reverse("revitalization:pool")).content.decode())
    assert login(operator).get(url(pp)).status_code == 200
    html = client.get(url(pp)).content.decode()
    assert 'id="relist"' in html and 'id="regrading"' not in html
    with pytest.raises(WorkflowError) as exc:
        pool_patent_withdraw(pool_patent=pp, user=uni_member)
    assert exc.value.code == "not_listed"
    assert client.post(reverse("revitalization:pool_patent_relist", args=[pp.pk])).status_code == 302
    pp.refresh_from_db()
    assert pp.status == PoolStatus.LISTED and login(alice).get(url(pp)).status_code == 200
    with pytest.raises(WorkflowError) as exc:
        pool_patent_relist(pool_patent=pp, user=uni_member)
    assert exc.value.code == "already_listed"
    from auditlog.models import LogEntry

    assert LogEntry.objects.get_for_object(pp).filter(actor=uni_member).count() == 2  # the change log


def test_an_unknown_pool_patent_is_404(pool, alice):
    assert login(alice).get(reverse("revitalization:pool_patent", args=[999999])).status_code == 404


# --- contacts ----------------------------------------------------------------------------------


def test_contact_reaches_the_holders_members_who_answer_and_the_enterprise_reads_it(pool, uni, uni_member, alice,
                                                                                   alice_org, bob):
    pp = pool["CN111000001B"]
    client = login(alice)
    response = client.post(reverse("revitalization:pool_patent_contact", args=[pp.pk]),
                           {"organization": alice_org.pk, "message": "请问可以独占许可吗？"})
    assert response.status_code == 302
    contact = ContactRequest.objects.get()
    assert contact.organization == alice_org and contact.user == alice
    asked = Notification.objects.filter(url__endswith="#contacts")
    assert set(asked.values_list("recipient__username", flat=True)) == {"uni", "unimember"}
    # a resent POST is the same request
    client.post(reverse("revitalization:pool_patent_contact", args=[pp.pk]),
                {"organization": alice_org.pk, "message": "请问可以独占许可吗？"})
    assert ContactRequest.objects.count() == 1
    # strangers do not read it; the holder does, and answers on the page
    assert "独占许可" not in login(bob).get(url(pp)).content.decode()
    holder = login(uni_member)
    html = holder.get(url(pp)).content.decode()
    assert "独占许可" in html and reverse("revitalization:pool_contact_reply", args=[contact.pk]) in html
    assert login(bob).post(reverse("revitalization:pool_contact_reply", args=[contact.pk]),
                           {f"c{contact.pk}-reply": "x"}).status_code == 404
    holder.post(reverse("revitalization:pool_contact_reply", args=[contact.pk]), {f"c{contact.pk}-reply": "可以，请来电。"})
    contact.refresh_from_db()
    assert contact.reply == "可以，请来电。" and contact.replied_by == uni_member
    assert "可以，请来电。" in client.get(url(pp)).content.decode()
    assert Notification.objects.filter(recipient=alice, url__endswith="#contacts").count() == 1
    with pytest.raises(WorkflowError) as exc:
        contact_request_reply(contact=contact, user=uni, reply="again")
    assert exc.value.code == "already_replied"
    assert Operation.objects.filter(kind=OperationKind.CONTACT, pool_patent=pp, organization=alice_org).count() == 1


def test_the_holder_does_not_contact_itself_and_a_message_is_required(pool, uni_member, alice, alice_org):
    pp = pool["CN111000001B"]
    with pytest.raises(WorkflowError) as exc:
        contact_request_send(pool_patent=pp, user=uni_member, message="hi")
    assert exc.value.code == "own_patent"
    with pytest.raises(WorkflowError) as exc:
        contact_request_send(pool_patent=pp, user=alice, message="   ")
    assert exc.value.code == "message_required"
    assert login(uni_member).post(reverse("revitalization:pool_patent_contact", args=[pp.pk]),
                                  {"message": "hi"}).status_code == 403
    assert not ContactRequest.objects.exists()


def test_our_pool_patents_lists_the_holders_patents_and_waiting_questions(pool, uni_member, alice, alice_org, bob):
    pp = pool["CN111000005B"]
    contact, _ = contact_request_send(pool_patent=pp, user=alice, organization=alice_org, message="价格？")
    client = login(uni_member)
    html = client.get(reverse("revitalization:pool_mine")).content.decode()
    assert "价格？" in html and html.count("data-pool-patent=") == 6
    client.post(reverse("revitalization:pool_contact_reply", args=[contact.pk]),
                {f"c{contact.pk}-reply": "面议", "next": "mine"})
    contact.refresh_from_db()
    assert contact.reply == "面议"
    assert login(bob).get(reverse("revitalization:pool_mine")).content.decode().count("data-pool-patent=") == 1
    book = load_workbook(io.BytesIO(client.get(reverse("revitalization:pool_mine_export")).content))
    assert book.active.max_row == 7


# --- operations --------------------------------------------------------------------------------


def test_search_and_view_are_operation_events(pool, alice, alice_org, uni_member):
    client = login(alice)
    client.get(reverse("revitalization:pool"))  # opening the list is not a search
    client.get(reverse("revitalization:pool"), {"q": "稀土"})
    client.get(reverse("revitalization:pool"), {"q": "稀土", "page": 2})  # paging is the same search
    client.get(url(pool["CN111000001B"]))
    login(uni_member).get(url(pool["CN111000001B"]))  # the holder looking at its own patent is not counted
    assert list(Operation.objects.filter(kind=OperationKind.SEARCH).values_list("detail", "organization")) == [
        ("稀土", alice_org.pk)]
    assert Operation.objects.filter(kind=OperationKind.VIEW, pool_patent=pool["CN111000001B"]).count() == 1


# --- Excel -------------------------------------------------------------------------------------


def test_the_excel_export_has_the_filtered_rows_with_grade_and_score(pool, alice, alice_org, uni_member):
    pool_patent_update(pool_patent=pool["CN111000001B"], user=uni_member, modes=["licence"], asking_price=10,
                       description="", contact_name="王", contact_phone="0471-1")
    response = login(alice).get(reverse("revitalization:pool_export"), {"q": "稀土", "patent_type": "invention"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    grade_col, score_col, phone_col = 8, 9, len(header) - 1  # the columns of exports.pool_xlsx
    assert {r[0] for r in body} == {"CN111000001B", "CN111000002B", "CN111000004A"}
    for r in body:
        pp = pool[r[0]]
        assert r[grade_col] == pp.grade and Decimal(str(r[score_col])) == pp.score
        assert r[phone_col] in ("", None)  # alice is not the holder
    holder = load_workbook(io.BytesIO(login(uni_member).get(reverse("revitalization:pool_export"),
                                                            {"q": "稀土"}).content)).active
    assert "0471-1" in [c for row in holder.iter_rows(values_only=True) for c in row]


def test_an_export_of_an_unreadable_search_goes_back_with_the_error(pool, alice):
    response = login(alice).get(reverse("revitalization:pool_export"), {"q": "TI=(稀土"})
    assert response.status_code == 302


def test_anonymous_users_are_sent_to_login(pool, client):
    response = client.get(reverse("revitalization:pool"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_list_and_the_page_keep_a_query_budget(pool, alice, alice_org, django_assert_max_num_queries):
    client = login(alice)
    client.get(reverse("revitalization:pool"))  # warm the session, the settings row
    with django_assert_max_num_queries(20):
        assert client.get(reverse("revitalization:pool"), {"q": "稀土", "key_industry": "rare_earth"}).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(url(pool["CN111000001B"])).status_code == 200


@pytest.mark.parametrize("name", ["pool_patent_edit", "pool_patent_withdraw", "pool_patent_relist"])
def test_holder_steps_are_404_for_a_stranger_and_open_to_the_holders_members(pool, name, uni_member, bob, alice,
                                                                             alice_org):
    pp = pool["CN111000001B"]
    if name == "pool_patent_relist":
        pool_patent_withdraw(pool_patent=pp, user=uni_member)
    target = reverse(f"revitalization:{name}", args=[pp.pk])
    for stranger in (bob, alice):
        assert login(stranger).post(target).status_code == 404
    assert login(uni_member).post(target).status_code in (200, 302)


def test_a_withdrawn_patent_takes_no_evaluation_or_contact(pool, uni_member, alice, alice_org):
    pp = pool_patent_withdraw(pool_patent=pool["CN111000001B"], user=uni_member)
    for step in (lambda: pool_patent_evaluate(pool_patent=pp, user=alice, organization=alice_org, rating=3),
                 lambda: contact_request_send(pool_patent=pp, user=alice, message="?")):
        with pytest.raises(WorkflowError) as exc:
            step()
        assert exc.value.code == "not_listed"
    assert login(alice).post(reverse("revitalization:pool_patent_evaluate", args=[pp.pk]),
                             {"organization": alice_org.pk, "rating": 3}).status_code == 404
