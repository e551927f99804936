"""Designs are classified by the Locarno Classification, not IPC: how a Locarno code is written,
what a field covers, what intake accepts and refuses for a design (and refuses of an invention),
the new-case page, the case page and the API, the seeded data and the demo's designs."""

import importlib
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from zhibao.conftest import login
from zhibao.core.models import Case
from zhibao.core.services.cases import WorkflowError
from zhibao.patents.choices import PatentType
from zhibao.pre_exam import demo, locarno
from zhibao.pre_exam.choices import ApplicationKind
from zhibao.pre_exam.defaults import defaults_ensure
from zhibao.pre_exam.fields import fields_for_locarno, locarno_in_range, normalize_locarno
from zhibao.pre_exam.models import PreExamCase, TechnicalField
from zhibao.pre_exam.services import intake
from zhibao.pre_exam.services.intake import locarno_field_check, pre_exam_submit
from zhibao.pre_exam.statistics import pre_exam_statistics

from .conftest import documents

pytestmark = pytest.mark.django_db

API = "/api/v1/pre-exam"
TITLE = "电动汽车充电桩"
ABSTRACT = "本外观设计产品为电动汽车充电桩，用于电动汽车充电。"
SEEDED = {"biology": ["24", "28-01"], "new_materials": ["05-06", "25-01"], "new_energy": ["13", "23-03"]}


def design(user, org, fields, **overrides) -> dict:
    """alice's design of a charging station: new energy, Locarno 13-03 (alice is filed for new
    materials and new energy)."""
    values = {
        "user": user,
        "organization": org,
        "patent_type": PatentType.DESIGN,
        "title": TITLE,
        "abstract": ABSTRACT,
        "locarno_codes": ["13-03"],
        "field": fields["new_energy"],
    }
    values.update(overrides)
    values.setdefault("documents", documents(values["patent_type"]))
    return values


def refused(code, **kwargs) -> WorkflowError:
    before = (Case.objects.filter(service="PE").count(), PreExamCase.objects.count())
    with pytest.raises(WorkflowError) as err:
        pre_exam_submit(**kwargs)
    assert err.value.code == code, err.value.message
    assert err.value.status == 400 and err.value.message
    assert (Case.objects.filter(service="PE").count(), PreExamCase.objects.count()) == before
    return err.value


# --- the scheme and the normaliser --------------------------------------------------------------


def test_the_scheme_has_the_32_classes_with_chinese_titles():
    assert list(locarno.CLASSES) == [f"{n:02d}" for n in range(1, 33)]
    assert locarno.CLASSES["01"][0] == "食品" and locarno.CLASSES["02"][0] == "服装和服饰用品"
    assert (
        locarno.CLASSES["13"][0] == "发电、配电或变电设备"
        and locarno.CLASSES["24"][0] == "医疗设备和实验室设备"
    )
    assert locarno.CLASSES["32"][0] == "图形符号和标识、表面图案、纹饰"
    with translation.override("zh-hans"):
        assert locarno.label("24") == "24 医疗设备和实验室设备"
        assert "发电、配电或变电设备" in locarno.label("13-03") and locarno.label("13-03").startswith("13-03")
    with translation.override("en"):
        assert locarno.class_title("24-01") == "Medical and laboratory equipment"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("14", "14"),
        ("1", "01"),
        ("01", "01"),
        (" 24 ", "24"),
        ("14-03", "14-03"),
        ("14 03", "14-03"),
        ("14.03", "14-03"),
        ("1403", "14-03"),
        ("14-3", "14-03"),
        ("14/03", "14-03"),
        ("14 - 03", "14-03"),
        ("14–03", "14-03"),
        ("32-00", "32-00"),
        ("13-99", "13-99"),
        ("１４－０３", "14-03"),
        ("１４　０３", "14-03"),  # typed with a Chinese input method
        ("LOC (15) Cl. 14-03", "14-03"),
        ("loc(14)cl.13-03", "13-03"),
        ("Cl. 24-01", "24-01"),
    ],
)
def test_a_locarno_code_is_stored_canonically(written, canonical):
    assert normalize_locarno(written) == canonical


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "  ",
        "0",
        "00",
        "33",
        "99",
        "00-01",
        "33-01",
        "143",
        "14-100",
        "14-03-01",
        "A14",
        "H01M",
        "H01M 10/052",
        "十四",
        "14-",
        "-03",
        "LOC",
        "1\u0664",
    ],
)
def test_what_is_not_a_locarno_code_is_refused_with_an_example(bad):
    with pytest.raises(ValidationError) as err:
        normalize_locarno(bad)
    message = err.value.messages[0]  # the format with an example, or the classes' range
    assert "13-03" in message or ("01" in message and "32" in message)


