"""/api/v1/pre-exam/: the channel over REST, as alice (applicant), bob (another applicant),
the examiners and a clerk would call it. Workflow steps go through the kernel's
/api/v1/cases/{number}/transitions/{name}; its PE payload checks are tested here too."""

import pytest

from zhibao.conftest import login
from zhibao.core.services.cases import case_transition
from zhibao.core.tests.test_attachments import pdf_bytes
from zhibao.patents.choices import PatentType
from zhibao.pre_exam.choices import ApplicationKind, PreExamState
from zhibao.pre_exam.services.priority import priority_submit

from .conftest import documents, pdf_upload, verify

pytestmark = pytest.mark.django_db

API = "/api/v1/pre-exam"
TITLE = "一种锂离子电池正极材料及其制备方法"


def case_body(org, fields, **overrides) -> dict:
    body = {
        "organization": org.pk, "patent_type": PatentType.INVENTION, "title": TITLE,
        "abstract": "本发明公开了一种锂离子电池正极材料，循环寿命长。", "ipc_codes": ["H01M 4/131", "H01M 10/0525"],
        "field": fields["new_energy"].code,
    }
    body.update(documents())
    body.update(overrides)
    return body


def examining(detail, examiner, field_lead):
    """The case passed the formal check (by the field lead, who gives it to examiner) and is in
    pre-examination."""
    case_transition(detail=detail, name="pass_formal_check", actor=field_lead, payload={"examiner": examiner.pk})
    detail.refresh_from_db()
    case_transition(detail=detail, name="start_examination", actor=examiner)
    detail.refresh_from_db()
    return detail


def in_correction(detail, examiner, field_lead):
    examining(detail, examiner, field_lead)
    case_transition(detail=detail, name="request_correction", actor=examiner, comment="权利要求1缺少必要技术特征。")
    detail.refresh_from_db()
    assert detail.state == PreExamState.CORRECTION
    return detail


def qualified(detail, examiner, field_lead):
    examining(detail, examiner, field_lead)
    case_transition(detail=detail, name="qualify", actor=examiner)
    detail.refresh_from_db()
    return detail


# --- Technical fields ------------------------------------------------------------------------


def test_fields_list_shows_staff_figures_only_to_staff(alice, examiner, fields):
    mine = login(alice).get(f"{API}/fields").json()
    codes = [f["code"] for f in mine]
    assert {"new_materials", "new_energy"} <= set(codes)
    energy = next(f for f in mine if f["code"] == "new_energy")
    assert energy["ipc_prefixes"] and energy["keywords"] and energy["name"]
    assert energy["examiners_count"] is None and energy["priority_quota_left"] is None

    staff = {f["code"]: f for f in login(examiner).get(f"{API}/fields").json()}
    # new_materials: examiner, examiner2 and the lead; new_energy: examiner and the lead.
    assert staff["new_materials"]["examiners_count"] == 3
    assert staff["new_energy"]["examiners_count"] == 2
    assert staff["new_energy"]["priority_quota_left"] == fields["new_energy"].priority_quota


def test_anonymous_gets_401_everywhere(client):
    for url in (f"{API}/fields", f"{API}/filings", f"{API}/cases", f"{API}/priority-requests"):
        response = client.get(url)
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated", url


# --- Filings ---------------------------------------------------------------------------------


def filing_body(org, field_objs, **overrides) -> dict:
    body = {"organization": org.pk, "fields": [field_objs["new_materials"].code, field_objs["new_energy"].code],
            "business_scope": "稀土永磁材料、储能电池及新材料的研发、生产和销售", "contact_name": "王工",
            "contact_phone": "0477-8123456", "licence": pdf_upload("营业执照.pdf")}
    body.update(overrides)
    return body


