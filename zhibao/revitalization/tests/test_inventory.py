"""盘点 (service RVI): matching an uploaded list to the corpus (every reason a line does not
match), picking from the corpus, idempotent creation, refused files, the decisions, and the
workflow — every transition allowed and forbidden for every persona — ending in the pool."""

import io
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from zhibao.accounts.choices import OrganizationKind
from zhibao.conftest import make_org, make_user
from zhibao.core.models import Attachment, Case, CaseEvent, Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.patents.normalize import application_check_char
from zhibao.revitalization.choices import InventoryState as S
from zhibao.revitalization.choices import ItemDecision as D
from zhibao.revitalization.choices import NotPooledReason
from zhibao.revitalization.models import Inventory, InventoryItem, PoolPatent
from zhibao.revitalization.selectors.inventory import inventories_visible_to, inventory_progress
from zhibao.revitalization.services.inventory import (
    Decision,
    inventory_create_from_corpus,
    inventory_create_from_upload,
    inventory_items_decide,
    inventory_items_decide_all,
)

from .conftest import UNI_NAME, index, make_patent, verify

pytestmark = pytest.mark.django_db

HEADER = ["公开号或申请号", "发明人联系方式", "备注"]
APP_DIGITS = "202010001234"
APP_NUMBER = f"CN{APP_DIGITS}.{application_check_char(APP_DIGITS)}"  # CN202010001234.3