def test_a_design_s_own_code_needs_the_subclass():
    assert normalize_locarno("13-03", subclass=True) == "13-03"
    with pytest.raises(ValidationError) as err:
        normalize_locarno("13", subclass=True)
    assert "13-01" in err.value.messages[0]


@pytest.mark.parametrize(
    ("code", "prefix", "inside"),
    [
        ("13-03", "13", True),
        ("13 03", "13", True),
        ("13-99", "13", True),
        ("13", "13", True),
        ("23-03", "23-03", True),
        ("2303", "23-03", True),
        ("23-04", "23-03", False),
        ("23", "23-03", False),
        ("12-08", "13", False),
        ("01-03", "13", False),
        ("not a code", "13", False),
    ],
)
def test_a_range_covers_its_subclasses(code, prefix, inside):
    assert locarno_in_range(code, prefix) is inside


# --- the fields --------------------------------------------------------------------------------


def test_the_seeded_fields_have_their_locarno_classes(fields):
    assert {code: f.locarno_classes for code, f in fields.items()} == SEEDED
    migration = importlib.import_module("zhibao.pre_exam.migrations.0003_locarno")
    assert migration.LOCARNO == SEEDED
    for f in fields.values():
        f.full_clean()  # valid as seeded
        assert all(c[:2] in locarno.CLASSES for c in f.locarno_classes)
    energy = fields["new_energy"]
    assert (
        energy.covers_locarno("13-03")
        and energy.covers_locarno("23-03")
        and not energy.covers_locarno("24-01")
    )
    assert fields["biology"].covers_locarno("28-01") and not fields["biology"].covers_locarno(
        "28-02"
    )  # cosmetics
    assert [f.code for f in fields_for_locarno("25-01", fields.values())] == ["new_materials"]


def test_defaults_seed_the_locarno_classes_again_after_a_flush(db):
    TechnicalField.objects.filter(pre_exam_cases__isnull=True).delete()
    defaults_ensure()
    assert dict(TechnicalField.objects.values_list("code", "locarno_classes")) == SEEDED
    checked = TechnicalField.objects.get(code="biology")
    checked.locarno_classes = ["30"]  # the center's change survives
    checked.save()
    defaults_ensure()
    assert TechnicalField.objects.get(code="biology").locarno_classes == ["30"]


def test_a_field_stores_its_locarno_ranges_canonically_and_refuses_bad_ones(fields):
    f = fields["new_energy"]
    f.locarno_classes = ["13 03", "1303", "２３．０３", "13"]
    f.full_clean()
    assert f.locarno_classes == ["13-03", "23-03", "13"]
    f.locarno_classes = []  # a field may take no designs
    f.full_clean()
    for bad in (["33"], ["13", "H01M"], "13"):
        f.locarno_classes = bad
        with pytest.raises(ValidationError) as err:
            f.full_clean()
        assert "locarno_classes" in err.value.message_dict


# --- intake ------------------------------------------------------------------------------------


def test_a_design_is_accepted_with_locarno_codes_and_no_ipc(alice, alice_filed, fields):
    detail, created = pre_exam_submit(**design(alice, alice_filed, fields, locarno_codes="13 03；1302"))
    assert created and detail.locarno_codes == ["13-03", "13-02"] and detail.ipc_codes == []
    assert detail.field == fields["new_energy"] and detail.suggestion == {}


def test_a_design_s_main_code_may_be_in_a_subclass_range(alice, alice_filed, fields):
    detail, _ = pre_exam_submit(
        **design(alice, alice_filed, fields, title="太阳能热水器", locarno_codes=["23-03"])
    )
    assert detail.locarno_codes == ["23-03"]