def test_filing_submit_201_then_replay_200_with_the_same_filing(bob, bob_org, clerk, fields):
    verify(bob_org, bob, clerk)
    api = login(bob)
    first = api.post(f"{API}/filings", filing_body(bob_org, fields), HTTP_IDEMPOTENCY_KEY="filing-1")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["number"].startswith("PEF-") and data["state"] == "submitted"
    assert {f["code"] for f in data["fields"]} == {"new_materials", "new_energy"}
    assert data["checks"]["in_region"] is True
    assert any(t["name"] == "withdraw" for t in data["transitions"])

    replay = api.post(f"{API}/filings", filing_body(bob_org, fields), HTTP_IDEMPOTENCY_KEY="filing-1")
    assert replay.status_code == 200 and replay.json()["number"] == data["number"]
    # The form part works like the header.
    again = api.post(f"{API}/filings", filing_body(bob_org, fields, idempotency_key="filing-1"))
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    # Without the key it is a second filing while the first is in progress: refused.
    second = api.post(f"{API}/filings", filing_body(bob_org, fields))
    assert second.status_code == 409 and second.json()["code"] == "duplicate_filing"


def test_filing_refusals_are_structured(alice, alice_org, bob, bob_org, clerk, fields):
    api = login(alice)
    unverified = api.post(f"{API}/filings", filing_body(alice_org, fields))
    assert unverified.status_code == 400 and unverified.json()["code"] == "organization_not_verified"
    # Somebody else's organization: the same answer whether it exists or not.
    foreign = api.post(f"{API}/filings", filing_body(bob_org, fields)).json()
    ghost = api.post(f"{API}/filings", filing_body(bob_org, fields, organization=999999)).json()
    assert foreign["code"] == ghost["code"] == "unknown_organization"
    assert "organization" in foreign["fields"]
    verify(alice_org, alice, clerk)
    unknown = api.post(f"{API}/filings", filing_body(alice_org, fields, fields=["no_such_field"]))
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"
    assert list(unknown.json()["fields"]) == ["fields"]
    scope = api.post(f"{API}/filings", filing_body(alice_org, fields, business_scope="餐饮服务"))
    assert scope.status_code == 400 and scope.json()["code"] == "scope_outside_fields"
    assert "business_scope" in scope.json()["fields"]
    no_licence = filing_body(alice_org, fields)
    del no_licence["licence"]
    missing = api.post(f"{API}/filings", no_licence)
    assert missing.status_code == 400 and missing.json()["code"] == "licence_required"
    bad = api.post(f"{API}/filings", filing_body(alice_org, fields, licence=_not_a_pdf("营业执照.pdf")))
    assert bad.status_code == 400 and "licence" in bad.json()["fields"]


def test_filing_detail_owner_and_staff_see_it_strangers_get_404(alice, bob, clerk, examiner, alice_filed):
    number = alice_filed.pre_exam_filings.get().case.number
    assert login(alice).get(f"{API}/filings/{number}").status_code == 200
    assert login(clerk).get(f"{API}/filings/{number}").status_code == 200
    assert login(examiner).get(f"{API}/filings/{number}").status_code == 200  # PEF's viewer role
    assert login(bob).get(f"{API}/filings/{number}").status_code == 404
    assert login(bob).get(f"{API}/filings/PEF-2020-999999").status_code == 404
    assert login(bob).get(f"{API}/filings").json()["count"] == 0
    listed = login(alice).get(f"{API}/filings").json()
    assert [f["number"] for f in listed["results"]] == [number]
    assert listed["results"][0]["state"] == "approved" and listed["results"][0]["is_valid"] is True
    assert login(alice).get(f"{API}/filings", {"state": "submitted"}).json()["count"] == 0


# --- Pre-examination cases -------------------------------------------------------------------


def _not_a_pdf(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"MZ\x90\x00 definitely not a PDF" * 10, content_type="application/pdf")


