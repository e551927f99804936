"""Personas and data of the pre-examination channel, made through the real services.

- `fields`: the three fields of the migration, {code: TechnicalField}, with examiners:
  `examiner` serves new_materials and new_energy, `examiner2` new_materials, `field_lead`
  leads all three (and is an examiner);
- `alice_filed`: alice's organization (包头稀土新材料, region 150203) verified and filed for
  new_materials and new_energy; `bob_filed` likewise for bob's (鄂尔多斯, 150602 region prefix 15);
- `submit_case(user, org, **overrides)`: a PE case with every required document;
- `pdf_upload(name)`, `docx_upload(name)`: valid uploads.
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibao.accounts.services import organization_verification_submit
from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.core.services.cases import case_transition
from zhibao.core.tests.test_attachments import docx_bytes, pdf_bytes
from zhibao.patents.choices import PatentType
from zhibao.pre_exam.defaults import defaults_ensure
from zhibao.pre_exam.models import TechnicalField
from zhibao.pre_exam.services.filings import filing_submit
from zhibao.pre_exam.services.intake import pre_exam_submit

SCOPE = "稀土永磁材料、储能电池及新材料的研发、生产和销售"


def pdf_upload(name="file.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def docx_upload(name="file.docx"):
    return SimpleUploadedFile(name, docx_bytes(),
                              content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def documents(patent_type=PatentType.INVENTION) -> dict:
    from zhibao.pre_exam.services.intake import REQUIRED_DOCUMENTS

    return {k.value: [pdf_upload(f"{k.value}.pdf")] for k in REQUIRED_DOCUMENTS[patent_type]}


@pytest.fixture
def examiner2(db):
    return make_user("examiner2", [Role.EXAMINER])


@pytest.fixture
def field_lead(db):
    return make_user("fieldlead", [Role.EXAMINER])


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads and letters of a test go to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def seeded(transactional_db):
    """The migration's configuration, for a transactional test (a flush empties the tables)."""
    defaults_ensure()


@pytest.fixture
def fields(db, examiner, examiner2, field_lead):
    # A transactional test that ran before on this worker flushed the migration's rows.
    defaults_ensure()
    found = {f.code: f for f in TechnicalField.objects.all()}
    for f in found.values():
        f.lead = field_lead
        f.save()
    found["new_materials"].examiners.add(examiner, examiner2)
    found["new_energy"].examiners.add(examiner)
    return found


def verify(org, owner, clerk):
    verification, _ = organization_verification_submit(organization=org, user=owner)
    case_transition(detail=verification, name="accept", actor=clerk)
    case_transition(detail=verification, name="verify", actor=clerk)
    org.refresh_from_db()
    return org


def file_org(org, owner, clerk, field_objs, scope=SCOPE):
    filing, _ = filing_submit(user=owner, organization=org, fields=field_objs, business_scope=scope,
                              contact_name="张工", contact_phone="0472-1234567", licence=pdf_upload("licence.pdf"))
    case_transition(detail=filing, name="accept", actor=clerk)
    case_transition(detail=filing, name="approve", actor=clerk)
    filing.refresh_from_db()
    return filing


@pytest.fixture
def alice_filed(alice, alice_org, clerk, fields):
    verify(alice_org, alice, clerk)
    file_org(alice_org, alice, clerk, [fields["new_materials"], fields["new_energy"]])
    return alice_org


@pytest.fixture
def bob_filed(bob, bob_org, clerk, fields):
    verify(bob_org, bob, clerk)
    file_org(bob_org, bob, clerk, [fields["new_materials"], fields["new_energy"]])
    return bob_org


@pytest.fixture
def submit_case(fields):
    def submit(user, org, **overrides):
        values = {
            "patent_type": PatentType.INVENTION, "title": "一种高矫顽力钕铁硼永磁材料及其制备方法",
            "abstract": "本发明公开了一种高矫顽力钕铁硼永磁材料，通过晶界扩散镝提高矫顽力。",
            "ipc_codes": ["H01F 1/057", "C22C 38/00"], "field": fields["new_materials"],
        }
        values.update(overrides)
        if values["patent_type"] == PatentType.DESIGN and "ipc_codes" not in overrides:
            del values["ipc_codes"]  # a design is classified by Locarno, not IPC: 25-01 is in new_materials
            values.setdefault("locarno_codes", ["25-01"])
        if "documents" not in values:
            values["documents"] = documents(values["patent_type"])
        detail, _ = pre_exam_submit(user=user, organization=org, **values)
        return detail

    return submit


@pytest.fixture
def alice_pe(alice, alice_filed, submit_case):
    """alice's invention submitted: a PE case awaiting the formal check."""
    return submit_case(alice, alice_filed)


@pytest.fixture
def people(alice, bob, examiner, examiner2, field_lead, clerk, leader, fields):
    """Every persona of the channel by name (the transition tables' columns)."""
    from .test_workflow import personas

    return personas(alice=alice, bob=bob, examiner=examiner, examiner2=examiner2, field_lead=field_lead, clerk=clerk,
                    leader=leader, fields=fields)


