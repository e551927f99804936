"""Personas and data of revitalization, made through the real services.

- `uni`: the owner of 内蒙古工业大学 (a verified university), `uni_org`; `uni_member`: a member;
- `alice` / `alice_org`: an enterprise (包头稀土新材料科技有限公司), verified; `bob` / `bob_org`: another
  enterprise, verified — the stranger;
- `operator`: the center's operator; `leader`: a leader (reads everything);
- `corpus`: eight patents in the corpus and the search index, six held by the university
  (`UNI_NAME` as first applicant: four on rare earths, two on dairy), two by others;
- every test gets its own search index folder and the key industries / grading settings of
  migration 0002 (a transactional test on the same worker may have flushed them).
"""

import datetime as dt

import pytest

from zhibao.accounts.choices import OrganizationKind
from zhibao.accounts.services import organization_join, organization_verification_submit
from zhibao.conftest import make_org, make_user
from zhibao.core.choices import Role
from zhibao.core.services.cases import case_transition
from zhibao.patents.models import Patent
from zhibao.revitalization.defaults import defaults_ensure

UNI_NAME = "内蒙古工业大学"


@pytest.fixture(autouse=True)
def patent_index(patent_index):
    """Every test here gets a search index of its own (zhibao/conftest.py)."""
    return patent_index


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def seeded(db):
    defaults_ensure()


def verify(org, owner):
    clerk = make_user(f"clerk-{org.pk}", [Role.CLERK])
    verification, _ = organization_verification_submit(organization=org, user=owner)
    case_transition(detail=verification, name="accept", actor=clerk)
    case_transition(detail=verification, name="verify", actor=clerk)
    org.refresh_from_db()
    return org


@pytest.fixture
def uni(db):
    return make_user("uni", mobile="13700001111")


@pytest.fixture
def uni_org(uni):
    return verify(make_org(uni, UNI_NAME, 20000001, address="内蒙古自治区呼和浩特市新城区爱民街49号",
                           kind=OrganizationKind.UNIVERSITY), uni)


@pytest.fixture
def uni_member(uni_org):
    user = make_user("unimember")
    organization_join(user=user, join_code=uni_org.join_code)
    return user


@pytest.fixture
def alice_org(alice):
    return verify(make_org(alice, "包头稀土新材料科技有限公司", 10000001), alice)


@pytest.fixture
def bob_org(bob):
    return verify(make_org(bob, "鄂尔多斯绿能储能科技有限公司", 10000002,
                           address="内蒙古自治区鄂尔多斯市康巴什区滨河路12号"), bob)


def make_patent(number: str, title: str, *, abstract: str = "", applicant: str = UNI_NAME,
                ipc: tuple[str, ...] = ("H01F1/057",), patent_type: str = "invention",
                legal_status: str = "granted", filed: dt.date = dt.date(2020, 3, 1), application_number: str = "",
                **extra) -> Patent:
    applicants = [{"name": applicant, "address": "", "province": "内蒙古自治区", "city": "呼和浩特市", "county": "",
                   "type": "university" if "大学" in applicant else "enterprise"}]
    return Patent.objects.create(
        publication_number=number, application_number=application_number or f"20{number[3:5]}1{number[5:12]}",
        patent_type=patent_type, title=title, abstract=abstract, applicants=applicants, first_applicant=applicant,
        current_holders=[applicant], province="内蒙古自治区", league_code="150100", ipc_main=ipc[0],
        ipc_codes=list(ipc), application_date=filed, publication_date=filed + dt.timedelta(days=200),
        grant_date=filed + dt.timedelta(days=500) if legal_status == "granted" else None,
        legal_status=legal_status, **extra,
    )


def index(*patents) -> None:
    from zhibao.patents.search import get_engine

    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()


CORPUS = [
    ("CN111000001B", "一种烧结钕铁硼稀土永磁材料的制备方法", "通过晶界扩散降低重稀土用量，提高磁体矫顽力。", UNI_NAME,
     ("H01F1/057", "C22C38/00"), "invention", "granted", {"claims_count": 10, "citation_count": 6, "family_size": 2}),
    ("CN111000002B", "一种稀土抛光粉的回收方法", "从废抛光粉中回收氧化铈。", UNI_NAME, ("C09K3/14", "C22B59/00"),
     "invention", "granted", {"claims_count": 8}),
    ("CN211000003U", "一种稀土萃取槽的搅拌装置", "搅拌桨与澄清室的结构改进。", UNI_NAME, ("C22B3/26",), "utility_model",
     "granted", {"claims_count": 5}),
    ("CN111000004A", "一种镧铈储氢合金及其制备方法", "储氢容量高、循环寿命长的稀土储氢合金。", UNI_NAME, ("C22C19/00", "H01M4/38"),
     "invention", "pending", {}),
    ("CN111000005B", "一种益生菌发酵乳及其制备方法", "采用乳酸菌和双歧杆菌发酵，提高酸奶风味和活菌数。", UNI_NAME,
     ("A23C9/123", "C12N1/20"), "invention", "granted", {"claims_count": 9, "licence_count": 1}),
    ("CN111000006B", "一种驼乳奶酪的生产工艺", "驼乳经凝乳、压榨和成熟制得奶酪。", UNI_NAME, ("A23C19/02",), "invention",
     "lapsed", {"claims_count": 6}),
    ("CN111000007B", "一种磷酸铁锂正极材料的制备方法", "提高锂离子电池的循环寿命。", "鄂尔多斯绿能储能科技有限公司",
     ("H01M4/58",), "invention", "granted", {"claims_count": 12}),
    ("CN111000008B", "一种苜蓿种子丸粒化处理方法", "提高牧草出苗率。", "内蒙古草业研究所", ("A01C1/06",), "invention",
     "granted", {"claims_count": 7}),
]


@pytest.fixture
def corpus(db):
    """The eight patents of CORPUS, in the database and the search index, by publication number."""
    patents = [make_patent(pn, title, abstract=abstract, applicant=applicant, ipc=ipc, patent_type=ptype,
                           legal_status=status, **extra)
               for pn, title, abstract, applicant, ipc, ptype, status, extra in CORPUS]
    index(*patents)
    return {p.publication_number: p for p in patents}


@pytest.fixture
def people(uni, uni_org, uni_member, alice, alice_org, bob, bob_org, operator, leader):
    return {"uni": uni, "uni_member": uni_member, "alice": alice, "bob": bob, "operator": operator,
            "leader": leader, "system": None}