def xlsx_bytes(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("清单")
    if header is not None:
        ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_upload(rows, header=HEADER, name="清单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows, header),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@pytest.fixture
def by_application(corpus):
    """A ninth patent of the university, found by its application number."""
    patent = make_patent("CN111000009B", "一种稀土镁合金的热处理方法", application_number=APP_NUMBER)
    index(patent)
    return patent


LINES = [
    ("CN111000001B", "张老师 13800000001", "核心专利"),      # row 2: matched
    ("cn 111000002 b", "", ""),                             # row 3: matched (spelling normalised)
    (APP_DIGITS, "", "申请号，无校验位"),                      # row 4: matched by application number
    ("CN111000001B", "", "重复"),                            # row 5: listed twice (row 2)
    ("ABC-12", "", ""),                                     # row 6: malformed
    ("CN999999999B", "", ""),                               # row 7: not in the corpus
    ("CN111000007B", "", ""),                               # row 8: not held by the university
    (None, "", "只有备注"),                                   # row 9: no number
    (None, None, None),                                     # row 10: empty, skipped
    (f"ZL{APP_NUMBER[2:]}", "", ""),                           # row 11: same patent as row 4, listed twice
]


def upload(uni, uni_org, rows=LINES, key=""):
    inventory, _created = inventory_create_from_upload(user=uni, organization=uni_org, uploaded_file=xlsx_upload(rows),
                                                       idempotency_key=key)
    return inventory


def lines_of(inventory) -> dict[int, InventoryItem]:
    return {i.line: i for i in inventory.items.select_related("patent")}


def platform(text, **params) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(text) % params


# --- matching --------------------------------------------------------------------------------

def test_each_line_is_matched_or_kept_with_its_reason(uni, uni_org, corpus, by_application):
    inventory = upload(uni, uni_org)
    assert inventory.state == S.OPEN and inventory.case.service == "RVI" and inventory.case.status == S.OPEN
    assert inventory.organization == uni_org and inventory.source_name == "清单.xlsx"
    lines = lines_of(inventory)
    assert sorted(lines) == [2, 3, 4, 5, 6, 7, 8, 9, 11]  # the empty row 10 is skipped
    assert lines[2].patent == corpus["CN111000001B"] and lines[2].inventor_contact == "张老师 13800000001"
    assert lines[2].notes == "核心专利" and lines[2].unmatched_reason == ""
    assert lines[3].patent == corpus["CN111000002B"] and lines[3].number == "cn 111000002 b"
    assert lines[4].patent == by_application
    reasons = {n: i.unmatched_reason for n, i in lines.items() if not i.matched}
    assert reasons == {
        5: platform("Listed twice: %(number)s is the same patent as line %(line)s.", number="CN111000001B", line=2),
        6: platform("Malformed number: “%(value)s” is neither a publication number (e.g. CN218751475U) nor an "
                    "application number (e.g. 202223220665.2).", value="ABC-12"),
        7: platform("Not in the patent corpus: no patent has the number %(number)s.", number="CN999999999B"),
        8: platform("Not held by this institution: %(number)s belongs to %(holders)s.", number="CN111000007B",
                    holders="鄂尔多斯绿能储能科技有限公司"),
        9: platform("No number on this line."),
        11: platform("Listed twice: %(number)s is the same patent as line %(line)s.", number="CN111000009B", line=4),
    }
    assert all(i.institution_decision == D.PENDING and i.center_decision == D.PENDING for i in lines.values())
    event = CaseEvent.objects.get(case=inventory.case)
    assert event.payload == {"lines": 9, "matched": 3, "unmatched": 6}
    attachment = Attachment.objects.get(case=inventory.case)
    assert attachment.kind == "rv_inventory_list" and attachment.original_name == "清单.xlsx"


@pytest.mark.parametrize("written", [APP_NUMBER, APP_DIGITS, f"{APP_DIGITS}{APP_NUMBER[-1]}", f"ZL{APP_DIGITS}",
                                     APP_NUMBER.lower(), "CN111000009B", "111000009B", " CN 111000009 B "])
def test_every_spelling_of_a_number_matches(written, uni, uni_org, by_application):
    inventory = upload(uni, uni_org, rows=[(written, "", "")])
    assert lines_of(inventory)[2].patent == by_application


def test_an_application_with_a_wrong_check_digit_is_malformed(uni, uni_org, by_application):
    written = f"{APP_DIGITS}.9"  # the check digit of 202010001234 is 3
    item = lines_of(upload(uni, uni_org, rows=[(written, "", "")]))[2]
    assert not item.matched
    assert item.unmatched_reason == platform(
        "Malformed number: “%(value)s” is neither a publication number (e.g. CN218751475U) nor an "
        "application number (e.g. 202223220665.2).", value=written)


def test_a_number_typed_as_a_number_in_excel_keeps_its_digits(uni, uni_org, by_application):
    inventory = upload(uni, uni_org, rows=[(int(APP_DIGITS + "3"), "", ""), (float(APP_DIGITS), "", "")])
    lines = lines_of(inventory)
    assert lines[2].patent == by_application
    assert lines[3].number == APP_DIGITS and lines[3].unmatched_reason == platform(
        "Listed twice: %(number)s is the same patent as line %(line)s.", number="CN111000009B", line=2)


def test_a_co_applicant_or_current_holder_holds_the_patent(uni, uni_org, corpus):
    shared = make_patent("CN111000010B", "一种稀土催化剂", applicant="包头稀土研究院")
    shared.applicants.append({"name": "内蒙古工业大学", "address": ""})
    shared.save()
    bought = make_patent("CN111000011B", "一种乳清蛋白粉", applicant="某乳业有限公司")
    bought.current_holders = ["内蒙古工业大学"]
    bought.save()
    lines = lines_of(upload(uni, uni_org, rows=[("CN111000010B", "", ""), ("CN111000011B", "", "")]))
    assert lines[2].patent == shared and lines[3].patent == bought


def test_picking_from_the_corpus_lists_the_institutions_patents(uni, uni_org, corpus):
    inventory, created = inventory_create_from_corpus(user=uni, organization=uni_org)
    assert created and inventory.source_name == UNI_NAME
    items = list(inventory.items.all())
    assert {i.patent.publication_number for i in items} == {pn for pn, p in corpus.items() if p.first_applicant == UNI_NAME}
    assert all(i.matched for i in items) and sorted(i.line for i in items) == list(range(1, 7))


def test_picking_another_applicants_patents_reports_them_not_held(uni, uni_org, corpus):
    inventory, _ = inventory_create_from_corpus(user=uni, organization=uni_org, applicant_name="内蒙古草业研究所")
    (item,) = inventory.items.all()
    assert not item.matched and item.number == "CN111000008B" and "内蒙古草业研究所" in item.unmatched_reason


def test_picking_an_unknown_name_is_refused(uni, uni_org, corpus):
    with pytest.raises(WorkflowError) as err:
        inventory_create_from_corpus(user=uni, organization=uni_org, applicant_name="不存在的大学")
    assert err.value.code == "no_patents" and not Inventory.objects.exists()


def test_a_list_of_five_thousand_lines(uni, uni_org, corpus):
    rows = [(f"CN1{n:08d}B", f"联系人{n}", "") for n in range(100, 5100)]
    rows[:6] = [(pn, "", "") for pn in sorted(corpus) if corpus[pn].first_applicant == UNI_NAME]
    started = time.perf_counter()
    inventory = upload(uni, uni_org, rows=rows)
    took = time.perf_counter() - started
    assert inventory.items.count() == 5000 and inventory.items.filter(patent__isnull=False).count() == 6
    assert took < 30, f"{took:.1f} s for 5,000 lines"
    changed = inventory_items_decide_all(inventory=inventory, user=uni, decision=Decision(D.POOLED))
    assert changed == 6


# --- creation: idempotent, refused -----------------------------------------------------------

def test_a_replayed_creation_with_the_same_key_creates_nothing(uni, uni_org, corpus):
    first = upload(uni, uni_org, key="k-1")
    again, created = inventory_create_from_upload(user=uni, organization=uni_org, uploaded_file=xlsx_upload(LINES),
                                                  idempotency_key="k-1")
    assert not created and again.pk == first.pk
    picked, created = inventory_create_from_corpus(user=uni, organization=uni_org, idempotency_key="k-1")
    assert not created and picked.pk == first.pk
    assert Inventory.objects.count() == 1 and Attachment.objects.count() == 1


def nothing_stored():
    return (not Inventory.objects.exists() and not InventoryItem.objects.exists()
            and not Case.objects.filter(service="RVI").exists() and not Attachment.objects.exists())


@pytest.mark.parametrize(("content", "name", "code"), [
    (b"%PDF-1.4 not a list", "清单.xlsx", None),
    (b"\x00\x01garbage", "清单.xlsx", None),
    ("公开号或申请号\nCN111000001B\n".encode(), "清单.csv", None),
])
def test_a_file_that_is_not_an_excel_workbook_is_refused(content, name, code, uni, uni_org, corpus):
    with pytest.raises(WorkflowError) as err:
        inventory_create_from_upload(user=uni, organization=uni_org, uploaded_file=SimpleUploadedFile(name, content))
    assert err.value.status == 400 and err.value.message and "file" in err.value.fields
    assert nothing_stored()


@pytest.mark.parametrize(("rows", "header", "code"), [
    ([("CN111000001B", "", "")], ["专利名称", "备注"], "missing_header"),
    ([], None, "missing_header"),
    ([], HEADER, "empty_list"),
])
def test_a_list_without_the_header_or_lines_is_refused(rows, header, code, uni, uni_org, corpus):
    with pytest.raises(WorkflowError) as err:
        inventory_create_from_upload(user=uni, organization=uni_org, uploaded_file=xlsx_upload(rows, header))
    assert err.value.code == code and "公开号或申请号" in err.value.message
    assert nothing_stored()


def test_only_a_verified_institutions_member_creates(uni, uni_org, uni_member, alice, alice_org, bob, corpus):
    with pytest.raises(WorkflowError) as err:
        upload(bob, uni_org)
    assert err.value.code == "forbidden" and err.value.status == 403
    with pytest.raises(WorkflowError) as err:
        upload(alice, alice_org)
    assert err.value.code == "not_institution"
    unverified = make_org(make_user("dean"), "内蒙古农业大学", 20000009, kind=OrganizationKind.INSTITUTE)
    with pytest.raises(WorkflowError) as err:
        upload(unverified.created_by, unverified)
    assert err.value.code == "organization_not_verified"
    assert upload(uni_member, uni_org).case.applicant == uni_member  # a member acts for it too


# --- decisions -------------------------------------------------------------------------------

@pytest.fixture
def inventory(uni, uni_org, corpus, by_application):
    return upload(uni, uni_org)


def test_a_decision_not_into_the_pool_needs_a_reason(inventory, uni):
    line2 = lines_of(inventory)[2]
    for decision, code in ((Decision(D.NOT_POOLED), "reason_required"),
                           (Decision(D.NOT_POOLED, NotPooledReason.OTHER), "reason_text_required"),
                           (Decision("maybe"), "bad_decision")):
        with pytest.raises(WorkflowError) as err:
            inventory_items_decide(inventory=inventory, user=uni, decisions={line2.pk: decision})
        assert err.value.code == code
    changed = inventory_items_decide(inventory=inventory, user=uni, decisions={
        line2.pk: Decision(D.NOT_POOLED, NotPooledReason.OTHER, "与企业合作中")})
    line2.refresh_from_db()
    assert changed == 1 and (line2.institution_decision, line2.institution_reason, line2.reason_text) == (
        D.NOT_POOLED, NotPooledReason.OTHER, "与企业合作中")
    assert line2.decided_by == uni
    # The same decision again changes nothing; into the pool clears the reason.
    assert inventory_items_decide(inventory=inventory, user=uni, decisions={
        line2.pk: Decision(D.NOT_POOLED, NotPooledReason.OTHER, "与企业合作中")}) == 0
    inventory_items_decide(inventory=inventory, user=uni, decisions={line2.pk: Decision(D.POOLED, "lapsed", "x")})
    line2.refresh_from_db()
    assert (line2.institution_decision, line2.institution_reason, line2.reason_text) == (D.POOLED, "", "")


def test_unmatched_lines_cannot_be_decided_and_one_bad_line_saves_nothing(inventory, uni):
    lines = lines_of(inventory)
    with pytest.raises(WorkflowError) as err:
        inventory_items_decide(inventory=inventory, user=uni, decisions={
            lines[2].pk: Decision(D.POOLED), lines[6].pk: Decision(D.POOLED)})
    assert err.value.code == "unmatched_line"
    with pytest.raises(WorkflowError):
        inventory_items_decide(inventory=inventory, user=uni, decisions={
            lines[2].pk: Decision(D.POOLED), lines[3].pk: Decision(D.NOT_POOLED)})
    assert not inventory.items.exclude(institution_decision=D.PENDING).exists()


def test_select_all_matched_into_the_pool(inventory, uni):
    lines = lines_of(inventory)
    inventory_items_decide(inventory=inventory, user=uni, decisions={lines[3].pk: Decision(D.NOT_POOLED, "no_market")})
    assert inventory_items_decide_all(inventory=inventory, user=uni, decision=Decision(D.POOLED)) == 2
    decided = dict(inventory.items.filter(patent__isnull=False).values_list("line", "institution_decision"))
    assert decided == {2: D.POOLED, 3: D.NOT_POOLED, 4: D.POOLED}
    assert inventory_items_decide_all(inventory=inventory, user=uni, decision=Decision(D.POOLED),
                                      only_undecided=False) == 1


def test_who_decides_when(inventory, people):
    line = lines_of(inventory)[2]
    decide = {line.pk: Decision(D.POOLED)}
    for who, code in (("bob", "forbidden"), ("alice", "forbidden"), ("leader", "forbidden"),
                      ("operator", "not_editable")):
        with pytest.raises(WorkflowError) as err:
            inventory_items_decide(inventory=inventory, user=people[who], decisions=decide)
        assert err.value.code == code, who
    assert inventory_items_decide(inventory=inventory, user=people["uni_member"], decisions=decide) == 1


# --- the workflow ------------------------------------------------------------------------------

class _Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


PERSONAS = ("uni", "uni_member", "alice", "bob", "operator", "leader", "system")
TRANSITIONS = {
    "submit": ({S.OPEN, S.RETURNED}, {"uni", "uni_member"}),
    "withdraw": ({S.OPEN, S.RETURNED}, {"uni", "uni_member"}),
    "accept": ({S.SUBMITTED}, {"operator"}),
    "return_to_institution": ({S.IN_REVIEW}, {"operator"}),
    "complete": ({S.IN_REVIEW}, {"operator"}),
}
TARGET = {"submit": S.SUBMITTED, "withdraw": S.WITHDRAWN, "accept": S.IN_REVIEW, "return_to_institution": S.RETURNED,
          "complete": S.COMPLETED}
PATH_TO = {S.OPEN: [], S.SUBMITTED: ["submit"], S.IN_REVIEW: ["submit", "accept"],
           S.RETURNED: ["submit", "accept", "return_to_institution"],
           S.COMPLETED: ["submit", "accept", "complete"], S.WITHDRAWN: ["withdraw"]}
COMMENTS = {"return_to_institution": "第3行请核对法律状态"}


def take(inventory, name, who, people):
    return case_transition(detail=inventory, name=name, actor=people[who], comment=COMMENTS.get(name, ""))


def bring_to(state, inventory, people):
    inventory_items_decide_all(inventory=inventory, user=people["uni"], decision=Decision(D.POOLED))
    for name in PATH_TO[state]:
        inventory = take(inventory, name, next(iter(TRANSITIONS[name][1])), people)
    assert inventory.state == state
    return inventory


def snapshot(inventory):
    case = Case.objects.get(pk=inventory.case_id)
    return (Inventory.objects.get(pk=inventory.pk).state, case.status, case.assignee_id,
            CaseEvent.objects.filter(case=case).count(), PoolPatent.objects.count())


@pytest.mark.parametrize("state", list(S), ids=[s.value for s in S])
def test_every_transition_allowed_and_forbidden_for_every_persona(state, people, inventory):
    inventory = bring_to(state, inventory, people)
    before = snapshot(inventory)
    for name, (sources, allowed) in TRANSITIONS.items():
        for who in PERSONAS:
            if state in sources and who in allowed:
                with rolled_back():
                    moved = take(inventory, name, who, people)
                    case = Case.objects.get(pk=inventory.case_id)
                    assert moved.state == case.status == TARGET[name], (name, who)
                    event = CaseEvent.objects.filter(case=case).latest("id")
                    assert (event.transition, event.from_state, event.to_state, event.actor) == (
                        name, state, TARGET[name], people[who])
                    if name == "accept":
                        assert case.assignee == people["operator"] and case.assignee_role == "operator"
                    if name == "return_to_institution":
                        assert moved.return_reason == COMMENTS[name]
                    if name == "complete":
                        assert moved.completed_at is not None and PoolPatent.objects.count() == 3
                    if TARGET[name] in (S.COMPLETED, S.WITHDRAWN):
                        assert case.closed_at is not None
            else:
                with pytest.raises(WorkflowError) as err:
                    take(inventory, name, who, people)
                assert err.value.code == ("forbidden" if state in sources else "transition_not_allowed"), (name, who)
            assert snapshot(inventory) == before, (name, who)


def test_return_needs_a_reason(people, inventory):
    inventory = bring_to(S.IN_REVIEW, inventory, people)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=inventory, name="return_to_institution", actor=people["operator"])
    assert err.value.code == "comment_required"


def test_submit_names_how_many_lines_are_undecided(people, inventory):
    line = lines_of(inventory)[2]
    inventory_items_decide(inventory=inventory, user=people["uni"], decisions={line.pk: Decision(D.POOLED)})
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=inventory, name="submit", actor=people["uni"])
    assert err.value.code == "undecided" and "2" in err.value.message
    assert Inventory.objects.get(pk=inventory.pk).state == S.OPEN