def test_a_design_without_locarno_codes_is_refused(alice, alice_filed, fields):
    err = refused("no_locarno", **design(alice, alice_filed, fields, locarno_codes=[]))
    assert list(err.fields) == ["locarno_codes"] and "13-03" in err.message
    refused("no_locarno", **design(alice, alice_filed, fields, locarno_codes=" ；"))


def test_a_malformed_locarno_code_is_reported(alice, alice_filed, fields):
    err = refused("bad_locarno", **design(alice, alice_filed, fields, locarno_codes=["13-03", "99-01", "13"]))
    assert len(err.fields["locarno_codes"]) == 2 and "99-01" in err.message and "13-01" in err.message


def test_a_design_with_ipc_codes_is_told_to_use_locarno(alice, alice_filed, fields):
    err = refused(
        "ipc_for_design", **design(alice, alice_filed, fields, locarno_codes=[], ipc_codes=["H02J 7/00"])
    )
    assert list(err.fields) == ["ipc_codes"] and "13-03" in err.message
    refused("ipc_for_design", **design(alice, alice_filed, fields, ipc_codes="H02J 7/00"))  # with both, too


def test_a_design_outside_the_declared_field_is_refused(alice, alice_filed, fields):
    err = refused(
        "locarno_field_mismatch", **design(alice, alice_filed, fields, field=fields["new_materials"])
    )
    assert fields["new_energy"].name in err.message and fields["new_materials"].name in err.message
    assert list(err.fields) == ["field"]


def test_a_design_outside_every_field_is_refused(alice, alice_filed, fields):
    err = refused("locarno_outside_fields", **design(alice, alice_filed, fields, locarno_codes=["09-03"]))
    assert "09-03" in err.message and "13" in err.message and list(err.fields) == ["locarno_codes"]
    # a further code outside the fields is refused as well
    refused("locarno_outside_fields", **design(alice, alice_filed, fields, locarno_codes=["13-03", "12-08"]))


def test_a_design_of_a_field_outside_the_filing_is_refused(alice, alice_filed, fields):
    err = refused(
        "field_not_filed",
        **design(
            alice,
            alice_filed,
            fields,
            title="全自动生化分析仪",
            locarno_codes=["24-01"],
            field=fields["biology"],
        ),
    )
    assert fields["biology"].name in err.message and list(err.fields) == ["field"]


@pytest.mark.parametrize("patent_type", [PatentType.INVENTION, PatentType.UTILITY_MODEL])
def test_an_invention_or_utility_model_with_locarno_codes_is_refused(patent_type, alice, alice_filed, fields):
    err = refused(
        "locarno_not_for_type",
        **design(
            alice,
            alice_filed,
            fields,
            patent_type=patent_type,
            title="一种储能电池热管理系统",
            ipc_codes=["H01M 10/613"],
            locarno_codes=["13-02"],
        ),
    )
    assert list(err.fields) == ["locarno_codes"] and str(PatentType(patent_type).label) in err.message


def test_the_ipc_suggestion_is_not_run_for_a_design(alice, alice_filed, fields, monkeypatch):
    asked = []
    monkeypatch.setattr(
        intake, "suggestion_for", lambda title, abstract: asked.append(title) or {"field": "x"}
    )
    detail, _ = pre_exam_submit(**design(alice, alice_filed, fields))
    assert asked == [] and detail.suggestion == {}
    invention, _ = pre_exam_submit(
        **design(
            alice,
            alice_filed,
            fields,
            patent_type=PatentType.INVENTION,
            title="一种储能电池热管理系统",
            ipc_codes=["H01M 10/613"],
            locarno_codes=[],
        )
    )
    assert asked == ["一种储能电池热管理系统"] and invention.suggestion == {"field": "x"}


def test_a_design_counts_in_the_field_it_declared(alice, alice_filed, fields):
    pre_exam_submit(**design(alice, alice_filed, fields))
    by_field = {r["key"]: r for r in pre_exam_statistics()["by_field"]}
    assert by_field["new_energy"]["submissions"] == 1 and by_field["new_materials"]["submissions"] == 0


def test_the_demo_s_designs_are_what_intake_accepts(fields):
    assert set(demo.DESIGN_SUBJECTS) == set(demo.SUBJECTS)
    for code, subjects in demo.DESIGN_SUBJECTS.items():
        for _title, main, extra in subjects:
            locarno_field_check([main, extra], fields[code], [fields[code]])


