"""Intake of a pre-examination case: every refusal at the door with its code and reason, that
a refusal stores nothing (no case, no attachment, no file), an idempotent replay, and the
classification suggestion kept for the examiner."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from zhibao.core.models import Attachment, Case
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.patents.choices import PatentType
from zhibao.patents.models import Patent
from zhibao.patents.normalize import NormalizeError, parse_ipc
from zhibao.pre_exam import suggest
from zhibao.pre_exam.choices import ApplicationKind, DocumentKind, PreExamState
from zhibao.pre_exam.models import AbnormalFilingRecord, PreExamCase
from zhibao.pre_exam.services.intake import pre_exam_submit, title_key

from .conftest import documents, pdf_upload, verify
from .test_suggest import SYNTHETIC

pytestmark = pytest.mark.django_db

TITLE = "一种高矫顽力钕铁硼永磁材料及其制备方法"




@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    """The suggestion model of each test lives (or not) in its own directory."""
    settings.VAR_DIR = tmp_path
    suggest._cache.clear()
    yield tmp_path / "models"
    suggest._cache.clear()


def files_in(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


def values(user, org, fields, **overrides) -> dict:
    out = {"user": user, "organization": org, "patent_type": PatentType.INVENTION, "title": TITLE,
           "abstract": "本发明公开了一种高矫顽力钕铁硼永磁材料，通过晶界扩散镝提高矫顽力。",
           "ipc_codes": ["H01F 1/057", "C22C 38/00"], "field": fields["new_materials"]}
    out.update(overrides)
    if out["patent_type"] == PatentType.DESIGN and "ipc_codes" not in overrides:
        # A design is classified by Locarno, not IPC (test_locarno.py): 25-01 is in new_materials.
        del out["ipc_codes"]
        out.setdefault("locarno_codes", ["25-01"])
    if "documents" not in out:
        out["documents"] = documents(out["patent_type"])
    return out


def refused(code, media_root, **kwargs) -> WorkflowError:
    before = (Case.objects.filter(service="PE").count(), PreExamCase.objects.count(), Attachment.objects.count(),
              len(files_in(media_root)))
    with pytest.raises(WorkflowError) as err:
        pre_exam_submit(**kwargs)
    assert err.value.code == code, err.value.message
    after = (Case.objects.filter(service="PE").count(), PreExamCase.objects.count(), Attachment.objects.count(),
             len(files_in(media_root)))
    assert after == before, "a refused submission stored something"
    return err.value


def test_a_submission_opens_a_case_with_its_documents(alice, alice_filed, fields, media_root, examiner):
    files_before = len(files_in(media_root))  # the filing's licence
    detail, created = pre_exam_submit(**values(alice, alice_filed, fields, agency="包头专利事务所", agent="王五"))
    assert created and detail.state == PreExamState.SUBMITTED
    case = detail.case
    assert case.service == "PE" and case.number.startswith("PE-") and case.organization == alice_filed
    assert detail.filing == alice_filed.pre_exam_filings.get() and detail.field == fields["new_materials"]
    assert detail.ipc_codes == ["H01F1/057", "C22C38/00"]  # canonical spelling
    assert (detail.agency, detail.agent) == ("包头专利事务所", "王五")
    assert sorted(Attachment.objects.filter(case=case).values_list("kind", flat=True)) == sorted(
        k.value for k in (DocumentKind.REQUEST_FORM, DocumentKind.DESCRIPTION, DocumentKind.CLAIMS,
                          DocumentKind.ABSTRACT))
    assert len(files_in(media_root)) == files_before + 4
    assert case.events.get().transition == "submit" and case.deadline is not None
    assert detail.suggestion == {}  # the corpus is empty: no suggestion, and no refusal either


def test_ipc_codes_may_be_one_string(alice, alice_filed, fields):
    detail, _ = pre_exam_submit(**values(alice, alice_filed, fields,
                                         ipc_codes="H01F 1/057；c22c 38/00, H01F1/057，Ｃ２２Ｃ　１/０２"))
    assert detail.ipc_codes == ["H01F1/057", "C22C38/00", "C22C1/02"]


@pytest.mark.parametrize(("kind", "code"), [(ApplicationKind.PCT_NATIONAL, "pct_refused"),
                                            (ApplicationKind.DIVISIONAL, "divisional_refused"),
                                            ("reissue", "bad_kind")])
def test_applications_outside_the_channel_are_refused(kind, code, alice, alice_filed, fields, media_root):
    err = refused(code, media_root, **values(alice, alice_filed, fields, application_kind=kind))
    if kind != "reissue":
        assert "application_kind" in err.fields


def test_only_a_member_submits_for_an_organization(alice_filed, bob, fields, media_root):
    err = refused("forbidden", media_root, **values(bob, alice_filed, fields))
    assert err.status == 403


def test_without_a_filing_the_channel_is_closed(alice, alice_org, clerk, fields, media_root):
    verify(alice_org, alice, clerk)
    err = refused("no_valid_filing", media_root, **values(alice, alice_org, fields))
    assert err.status == 400


def test_an_expired_filing_closes_the_channel(alice, alice_filed, fields, media_root):
    filing = alice_filed.pre_exam_filings.get()
    day_after = timezone.make_aware(dt.datetime.combine(filing.valid_until + dt.timedelta(days=1), dt.time(10)))
    with time_machine.travel(day_after, tick=False):
        refused("no_valid_filing", media_root, **values(alice, alice_filed, fields))


def test_an_organization_changed_since_its_filing_waits_for_verification(alice, alice_filed, fields, media_root,
                                                                         clerk):
    from zhibao.accounts.services import organization_update

    organization_update(organization=alice_filed, user=alice, address="内蒙古自治区呼和浩特市赛罕区大学西街1号")
    refused("organization_not_verified", media_root, **values(alice, alice_filed, fields))
    verify(alice_filed, alice, clerk)  # verified again: the filing serves again
    assert pre_exam_submit(**values(alice, alice_filed, fields))[1]


def test_an_abnormal_filing_record_closes_the_channel(alice, alice_filed, fields, media_root):
    AbnormalFilingRecord.objects.create(uscc=alice_filed.uscc, name=alice_filed.name, reason="非正常专利申请",
                                        recorded_on=timezone.localdate())
    refused("abnormal_filing", media_root, **values(alice, alice_filed, fields))


@pytest.mark.parametrize("bad", ["H01F1057", "X01F 1/00", "H1F 1/00", "H01 1/00", "H01F 0/00"])
def test_a_malformed_ipc_is_refused_with_the_reason(bad, alice, alice_filed, fields, media_root):
    with pytest.raises(NormalizeError) as why:
        parse_ipc(bad)
    err = refused("bad_ipc", media_root, **values(alice, alice_filed, fields, ipc_codes=["H01F 1/057", bad]))
    assert str(why.value) in err.message and err.fields["ipc_codes"] == [str(why.value)]


def test_at_least_one_ipc(alice, alice_filed, fields, media_root):
    refused("no_ipc", media_root, **values(alice, alice_filed, fields, ipc_codes=["", "  "]))


def test_an_ipc_outside_the_centers_fields_is_refused(alice, alice_filed, fields, media_root):
    err = refused("ipc_outside_fields", media_root,
                  **values(alice, alice_filed, fields, ipc_codes=["H01F 1/057", "G06F 40/289"]))
    assert "G06F40/289" in err.message and "H01F1/057" not in err.message


def test_a_field_outside_the_filing_is_refused(alice, alice_filed, fields, media_root):
    err = refused("field_not_filed", media_root,
                  **values(alice, alice_filed, fields, field=fields["biology"], ipc_codes=["C12N 15/10"]))
    assert "生物" in err.message and "新材料" in err.message and "field" in err.fields


def test_the_main_ipc_must_fall_in_the_declared_field(alice, alice_filed, fields, media_root):
    # H01M (batteries) is new energy: declared as new materials with H01M first, it is refused …
    err = refused("ipc_field_mismatch", media_root,
                  **values(alice, alice_filed, fields, ipc_codes=["H01M 10/052", "H01F 1/057"]))
    assert "H01M10/052" in err.message and "新能源" in err.message
    # … while a secondary code of another field is fine
    detail, _ = pre_exam_submit(**values(alice, alice_filed, fields, ipc_codes=["H01F 1/057", "H01M 10/052"]))
    assert detail.field == fields["new_materials"]


def test_a_main_group_range_covers_its_subgroups_only(alice, alice_filed, fields, media_root):
    """新能源 holds H01L31/ (photovoltaics) but not H01L 21 (semiconductor manufacture)."""
    detail, _ = pre_exam_submit(**values(alice, alice_filed, fields, field=fields["new_energy"],
                                         ipc_codes=["H01L 31/18"], title="一种光伏电池"))
    assert detail.field == fields["new_energy"]
    refused("ipc_outside_fields", media_root, **values(alice, alice_filed, fields, field=fields["new_energy"],
                                                        ipc_codes=["H01L 21/02"], title="一种晶圆"))


@pytest.mark.parametrize("missing", [{"title": "  "}, {"abstract": ""}, {"field": None}, {"patent_type": "plant"}])
def test_incomplete_submissions_are_refused(missing, alice, alice_filed, fields, media_root):
    code = {"title": "incomplete", "abstract": "incomplete", "field": "no_field", "patent_type": "bad_type"}[
        next(iter(missing))]
    kwargs = values(alice, alice_filed, fields, documents=documents())
    kwargs.update(missing)
    refused(code, media_root, **kwargs)


@pytest.mark.parametrize("variant", [
    TITLE,
    "一种 高矫顽力钕铁硼永磁材料，及其制备方法。",
    "一种高矫顽力钕铁硼永磁材料及其制备方法 ",
    "“一种高矫顽力钕铁硼永磁材料”及其制备方法！",
])
def test_a_duplicate_title_among_the_open_cases_is_refused(variant, alice, alice_filed, fields, media_root):
    first, _ = pre_exam_submit(**values(alice, alice_filed, fields))
    err = refused("duplicate_submission", media_root, **values(alice, alice_filed, fields, title=variant))
    assert first.case.number in err.message and err.status == 409


def test_full_width_and_case_do_not_make_a_title_new(alice, alice_filed, fields, media_root):
    assert title_key("ＬＥＤ用稀土荧光粉（Ａ型）") == title_key("led用稀土荧光粉 (a型)")
    pre_exam_submit(**values(alice, alice_filed, fields, title="ＬＥＤ用稀土荧光粉（Ａ型）"))
    refused("duplicate_submission", media_root, **values(alice, alice_filed, fields, title="led用稀土荧光粉 (a型)"))


def test_a_withdrawn_title_may_be_submitted_again(alice, alice_filed, fields, media_root):
    first, _ = pre_exam_submit(**values(alice, alice_filed, fields))
    case_transition(detail=first, name="withdraw", actor=alice)
    second, created = pre_exam_submit(**values(alice, alice_filed, fields))
    assert created and second.pk != first.pk


def test_another_organization_may_use_the_same_title(alice, alice_filed, bob, bob_filed, fields):
    pre_exam_submit(**values(alice, alice_filed, fields))
    assert pre_exam_submit(**values(bob, bob_filed, fields))[1]


@pytest.mark.parametrize(("patent_type", "missing", "code"), [
    (PatentType.INVENTION, DocumentKind.CLAIMS, "documents_missing"),
    (PatentType.INVENTION, DocumentKind.ABSTRACT, "documents_missing"),
    (PatentType.UTILITY_MODEL, DocumentKind.DRAWINGS, "documents_missing"),
    (PatentType.DESIGN, DocumentKind.DRAWINGS, "documents_missing"),
    (PatentType.DESIGN, DocumentKind.REQUEST_FORM, "documents_missing"),
])
def test_missing_documents_are_named(patent_type, missing, code, alice, alice_filed, fields, media_root):
    docs = documents(patent_type)
    docs.pop(missing.value)
    docs[DocumentKind.DESCRIPTION.value].append(pdf_upload("extra.pdf"))
    err = refused(code, media_root, **values(alice, alice_filed, fields, patent_type=patent_type, documents=docs))
    assert str(missing.label) in err.message and list(err.fields) == [missing.value]


def test_a_design_needs_drawings_not_claims(alice, alice_filed, fields, media_root):
    detail, created = pre_exam_submit(**values(alice, alice_filed, fields, patent_type=PatentType.DESIGN,
                                               documents=documents(PatentType.DESIGN)))
    kinds = set(Attachment.objects.filter(case=detail.case).values_list("kind", flat=True))
    assert created and kinds == {"pe_request", "pe_description", "pe_drawings"}


def test_a_utility_model_needs_drawings(alice, alice_filed, fields):
    assert set(documents(PatentType.UTILITY_MODEL)) == {"pe_request", "pe_description", "pe_claims", "pe_abstract",
                                                         "pe_drawings"}
    assert pre_exam_submit(**values(alice, alice_filed, fields, patent_type=PatentType.UTILITY_MODEL))[1]


def test_a_bad_upload_stores_nothing(alice, alice_filed, fields, media_root):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    docs = documents()
    docs[DocumentKind.CLAIMS.value] = [SimpleUploadedFile("claims.pdf", b"MZ\x90\x00 not a pdf")]
    files_before = files_in(media_root)
    with pytest.raises(ValidationError):
        pre_exam_submit(**values(alice, alice_filed, fields, documents=docs))
    assert not Case.objects.filter(service="PE").exists() and files_in(media_root) == files_before


def test_too_many_files_store_nothing(alice, alice_filed, fields, media_root, settings):
    settings.ZHIBAO_UPLOAD_MAX_FILES_PER_CASE = 5
    docs = documents()
    docs[DocumentKind.DESCRIPTION.value] += [pdf_upload("d2.pdf"), pdf_upload("d3.pdf")]
    err = refused("too_many_files", media_root, **values(alice, alice_filed, fields, documents=docs))
    assert "5" in err.message


def test_an_unknown_document_kind_is_refused(alice, alice_filed, fields, media_root):
    docs = documents()
    docs["licence"] = [pdf_upload("licence.pdf")]
    refused("bad_document_kind", media_root, **values(alice, alice_filed, fields, documents=docs))


def test_a_replay_returns_the_first_case(alice, alice_filed, fields, media_root):
    files_before = len(files_in(media_root))
    first, created = pre_exam_submit(**values(alice, alice_filed, fields, idempotency_key="pe-abc"))
    again, created_again = pre_exam_submit(**values(alice, alice_filed, fields, idempotency_key="pe-abc"))
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.filter(service="PE").count() == 1
    assert Attachment.objects.filter(case=first.case).count() == 4 and len(files_in(media_root)) == files_before + 4


# --- the suggestion ------------------------------------------------------------------------

def test_the_suggestion_is_kept_when_a_model_exists(alice, alice_filed, fields, model_dir):
    from zhibao.core.models import Job
    from zhibao.core.services.jobs import job_execute

    for i, (title, subclasses) in enumerate(SYNTHETIC):
        Patent.objects.create(publication_number=f"CN1190000{i:02d}A", application_number=f"CN20211000{i:04d}.1",
                              patent_type="invention", title=title, abstract="本发明涉及" + title,
                              ipc_codes=[f"{s}10/0525" for s in subclasses], ipc_main=f"{subclasses[0]}10/0525")
    battery = {"abstract": "本发明公开了一种锂离子电池的正极材料。", "field": fields["new_energy"],
               "ipc_codes": ["H01M 4/13"]}
    # a corpus but no model yet: no suggestion now (a request never trains), the training is queued
    first, _ = pre_exam_submit(**values(alice, alice_filed, fields, title="一种锂离子电池正极材料", **battery))
    assert first.suggestion == {}
    job = Job.objects.get(name="pre_exam.ipc_suggest_train", status="queued")
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["trained"], job.error
    assert (model_dir / "ipc_suggest.npz").is_file()
    detail, _ = pre_exam_submit(**values(alice, alice_filed, fields, title="一种锂离子电池正极材料及其制备方法",
                                         **battery))
    suggestion = detail.suggestion
    assert suggestion["subclasses"][0][0] == "H01M"
    assert all(0 <= conf <= 1 for _code, conf in suggestion["subclasses"])
    assert (suggestion["field"], suggestion["field_name"]) == ("new_energy", "新能源")
    assert 0 < suggestion["field_confidence"] <= 1 and suggestion["trained_on"] == len(SYNTHETIC)


def test_a_broken_model_does_not_refuse_a_submission(alice, alice_filed, fields, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk error")

    from zhibao.pre_exam.services import intake

    monkeypatch.setattr(intake, "saved_suggester", broken)
    detail, created = pre_exam_submit(**values(alice, alice_filed, fields))
    assert created and detail.suggestion == {}