def test_an_inventory_without_a_matched_line_cannot_be_submitted(people, uni_org, corpus):
    inventory = upload(people["uni"], uni_org, rows=[("CN999999999B", "", "")])
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=inventory, name="submit", actor=people["uni"])
    assert err.value.code == "nothing_matched"


def test_an_operator_of_the_institution_does_not_review_it(people, inventory, uni_org):
    from zhibao.accounts.services import organization_join

    inventory = bring_to(S.SUBMITTED, inventory, people)
    organization_join(user=people["operator"], join_code=uni_org.join_code)
    with pytest.raises(WorkflowError) as err:
        case_transition(detail=inventory, name="accept", actor=people["operator"])
    assert err.value.code == "forbidden"


def test_the_full_flow_pools_exactly_the_lines_decided_into_the_pool(people, uni_org, corpus, by_application):
    uni, operator = people["uni"], people["operator"]
    inventory = upload(uni, uni_org, rows=[(pn, "", "") for pn in (
        "CN111000001B", "CN111000002B", "CN211000003U", "CN111000006B", "CN111000005B")])
    lines = lines_of(inventory)
    inventory_items_decide(inventory=inventory, user=uni, decisions={
        lines[2].pk: Decision(D.POOLED), lines[3].pk: Decision(D.POOLED),
        lines[4].pk: Decision(D.NOT_POOLED, NotPooledReason.NO_MARKET),
        lines[5].pk: Decision(D.NOT_POOLED, NotPooledReason.LAPSED), lines[6].pk: Decision(D.POOLED)})
    inventory = case_transition(detail=inventory, name="submit", actor=uni)
    inventory = case_transition(detail=inventory, name="accept", actor=operator)
    # The center decides: with the institution on line 2 (left undecided), against it on 3 and 4,
    # returns the list, and the institution changes line 6.
    with pytest.raises(WorkflowError) as err:
        inventory_items_decide(inventory=inventory, user=uni, decisions={lines[2].pk: Decision(D.NOT_POOLED, "lapsed")})
    assert err.value.code == "not_editable"
    inventory_items_decide(inventory=inventory, user=operator, decisions={
        lines[3].pk: Decision(D.NOT_POOLED, NotPooledReason.OTHER, "已许可给企业"), lines[4].pk: Decision(D.POOLED)})
    inventory = case_transition(detail=inventory, name="return_to_institution", actor=operator, comment="第6行请确认")
    assert Notification.objects.filter(recipient=uni, case=inventory.case).exists()
    inventory_items_decide(inventory=inventory, user=uni, decisions={
        lines[6].pk: Decision(D.NOT_POOLED, NotPooledReason.CONFIDENTIAL)})
    inventory = case_transition(detail=inventory, name="submit", actor=uni)
    inventory = case_transition(detail=inventory, name="accept", actor=operator)
    inventory = case_transition(detail=inventory, name="complete", actor=operator)
    assert inventory.state == S.COMPLETED and inventory.completed_at
    pooled = {p.patent.publication_number: p for p in PoolPatent.objects.select_related("patent", "source_item")}
    assert set(pooled) == {"CN111000001B", "CN211000003U"}
    assert all(p.holder == uni_org and p.source_item.inventory_id == inventory.pk for p in pooled.values())
    assert pooled["CN111000001B"].grade  # graded on the way in
    line3 = InventoryItem.objects.get(pk=lines[3].pk)
    assert line3.decision == D.NOT_POOLED and line3.reason_text == "已许可给企业"

    figures = inventory_progress(operator)
    (row,) = figures["institutions"]
    assert (row["id"], row["matched"], row["pooled"], row["rate"]) == (uni_org.pk, 5, 2, 40.0)
    (league,) = figures["leagues"]
    assert league["code"] == (uni_org.league_id or "") and league["matched"] == 5 and league["rate"] == 40.0
    assert figures["totals"]["rate"] == 40.0
    assert inventory_progress(uni)["institutions"] == figures["institutions"]
    assert inventory_progress(people["bob"])["institutions"] == []