# --- the pages ---------------------------------------------------------------------------------


def case_post(org, field, **overrides) -> dict:
    data = {
        "organization": org.pk,
        "patent_type": PatentType.DESIGN,
        "application_kind": ApplicationKind.ORDINARY,
        "title": TITLE,
        "abstract": ABSTRACT,
        "locarno_codes": "13-03",
        "field": field.pk,
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update({kind: files[0] for kind, files in documents(PatentType.DESIGN).items()})
    data.update(overrides)
    return data


def test_the_page_for_a_design_shows_the_locarno_input_not_ipc(alice, alice_filed, fields):
    client = login(alice)
    page = client.get("/pre-exam/cases/new/", {"patent_type": PatentType.DESIGN}).content.decode()
    assert 'name="locarno_codes"' in page and 'name="ipc_codes"' not in page
    assert 'id="no-ipc-suggestion"' in page and 'id="ask-suggestion"' not in page
    ranges = page.split('id="locarno-ranges"')[1].split("</div>")[0]
    assert "13 发电、配电或变电设备" in ranges and fields["new_energy"].name in ranges
    invention = client.get("/pre-exam/cases/new/").content.decode()
    assert 'name="ipc_codes"' in invention and 'name="locarno_codes"' not in invention
    assert 'id="ask-suggestion"' in invention


def test_changing_the_patent_type_swaps_the_classification_input(alice, alice_filed):
    client = login(alice)
    page = client.get(
        "/pre-exam/cases/new/",
        {"part": "documents", "patent_type": PatentType.DESIGN, "ipc_codes": "H01M 10/052"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    codes = page.split('id="classification-codes"')[1].split("</div>\n</div>")[0]
    assert codes.startswith(' hx-swap-oob="true"') and 'name="locarno_codes"' in codes
    assert 'name="ipc_codes"' not in page  # the IPC typed for an invention goes away with its input
    assert (
        'id="suggestion-tools" hx-swap-oob="true"' in page and 'id="required-pe_drawings" hx-swap-oob' in page
    )
    back = client.get(
        "/pre-exam/cases/new/",
        {"part": "documents", "patent_type": PatentType.UTILITY_MODEL, "ipc_codes": "H01M 10/052"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="ipc_codes"' in back and 'value="H01M 10/052"' in back and 'name="locarno_codes"' not in back


def test_the_suggestion_part_says_a_design_has_none(alice, alice_filed, monkeypatch):
    monkeypatch.setattr(
        "zhibao.pre_exam.views.applicant.suggestion_for", lambda *a: pytest.fail("not for a design")
    )
    r = login(alice).post(
        "/pre-exam/cases/new/",
        {"part": "suggestion", "title": TITLE, "abstract": ABSTRACT, "patent_type": PatentType.DESIGN},
        HTTP_HX_REQUEST="true",
    )
    text = r.content.decode()
    assert r.status_code == 200 and 'role="status"' in text and ("Locarno" in text or "洛迦诺" in text)


def test_a_design_through_the_page(alice, alice_filed, fields):
    r = login(alice).post(
        "/pre-exam/cases/new/", case_post(alice_filed, fields["new_energy"], locarno_codes="13 03")
    )
    detail = PreExamCase.objects.get()
    assert r.status_code == 302 and r["Location"] == detail.case.get_absolute_url()
    assert detail.locarno_codes == ["13-03"] and detail.ipc_codes == []


def service_message(call) -> str:
    with translation.override("zh-hans"), pytest.raises(WorkflowError) as exc:
        call()
    return exc.value.message


def test_a_refused_design_shows_the_reason_on_the_page(alice, alice_filed, fields):
    expected = service_message(
        lambda: pre_exam_submit(**design(alice, alice_filed, fields, field=fields["new_materials"]))
    )
    r = login(alice).post("/pre-exam/cases/new/", case_post(alice_filed, fields["new_materials"]))
    page = r.content.decode()
    assert r.status_code == 200 and not PreExamCase.objects.exists()
    assert 'id="form-errors"' in page and expected in page and "新能源" in expected
    assert 'value="13-03"' in page  # what alice typed is kept
    missing = login(alice).post(
        "/pre-exam/cases/new/", case_post(alice_filed, fields["new_energy"], locarno_codes="")
    )
    codes = missing.content.decode().split('id="classification-codes"')[1].split("</div>\n</div>")[0]
    assert "invalid-feedback" in codes and 'name="locarno_codes"' in codes


def test_ipc_typed_for_a_design_is_shown_to_be_emptied(alice, alice_filed, fields):
    r = login(alice).post(
        "/pre-exam/cases/new/", case_post(alice_filed, fields["new_energy"], ipc_codes="H02J 7/00")
    )
    page = r.content.decode()
    assert r.status_code == 200 and 'name="ipc_codes"' in page and 'name="locarno_codes"' in page
    assert (
        service_message(lambda: pre_exam_submit(**design(alice, alice_filed, fields, ipc_codes="H02J 7/00")))
        in page
    )


def test_the_case_page_shows_the_locarno_codes_with_their_class(alice, alice_filed, fields, examiner):
    detail, _ = pre_exam_submit(**design(alice, alice_filed, fields))
    with translation.override("zh-hans"):
        page = login(alice).get(detail.case.get_absolute_url()).content.decode()
    locarno_row = page.split('id="pe-locarno"')[1].split("</dd>")[0]
    assert "13-03" in locarno_row and "发电、配电或变电设备" in locarno_row
    assert 'id="pe-no-ipc-suggestion"' not in page  # the staff's card
    staff = login(examiner).get(detail.case.get_absolute_url()).content.decode()
    assert 'id="pe-no-ipc-suggestion"' in staff and 'id="pe-locarno"' in staff


# --- the API -----------------------------------------------------------------------------------


def api_body(org, fields, **overrides) -> dict:
    body = {
        "organization": org.pk,
        "patent_type": PatentType.DESIGN,
        "title": TITLE,
        "abstract": ABSTRACT,
        "locarno_codes": ["13-03"],
        "field": fields["new_energy"].code,
    }
    body.update(documents(PatentType.DESIGN))
    body.update(overrides)
    return body


def test_api_creates_a_design_with_locarno_codes(alice, alice_filed, fields):
    api = login(alice)
    response = api.post(f"{API}/cases", api_body(alice_filed, fields, locarno_codes="13 03；13-02"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["locarno_codes"] == ["13-03", "13-02"] and data["ipc_codes"] == []
    assert api.get(f"{API}/cases/{data['number']}").json()["locarno_codes"] == ["13-03", "13-02"]
    listed = api.get(f"{API}/cases").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert next(r for r in rows if r["number"] == data["number"])["locarno_codes"] == ["13-03", "13-02"]
    energy = next(f for f in api.get(f"{API}/fields").json() if f["code"] == "new_energy")
    assert energy["locarno_classes"] == ["13", "23-03"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"locarno_codes": []}, "no_locarno", "locarno_codes"),
        ({"locarno_codes": ["not a code"]}, "bad_locarno", "locarno_codes"),
        ({"locarno_codes": [], "ipc_codes": ["H02J 7/00"]}, "ipc_for_design", "ipc_codes"),
        ({"field": "new_materials"}, "locarno_field_mismatch", "field"),
        ({"locarno_codes": ["09-03"]}, "locarno_outside_fields", "locarno_codes"),
    ],
)
def test_api_refuses_a_bad_design_with_a_structured_error(overrides, code, field, alice, alice_filed, fields):
    response = login(alice).post(f"{API}/cases", api_body(alice_filed, fields, **overrides))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code and field in body["fields"] and body["message"]
    assert not PreExamCase.objects.exists()


def test_api_refuses_locarno_codes_on_an_invention(alice, alice_filed, fields):
    body = api_body(
        alice_filed,
        fields,
        patent_type=PatentType.INVENTION,
        title="一种储能电池热管理系统",
        ipc_codes=["H01M 10/613"],
        **documents(PatentType.INVENTION),
    )
    response = login(alice).post(f"{API}/cases", body)
    assert response.status_code == 400 and response.json()["code"] == "locarno_not_for_type"
    assert "locarno_codes" in response.json()["fields"]
