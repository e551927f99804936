"""The inventory's pages and Excel: "my inventories", a new inventory (upload, pick, refusals,
a replayed submit), the lines page with its filters, decisions and buttons, the case page, the
progress page, the template and every export — as the institution, the operator and strangers."""

import io

import pytest
from django.urls import reverse

from zhibao.conftest import login
from zhibao.core.models import Case
from zhibao.core.services.cases import case_transition
from zhibao.revitalization.choices import InventoryState as S
from zhibao.revitalization.choices import ItemDecision as D
from zhibao.revitalization.models import Inventory, PoolPatent
from zhibao.revitalization.services.inventory import Decision, inventory_items_decide_all

from .test_inventory import LINES, by_application, lines_of, upload, xlsx_upload  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content), read_only=True)


def rows_of(response, sheet=0) -> list[list]:
    wb = workbook(response)
    return [list(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]


@pytest.fixture
def inventory(people, uni_org, corpus, by_application):  # noqa: F811 (the imported fixture)
    return upload(people["uni"], uni_org)


def detail_url(inventory, suffix=""):
    return reverse("revitalization:inventory_detail", args=[inventory.case.number]) + suffix


# --- a new inventory -------------------------------------------------------------------------

def test_the_service_catalogue_leads_to_the_new_inventory_page(people, uni_org):
    response = login(people["uni"]).get(reverse("revitalization:inventory_new"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="upload-form"' in body and 'id="pick-form"' in body and uni_org.name in body
    assert reverse("revitalization:inventory_template") in body


def test_someone_without_an_institution_is_told_so(people, alice_org):
    body = login(people["alice"]).get(reverse("revitalization:inventory_new")).content.decode()
    assert 'id="no-institution"' in body and 'id="upload-form"' not in body


def test_the_template_has_the_three_headers_and_an_example(people):
    rows = rows_of(login(people["uni"]).get(reverse("revitalization:inventory_template")))
    assert rows[0] == ["公开号或申请号", "发明人联系方式", "备注"] and rows[1][0] == "CN111000001B"


def test_the_template_filled_in_is_read_back(people, uni_org, corpus):
    from openpyxl import load_workbook

    content = login(people["uni"]).get(reverse("revitalization:inventory_template")).content
    wb = load_workbook(io.BytesIO(content))
    wb.active.append(["CN111000002B", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = login(people["uni"]).post(reverse("revitalization:inventory_new"), {
        "mode": "upload", "upload-organization": uni_org.pk, "upload-idempotency_key": "t1",
        "upload-file": SimpleUploadedFile("template.xlsx", buffer.getvalue(), content_type=XLSX)})
    inventory = Inventory.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(inventory)
    assert {i.line: i.patent.publication_number for i in inventory.items.all()} == {2: "CN111000001B",
                                                                                    3: "CN111000002B"}


def test_uploading_a_list_and_a_replayed_submit(people, uni_org, corpus):
    client = login(people["uni"])
    data = {"mode": "upload", "upload-organization": uni_org.pk, "upload-idempotency_key": "key-1"}
    first = client.post(reverse("revitalization:inventory_new"), {**data, "upload-file": xlsx_upload(LINES)},
                        follow=True)
    inventory = Inventory.objects.get()
    assert first.redirect_chain[-1][0] == detail_url(inventory)
    assert inventory.items.count() == 9
    again = client.post(reverse("revitalization:inventory_new"), {**data, "upload-file": xlsx_upload(LINES)})
    assert again.status_code == 302 and Inventory.objects.count() == 1


@pytest.mark.parametrize(("upload_file", "expected"), [
    (lambda: xlsx_upload([("CN111000001B",)], header=["专利名称"]), "公开号或申请号"),
    (lambda: __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "清单.xlsx", b"%PDF-1.4 fake"), None),
    (lambda: None, None),
])
def test_a_bad_file_is_shown_on_the_form_and_nothing_is_created(upload_file, expected, people, uni_org, corpus):
    data = {"mode": "upload", "upload-organization": uni_org.pk, "upload-idempotency_key": "k"}
    file = upload_file()
    if file is not None:
        data["upload-file"] = file
    response = login(people["uni"]).post(reverse("revitalization:inventory_new"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="form-errors"' in body or "invalid-feedback" in body
    if expected:
        assert expected in body
    assert not Inventory.objects.exists() and not Case.objects.filter(service="RVI").exists()


def test_picking_from_the_corpus_by_the_own_name(people, uni_org, corpus):
    response = login(people["uni"]).post(reverse("revitalization:inventory_new"), {
        "mode": "pick", "pick-organization": uni_org.pk, "pick-applicant_name": "", "pick-idempotency_key": "p"})
    inventory = Inventory.objects.get()
    assert response.status_code == 302 and inventory.items.count() == 6


def test_picking_an_unknown_name_is_shown_on_the_form(people, uni_org, corpus):
    response = login(people["uni"]).post(reverse("revitalization:inventory_new"), {
        "mode": "pick", "pick-organization": uni_org.pk, "pick-applicant_name": "无此大学"})
    assert response.status_code == 200 and "无此大学" in response.content.decode()
    assert not Inventory.objects.exists()


def test_a_stranger_cannot_create_for_the_institution(people, uni_org, bob_org, corpus):
    response = login(people["bob"]).post(reverse("revitalization:inventory_new"), {
        "mode": "upload", "upload-organization": uni_org.pk, "upload-file": xlsx_upload(LINES)})
    assert response.status_code == 200 and not Inventory.objects.exists()  # not one of bob's choices


# --- the lists ---------------------------------------------------------------------------------

def test_my_inventories_and_the_centers_list(people, inventory):
    url = reverse("revitalization:inventory_list")
    for who, sees in (("uni", True), ("uni_member", True), ("operator", True), ("leader", True), ("bob", False),
                      ("alice", False)):
        body = login(people[who]).get(url).content.decode()
        assert (inventory.case.number in body) == sees, who
    body = login(people["operator"]).get(url, {"state": "open"}, HTTP_HX_REQUEST="true").content.decode()
    assert inventory.case.number in body and "<html" not in body
    assert inventory.case.number not in login(people["operator"]).get(url, {"state": "completed"}).content.decode()


def test_the_list_export_uses_the_same_filter(people, inventory):
    rows = rows_of(login(people["uni"]).get(reverse("revitalization:inventory_list_export")))
    assert rows[1][0] == inventory.case.number and rows[1][6:9] == [9, 3, 6]
    assert len(rows_of(login(people["bob"]).get(reverse("revitalization:inventory_list_export")))) == 1
    assert len(rows_of(login(people["operator"]).get(reverse("revitalization:inventory_list_export"),
                                                     {"state": "completed"}))) == 1


# --- the inventory's page ----------------------------------------------------------------------

def test_the_lines_page_as_the_institution(people, inventory):
    response = login(people["uni"]).get(detail_url(inventory))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="decisions-form"' in body and 'data-transition="submit"' in body and 'data-transition="withdraw"' in body
    assert 'data-transition="accept"' not in body and "CN999999999B" in body
    assert body.count('<tr data-line=') == 9


@pytest.mark.parametrize(("params", "lines"), [
    ({"match": "matched"}, [2, 3, 4]), ({"match": "unmatched"}, [5, 6, 7, 8, 9, 11]),
    ({"decision": "pending"}, [2, 3, 4]), ({"decision": "pooled"}, []), ({"q": "111000002"}, [3]),
])
def test_the_lines_filters(params, lines, people, inventory):
    body = login(people["uni"]).get(detail_url(inventory), {**params, "part": "lines"},
                                    HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body
    import re

    assert [int(n) for n in re.findall(r'data-line="(\d+)"', body)] == lines


def test_strangers_get_404_on_every_inventory_url(people, inventory):
    number = inventory.case.number
    urls = [detail_url(inventory), reverse("revitalization:inventory_items_export", args=[number])]
    posts = [reverse("revitalization:inventory_decide", args=[number]),
             reverse("revitalization:inventory_transition", args=[number, "submit"])]
    for who in ("bob", "alice"):
        client = login(people[who])
        for url in urls:
            assert client.get(url).status_code == 404, (who, url)
        for url in posts:
            assert client.post(url, {"action": "all_pooled"}).status_code == 404, (who, url)
    assert Inventory.objects.get(pk=inventory.pk).state == S.OPEN
    assert not inventory.items.exclude(institution_decision=D.PENDING).exists()


def test_deciding_on_the_page_row_by_row_and_all_at_once(people, inventory):
    client = login(people["uni"])
    lines = lines_of(inventory)
    decide = reverse("revitalization:inventory_decide", args=[inventory.case.number])
    ids = [lines[n].pk for n in (2, 3, 4)]
    post = {"action": "save", "row": ids, "match": "matched",
            f"d-{ids[0]}": "pooled", f"r-{ids[0]}": "", f"t-{ids[0]}": "",
            f"d-{ids[1]}": "not_pooled", f"r-{ids[1]}": "other", f"t-{ids[1]}": "",
            f"d-{ids[2]}": "pending", f"r-{ids[2]}": "", f"t-{ids[2]}": ""}
    response = client.post(decide, post, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(inventory, "?match=matched")
    assert "“Other”" in response.content.decode() or "其他" in response.content.decode()
    assert not inventory.items.exclude(institution_decision=D.PENDING).exists()  # one bad row: nothing saved
    post[f"t-{ids[1]}"] = "已与企业洽谈"
    client.post(decide, post)
    decided = dict(inventory.items.filter(patent__isnull=False).values_list("line", "institution_decision"))
    assert decided == {2: D.POOLED, 3: D.NOT_POOLED, 4: D.PENDING}
    response = client.post(decide, {"action": "all_pooled"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == detail_url(inventory)
    decided = dict(inventory.items.filter(patent__isnull=False).values_list("line", "institution_decision"))
    assert decided == {2: D.POOLED, 3: D.NOT_POOLED, 4: D.POOLED}
    client.post(decide, {"action": "selected", "selected": [ids[0], ids[2]], "bulk-decision": "not_pooled",
                         "bulk-reason": "lapsed"})
    decided = dict(inventory.items.filter(patent__isnull=False).values_list("line", "institution_reason"))
    assert decided == {2: "lapsed", 3: "other", 4: "lapsed"}


def test_the_whole_journey_on_the_pages(people, inventory):
    uni, operator = login(people["uni"]), login(people["operator"])
    number = inventory.case.number
    transition = lambda name: reverse("revitalization:inventory_transition", args=[number, name])  # noqa: E731
    response = uni.post(transition("submit"), follow=True)
    assert "3" in response.content.decode() and Inventory.objects.get(pk=inventory.pk).state == S.OPEN
    uni.post(reverse("revitalization:inventory_decide", args=[number]), {"action": "all_pooled"})
    uni.post(transition("submit"))
    assert Inventory.objects.get(pk=inventory.pk).state == S.SUBMITTED
    assert uni.post(transition("accept")).status_code == 403
    # The operator finds it in the portal's worklist and takes it.
    assert number in operator.get(reverse("portal:worklist")).content.decode()
    operator.post(transition("accept"))
    body = operator.get(detail_url(inventory)).content.decode()
    assert 'data-transition="complete"' in body and 'id="decisions-form"' in body
    line2 = lines_of(inventory)[2]
    operator.post(reverse("revitalization:inventory_decide", args=[number]), {
        "action": "save", "row": [line2.pk], f"d-{line2.pk}": "not_pooled", f"r-{line2.pk}": "no_market"})
    operator.post(transition("return_to_institution"))  # no reason: refused
    assert Inventory.objects.get(pk=inventory.pk).state == S.IN_REVIEW
    operator.post(transition("complete"), {"comment": "同意"})
    assert Inventory.objects.get(pk=inventory.pk).state == S.COMPLETED
    assert set(PoolPatent.objects.values_list("patent__publication_number", flat=True)) == {
        "CN111000002B", "CN111000009B"}


def test_the_case_page_shows_the_inventory(people, inventory):
    body = login(people["uni"]).get(inventory.case.get_absolute_url()).content.decode()
    assert 'id="inventory-summary"' in body and detail_url(inventory) in body
    assert login(people["bob"]).get(inventory.case.get_absolute_url()).status_code == 404


def test_the_lines_export_with_match_and_decisions(people, inventory):
    inventory_items_decide_all(inventory=inventory, user=people["uni"], decision=Decision(D.POOLED))
    url = reverse("revitalization:inventory_items_export", args=[inventory.case.number])
    rows = rows_of(login(people["operator"]).get(url))
    assert len(rows) == 10 and rows[0][0] and rows[1][:4] == [2, "CN111000001B", rows[1][2], "CN111000001B"]
    assert rows[1][16] == rows[1][11] and rows[1][16]  # effective = the institution's while the center is silent
    unmatched = rows_of(login(people["uni"]).get(url, {"match": "unmatched"}))
    assert [r[0] for r in unmatched[1:]] == [5, 6, 7, 8, 9, 11] and all(r[8] for r in unmatched[1:])


def test_text_a_spreadsheet_would_run_is_exported_as_text(people, uni_org, corpus):
    inventory = upload(people["uni"], uni_org, rows=[("CN111000001B", "+86 13800000000", "-见附件")])
    rows = rows_of(login(people["uni"]).get(reverse("revitalization:inventory_items_export",
                                                    args=[inventory.case.number])))
    assert rows[1][9] == "'+86 13800000000" and rows[1][10] == "'-见附件"


# --- progress --------------------------------------------------------------------------------

def completed(inventory, people):
    inventory_items_decide_all(inventory=inventory, user=people["uni"], decision=Decision(D.POOLED))
    for name, who in (("submit", "uni"), ("accept", "operator"), ("complete", "operator")):
        inventory = case_transition(detail=inventory, name=name, actor=people[who])
    return inventory


def test_progress_for_the_center_and_for_the_institution(people, inventory, uni_org):
    completed(inventory, people)
    url = reverse("revitalization:inventory_progress")
    for who in ("operator", "leader", "uni"):
        body = login(people[who]).get(url).content.decode()
        assert f'data-institution="{uni_org.pk}"' in body and "100.0%" in body, who
    assert login(people["bob"]).get(url).status_code == 403
    rows = rows_of(login(people["operator"]).get(reverse("revitalization:inventory_progress_export")))
    assert rows[1][0] == uni_org.name and rows[1][5:8] == [3, 3, 100.0]
    leagues = rows_of(login(people["leader"]).get(reverse("revitalization:inventory_progress_export")), sheet=1)
    assert leagues[1][2:6] == [1, 3, 3, 100.0] and leagues[-1][0]
    assert login(people["bob"]).get(reverse("revitalization:inventory_progress_export")).status_code == 403