def test_who_sees_an_inventory(people, inventory):
    for who, sees in (("uni", True), ("uni_member", True), ("operator", True), ("leader", True), ("alice", False),
                      ("bob", False)):
        assert inventories_visible_to(people[who]).filter(pk=inventory.pk).exists() == sees, who


def test_a_second_institution_sees_only_its_own(people, inventory, corpus):
    other_owner = make_user("dean2")
    other = verify(make_org(other_owner, "内蒙古草业研究所", 20000002, kind=OrganizationKind.INSTITUTE), other_owner)
    theirs, _ = inventory_create_from_corpus(user=other_owner, organization=other)
    assert list(inventories_visible_to(other_owner)) == [theirs]
    assert set(inventories_visible_to(people["operator"])) == {inventory, theirs}
    assert [r["id"] for r in inventory_progress(other_owner)["institutions"]] == [other.pk]


def test_the_centers_all_confirms_the_institution_and_never_reverses_it(people, inventory):
    lines = lines_of(inventory)
    uni, operator = people["uni"], people["operator"]
    inventory_items_decide(inventory=inventory, user=uni, decisions={
        lines[2].pk: Decision(D.POOLED), lines[3].pk: Decision(D.NOT_POOLED, "lapsed"), lines[4].pk: Decision(D.POOLED)})
    inventory = bring_to(S.IN_REVIEW, inventory, people)
    inventory_items_decide(inventory=inventory, user=operator, decisions={lines[4].pk: Decision(D.NOT_POOLED, "exploited")})
    assert inventory_items_decide_all(inventory=inventory, user=operator, decision=Decision(D.POOLED)) == 1
    center = dict(inventory.items.filter(patent__isnull=False).values_list("line", "center_decision"))
    assert center == {2: D.POOLED, 3: D.PENDING, 4: D.NOT_POOLED}