def test_case_submit_201_with_documents_listed_and_replay_200(alice, alice_filed, fields):
    api = login(alice)
    response = api.post(f"{API}/cases", case_body(alice_filed, fields), HTTP_IDEMPOTENCY_KEY="pe-1")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("PE-") and data["state"] == "submitted"
    assert data["field"] == {"code": "new_energy", "name": fields["new_energy"].name}
    assert data["ipc_codes"] == ["H01M4/131", "H01M10/0525"]  # canonical (parse_ipc)
    assert data["filing"].startswith("PEF-")
    assert data["suggestion"] is None and data["checklist"] is None  # the staff's
    assert any(t["name"] == "withdraw" for t in data["transitions"])

    docs = api.get(data["documents_url"]).json()
    assert sorted(d["kind"] for d in docs) == ["pe_abstract", "pe_claims", "pe_description", "pe_request"]
    assert all(d["version"] == 1 and d["current"] and d["size"] > 0 and len(d["sha256"]) == 64 for d in docs)
    download = api.get(docs[0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()

    replay = api.post(f"{API}/cases", case_body(alice_filed, fields), HTTP_IDEMPOTENCY_KEY="pe-1")
    assert replay.status_code == 200 and replay.json()["number"] == data["number"]
    duplicate = api.post(f"{API}/cases", case_body(alice_filed, fields))
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "duplicate_submission"


def test_case_submit_takes_several_files_of_a_kind_and_one_joined_ipc_part(alice, alice_filed, fields):
    body = case_body(alice_filed, fields, ipc_codes="H01M 4/131；H01M 10/0525",
                     pe_description=[pdf_upload("说明书.pdf"), pdf_upload("说明书附页.pdf")])
    response = login(alice).post(f"{API}/cases", body)
    assert response.status_code == 201, response.json()
    assert response.json()["ipc_codes"] == ["H01M4/131", "H01M10/0525"]  # canonical (parse_ipc)
    docs = login(alice).get(response.json()["documents_url"]).json()
    descriptions = [d for d in docs if d["kind"] == "pe_description"]
    assert [d["version"] for d in descriptions] == [1, 2] and [d["current"] for d in descriptions] == [False, True]


def test_pct_national_phase_is_refused_with_its_code(alice, alice_filed, fields):
    response = login(alice).post(f"{API}/cases",
                                 case_body(alice_filed, fields, application_kind=ApplicationKind.PCT_NATIONAL))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "pct_refused" and "application_kind" in body["fields"] and body["message"]


def test_case_submit_refusals_name_the_fields(alice, alice_filed, bob_filed, fields):
    api = login(alice)
    missing = {k: v for k, v in case_body(alice_filed, fields).items() if k != "pe_claims"}
    response = api.post(f"{API}/cases", missing)
    assert response.status_code == 400 and response.json()["code"] == "documents_missing"
    assert list(response.json()["fields"]) == ["pe_claims"]

    bad_file = api.post(f"{API}/cases", case_body(alice_filed, fields, pe_claims=[_not_a_pdf("权利要求书.pdf")]))
    assert bad_file.status_code == 400 and list(bad_file.json()["fields"]) == ["pe_claims"], bad_file.json()

    bad_ipc = api.post(f"{API}/cases", case_body(alice_filed, fields, ipc_codes=["not an ipc"]))
    assert bad_ipc.status_code == 400 and bad_ipc.json()["code"] == "bad_ipc"
    assert "ipc_codes" in bad_ipc.json()["fields"]

    mismatch = api.post(f"{API}/cases", case_body(alice_filed, fields, field="new_materials"))
    assert mismatch.status_code == 400 and mismatch.json()["code"] == "ipc_field_mismatch"

    unknown = api.post(f"{API}/cases", case_body(alice_filed, fields, field="astrology"))
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_field"

    foreign = api.post(f"{API}/cases", case_body(bob_filed, fields))
    assert foreign.status_code == 400 and foreign.json()["code"] == "unknown_organization"

    shape = api.post(f"{API}/cases", {"organization": "x"})
    assert shape.status_code == 400 and shape.json()["code"] == "invalid"
    assert {"organization", "patent_type", "title"} <= set(shape.json()["fields"])

    as_json = api.post(f"{API}/cases", {"organization": alice_filed.pk}, content_type="application/json")
    assert as_json.status_code == 415 and as_json.json()["code"] == "unsupported_media_type"


def test_case_detail_owner_200_stranger_404_staff_see_more(alice, bob, examiner, clerk, alice_pe, bob_filed):
    number = alice_pe.case.number
    mine = login(alice).get(f"{API}/cases/{number}")
    assert mine.status_code == 200
    data = mine.json()
    assert data["title"] == alice_pe.title and data["state"] == "submitted" and data["deadline"]
    assert data["suggestion"] is None and data["formal_check"] is None and data["notices"] == []
    assert data["grant_cycle_days"] is None and data["cnipa_application_number"] == ""

    staff = login(examiner).get(f"{API}/cases/{number}").json()
    assert isinstance(staff["suggestion"], dict) and staff["checklist"]
    assert {t["name"] for t in staff["transitions"]} >= {"pass_formal_check", "fail_formal_check"}

    for stranger in (bob, clerk):  # another applicant; staff of a role that does not work in PE
        api = login(stranger)
        assert api.get(f"{API}/cases/{number}").status_code == 404
        assert api.get(f"{API}/cases/{number}/documents").status_code == 404
        assert api.post(f"{API}/cases/{number}/documents",
                        {"kind": "pe_claims", "file": pdf_upload("x.pdf")}).status_code == 404
    assert login(bob).get(f"{API}/cases/PE-2020-999999").status_code == 404


def test_case_list_shows_only_visible_cases_and_filters(alice, bob, examiner, field_lead, alice_pe, bob_filed,
                                                        submit_case, fields):
    bob_pe = submit_case(bob, bob_filed, title="一种储能电池热管理系统", ipc_codes=["H01M 10/613"],
                         field=fields["new_energy"])
    assert [c["number"] for c in login(alice).get(f"{API}/cases").json()["results"]] == [alice_pe.case.number]
    assert [c["number"] for c in login(bob).get(f"{API}/cases").json()["results"]] == [bob_pe.case.number]

    staff = login(examiner)
    assert staff.get(f"{API}/cases").json()["count"] == 2
    assert [c["number"] for c in staff.get(f"{API}/cases", {"field": "new_energy"}).json()["results"]] == \
        [bob_pe.case.number]
    examining(alice_pe, examiner, field_lead)
    assert [c["number"] for c in staff.get(f"{API}/cases", {"mine": "true"}).json()["results"]] == \
        [alice_pe.case.number]
    assert [c["number"] for c in staff.get(f"{API}/cases", {"state": "submitted"}).json()["results"]] == \
        [bob_pe.case.number]
    assert staff.get(f"{API}/cases", {"overdue": "true"}).json()["count"] == 0
    assert staff.get(f"{API}/cases", {"overdue": "false"}).json()["count"] == 2
    bad = staff.get(f"{API}/cases", {"state": "nonsense"})
    assert bad.status_code == 400 and "state" in bad.json()["fields"]


# --- Documents: new versions only while correcting ---------------------------------------------


def test_documents_post_refused_outside_correction(alice, alice_pe):
    response = login(alice).post(f"{API}/cases/{alice_pe.case.number}/documents",
                                 {"kind": "pe_claims", "file": pdf_upload("权利要求书-修改.pdf")})
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_correction" and response.json()["message"]


def test_documents_post_in_correction_adds_a_version(alice, examiner, field_lead, alice_pe):
    in_correction(alice_pe, examiner, field_lead)
    url = f"{API}/cases/{alice_pe.case.number}/documents"
    response = login(alice).post(url, {"kind": "pe_claims", "file": pdf_upload("权利要求书-修改.pdf")})
    assert response.status_code == 201, response.json()
    added = response.json()
    assert added["kind"] == "pe_claims" and added["version"] == 2 and added["current"] is True
    assert added["name"] == "权利要求书-修改.pdf"
    claims = [d for d in login(alice).get(url).json() if d["kind"] == "pe_claims"]
    assert [(d["version"], d["current"]) for d in claims] == [(1, False), (2, True)]
    # The opinion letter of the correction request is listed too, and the notice links it.
    assert any(d["kind"] == "pe_letter" for d in login(alice).get(url).json())
    detail = login(alice).get(f"{API}/cases/{alice_pe.case.number}").json()
    assert detail["state"] == "correction" and detail["notices"][0]["status"] == "open"
    assert detail["notices"][0]["letter_url"].startswith("/attachments/")
    assert [o["kind"] for o in detail["opinions"]] == ["opinion"]

    # Staff do not revise the applicant's documents; a wrong file is a field error.
    staff = login(examiner).post(url, {"kind": "pe_claims", "file": pdf_upload("x.pdf")})
    assert staff.status_code == 403 and staff.json()["code"] == "forbidden"
    bad = login(alice).post(url, {"kind": "pe_claims", "file": _not_a_pdf("x.pdf")})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["file"]
    unknown = login(alice).post(url, {"kind": "licence", "file": pdf_upload("x.pdf")})
    assert unknown.status_code == 400 and "kind" in unknown.json()["fields"]


def test_documents_post_in_formal_correction(alice, examiner, alice_pe):
    case_transition(detail=alice_pe, name="fail_formal_check", actor=examiner, comment="请求书缺少发明人签章。")
    response = login(alice).post(f"{API}/cases/{alice_pe.case.number}/documents",
                                 {"kind": "pe_request", "file": pdf_upload("请求书.pdf")})
    assert response.status_code == 201 and response.json()["version"] == 2


# --- Transitions through the kernel's endpoint -----------------------------------------------


def test_pe_transitions_through_the_kernel_endpoint(alice, examiner, examiner2, field_lead, alice_pe):
    number = alice_pe.case.number
    url = f"/api/v1/cases/{number}/transitions"
    # Choosing the examiner is the field lead's call: an examiner who tries gets a structured 403.
    chosen = login(examiner2).post(f"{url}/pass_formal_check", {"payload": {"examiner": examiner.pk}},
                                   content_type="application/json")
    assert chosen.status_code == 403 and chosen.json()["code"] == "forbidden"
    bad_item = login(examiner2).post(f"{url}/pass_formal_check", {"payload": {"failed": ["no_such_check"]}},
                                     content_type="application/json")
    assert bad_item.status_code == 400 and bad_item.json()["code"] == "bad_check"
    assert "failed" in bad_item.json()["fields"]

    lead = login(field_lead)
    passed = lead.post(f"{url}/pass_formal_check", {"comment": "", "payload": {"examiner": examiner.pk}},
                       content_type="application/json")
    assert passed.status_code == 200, passed.json()
    assert passed.json()["status"] == "assigned" and passed.json()["assignee"]["id"] == examiner.pk
    again = lead.post(f"{url}/pass_formal_check", {"payload": {}}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "transition_not_allowed"
    not_assigned = login(examiner2).post(f"{url}/start_examination", {}, content_type="application/json")
    assert not_assigned.status_code == 403 and not_assigned.json()["code"] == "forbidden"
    started = login(examiner).post(f"{url}/start_examination", {}, content_type="application/json")
    assert started.status_code == 200 and started.json()["status"] == "examining"
    no_reason = login(examiner).post(f"{url}/request_correction", {"comment": ""}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["fields"] == {"comment": [no_reason.json()["fields"]
                                                                                     ["comment"][0]]}
    detail = login(examiner).get(f"{API}/cases/{number}").json()
    assert {"request_correction", "qualify", "disqualify"} <= {t["name"] for t in detail["transitions"]}


def test_drafts_of_the_opinion_are_for_the_staff_only(alice, examiner, field_lead, alice_pe):
    from zhibao.pre_exam.services.opinions import opinion_draft_save

    examining(alice_pe, examiner, field_lead)
    opinion_draft_save(detail=alice_pe, examiner=examiner, text="初稿：权利要求1不清楚。")
    url = f"{API}/cases/{alice_pe.case.number}"
    assert [o["is_draft"] for o in login(examiner).get(url).json()["opinions"]] == [True]
    assert login(alice).get(url).json()["opinions"] == []
    case_transition(detail=alice_pe, name="request_correction", actor=examiner, comment="权利要求1不清楚。")
    assert [o["kind"] for o in login(alice).get(url).json()["opinions"]] == ["opinion"]
    assert [o["is_draft"] for o in login(examiner).get(url).json()["opinions"]] == [True, False]


def test_record_filing_with_a_bad_cnipa_number_is_a_field_error(alice, examiner, field_lead, alice_pe):
    qualified(alice_pe, examiner, field_lead)
    url = f"/api/v1/cases/{alice_pe.case.number}/transitions/record_filing"
    api = login(alice)
    bad = api.post(url, {"comment": "", "payload": {"cnipa_application_number": "202410001234.9"}},
                   content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_number" and bad.json()["fields"]["cnipa_application_number"]
    missing = api.post(url, {"payload": {}}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "number_required"
    design = api.post(url, {"payload": {"cnipa_application_number": "202430001234.2"}},
                      content_type="application/json")
    assert design.status_code == 400 and design.json()["code"] == "type_mismatch"
    future = api.post(url, {"payload": {"cnipa_application_number": "202410001234.1", "cnipa_filed_on": "2999-01-01"}},
                      content_type="application/json")
    assert future.status_code == 400 and "cnipa_filed_on" in future.json()["fields"]

    good = api.post(url, {"comment": "已提交国知局", "payload": {"cnipa_application_number": "202410001234.1"}},
                    content_type="application/json")
    assert good.status_code == 200, good.json()
    assert good.json()["status"] == "filed"
    detail = api.get(f"{API}/cases/{alice_pe.case.number}").json()
    assert detail["state"] == "filed" and detail["cnipa_application_number"] == "CN202410001234.1"
    assert detail["cnipa_filed_on"] and [o["kind"] for o in detail["opinions"]] == ["qualification"]


def test_record_filing_refuses_a_foreign_application_number(alice, examiner, field_lead, alice_pe):
    qualified(alice_pe, examiner, field_lead)
    response = login(alice).post(f"/api/v1/cases/{alice_pe.case.number}/transitions/record_filing",
                                 {"payload": {"cnipa_application_number": "US17123456"}},
                                 content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "not_cnipa_number"


def test_errors_speak_the_requests_language(alice, alice_pe):
    url = f"/api/v1/cases/{alice_pe.case.number}/transitions/record_filing"
    zh = login(alice).post(url, {"payload": {}}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = login(alice).post(url, {"payload": {}}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 409
    assert zh.json()["code"] == en.json()["code"] == "transition_not_allowed"
    assert zh.json()["message"].startswith("当前无法执行此操作")
    assert "not possible" in en.json()["message"]
    shape_zh = login(alice).post(f"{API}/cases", {}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert shape_zh["code"] == "invalid" and shape_zh["message"].startswith("请修改")


# --- Prioritized-examination requests --------------------------------------------------------


def priority_body(org, fields, **overrides) -> dict:
    body = {"organization": org.pk, "application_number": "202410001234.1", "title": "一种稀土永磁材料",
            "field": fields["new_materials"].code, "ground": "key_industry",
            "ground_detail": "属于自治区重点支持的稀土新材料产业。", "search_report": pdf_upload("检索报告.pdf")}
    body.update(overrides)
    return body


def test_priority_request_submit_replay_detail_and_list(alice, bob, examiner, alice_org, bob_org, fields):
    api = login(alice)
    created = api.post(f"{API}/priority-requests", priority_body(alice_org, fields), HTTP_IDEMPOTENCY_KEY="per-1")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["number"].startswith("PER-") and data["application_number"] == "CN202410001234.1"
    assert data["state"] == "submitted" and data["pre_exam_case"] is None
    replay = api.post(f"{API}/priority-requests", priority_body(alice_org, fields), HTTP_IDEMPOTENCY_KEY="per-1")
    assert replay.status_code == 200 and replay.json()["number"] == data["number"]

    number = data["number"]
    assert api.get(f"{API}/priority-requests/{number}").status_code == 200
    staff = login(examiner).get(f"{API}/priority-requests/{number}").json()
    assert "accept" in {t["name"] for t in staff["transitions"]}
    assert login(bob).get(f"{API}/priority-requests/{number}").status_code == 404
    assert login(bob).get(f"{API}/priority-requests").json()["count"] == 0
    assert [r["number"] for r in api.get(f"{API}/priority-requests").json()["results"]] == [number]

    bad = api.post(f"{API}/priority-requests", priority_body(alice_org, fields, application_number="12345"))
    assert bad.status_code == 400 and bad.json()["code"] == "bad_number"
    assert "application_number" in bad.json()["fields"]
    no_report = priority_body(alice_org, fields, application_number="202410001235.6")
    del no_report["search_report"]
    response = api.post(f"{API}/priority-requests", no_report)
    assert response.status_code == 400 and response.json()["code"] == "report_required"
    assert list(response.json()["fields"]) == ["search_report"]


def test_priority_requests_are_visible_to_the_applicant_organization_only(alice, bob, bob_org, fields):
    request, _ = priority_submit(user=bob, organization=bob_org, application_number="202410001234.1", title="储能",
                                 field=fields["new_energy"], ground="in_use", ground_detail="已投产。",
                                 search_report=pdf_upload("检索报告.pdf"))
    assert login(bob).get(f"{API}/priority-requests/{request.case.number}").status_code == 200
    assert login(alice).get(f"{API}/priority-requests/{request.case.number}").status_code == 404


# --- The published schema describes the real answers -----------------------------------------


def _nullable_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema (a null type), recursively."""
    if isinstance(node, list):
        return [_nullable_to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_to_json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_answers_for_real_records_match_the_published_schema(alice, examiner, field_lead, alice_pe,
                                                             alice_org, fields):
    """The fuzzer's personas own no pre-examination records, so their 200s for real objects
    are checked here: applicant and staff views of a case in correction, its documents, the
    filing, a priority request, the fields."""
    from jsonschema import Draft202012Validator

    in_correction(alice_pe, examiner, field_lead)
    priority, _ = priority_submit(user=alice, organization=alice_org, application_number="202410001234.1",
                                  title="储能", field=fields["new_energy"], ground="in_use", ground_detail="已投产。",
                                  search_report=pdf_upload("检索报告.pdf"))
    number, filing = alice_pe.case.number, alice_org.pre_exam_filings.get().case.number
    document = _nullable_to_json_schema(login(alice).get("/api/schema/", {"format": "json"}).json())
    calls = [
        (f"{API}/fields", f"{API}/fields"), (f"{API}/cases", f"{API}/cases"),
        (f"{API}/cases/{number}", f"{API}/cases/{{number}}"),
        (f"{API}/cases/{number}/documents", f"{API}/cases/{{number}}/documents"),
        (f"{API}/filings", f"{API}/filings"), (f"{API}/filings/{filing}", f"{API}/filings/{{number}}"),
        (f"{API}/priority-requests", f"{API}/priority-requests"),
        (f"{API}/priority-requests/{priority.case.number}", f"{API}/priority-requests/{{number}}"),
    ]
    for user in (alice, examiner, field_lead):
        api = login(user)
        for url, path in calls:
            response = api.get(url)
            assert response.status_code == 200, (user, url)
            operation = document["paths"][path]["get"]
            schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
            errors = list(Draft202012Validator({**document, **schema}).iter_errors(response.json()))
            assert not errors, (user.username, url, [e.message for e in errors[:3]])
