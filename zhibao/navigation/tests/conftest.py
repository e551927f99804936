"""Personas and data of patent navigation (专利导航), made through the real services.

- `analyst`: a patent analyst (Role.ANALYST), lead of `project`; `analyst2`: another analyst,
  not on the team — reads every navigation project (the analysts handle service NAV) but may
  change none; `bob`: an applicant with no role — the stranger, sees nothing;
  `leader`: a leader — reads everything, changes nothing (both from zhibao/conftest.py);
- `corpus`: CORPUS_SIZE (30) patents on rare-earth permanent magnets (and a few on other rare-earth
  uses), applied for 2010–2024, in the database and the search index, by publication number;
  the Inner Mongolia applicants carry their league and banner codes (GB/T 2260);
- `project`: 稀土永磁产业专利导航, opened by `analyst` with the 3-level technology breakdown
  tree TREE (6 branches) added through services.tree; `nodes`: its branches by key ("1.1.1");
- `run_project(project, user)`: asks for a run and executes its job at once (the worker's
  work, synchronously) — needs zhibao/navigation/analytics.py;
- every test gets its own search index folder (PATENT_INDEX_DIR) and MEDIA_ROOT.
"""

import datetime as dt

import pytest

from zhibao.conftest import make_user
from zhibao.core.choices import Role
from zhibao.patents.models import Patent

INNER_MONGOLIA = "150000"  # core.Region code of 内蒙古自治区 (GB/T 2260)

# name → (applicant type, province, province code, city, league code, banner code, county)
APPLICANTS = {
    "包头稀土研究院": ("institute", "内蒙古", "15", "包头市", "150200", "150203", "昆都仑区"),
    "内蒙古科技大学": ("university", "内蒙古", "15", "包头市", "150200", "150204", "青山区"),
    "包头天和磁材科技股份有限公司": ("enterprise", "内蒙古", "15", "包头市", "150200", "150207", "九原区"),
    "内蒙古北方稀土磁材有限公司": ("enterprise", "内蒙古", "15", "呼和浩特市", "150100", "150105", "赛罕区"),
    "中科三环高技术股份有限公司": ("enterprise", "北京", "11", "北京市", "", "", "海淀区"),
    "宁波韵升股份有限公司": ("enterprise", "浙江", "33", "宁波市", "", "", "鄞州区"),
    "江西理工大学": ("university", "江西", "36", "赣州市", "", "", "章贡区"),
    "张伟": ("individual", "北京", "11", "北京市", "", "", "朝阳区"),
}
IM_APPLICANTS = tuple(name for name, info in APPLICANTS.items() if info[1] == "内蒙古")

# (title, abstract, main IPC): the topics the tree's queries find.
TOPICS = {
    "diffusion": ("一种晶界扩散烧结钕铁硼永磁体的制备方法", "通过晶界扩散重稀土镝铽，提高烧结钕铁硼磁体的矫顽力。", "H01F1/057"),
    "sintered": ("一种高矫顽力烧结钕铁硼永磁材料", "优化烧结钕铁硼的主相成分与烧结工艺，提高磁能积。", "H01F41/02"),
    "bonded": ("一种粘结钕铁硼永磁磁粉及其制备方法", "采用快淬磁粉与环氧树脂制备粘结永磁体。", "H01F1/08"),
    "motor": ("一种稀土永磁同步电机的转子结构", "转子内嵌钕铁硼永磁体，降低电机齿槽转矩。", "H02K1/27"),
    "polish": ("一种稀土抛光粉的制备方法", "以氧化铈为原料制备高切削力的抛光粉。", "C09K3/14"),
    "hydrogen": ("一种镧铈储氢合金", "储氢容量高、循环寿命长的稀土储氢合金。", "C22C19/00"),
}

# The 30 patents: (serial, topic, applicant, application year, type, legal status, value counts).
# 17 Inner Mongolia patents, 13 elsewhere; 23 magnet patents (the tree) and 7 others.
_ROWS = [
    (1, "diffusion", "包头稀土研究院", 2010, "invention", "granted", {"citation_count": 12, "family_size": 3}),
    (2, "diffusion", "包头稀土研究院", 2012, "invention", "granted", {"transfer_count": 1}),
    (3, "diffusion", "中科三环高技术股份有限公司", 2013, "invention", "granted", {"citation_count": 20, "family_size": 5}),
    (4, "diffusion", "宁波韵升股份有限公司", 2016, "invention", "granted", {"licence_count": 1}),
    (5, "diffusion", "内蒙古科技大学", 2019, "invention", "pending", {}),
    (6, "diffusion", "包头天和磁材科技股份有限公司", 2022, "invention", "pending", {}),
    (7, "sintered", "包头天和磁材科技股份有限公司", 2011, "invention", "lapsed", {}),
    (8, "sintered", "中科三环高技术股份有限公司", 2014, "invention", "granted", {"pledge_count": 1}),
    (9, "sintered", "宁波韵升股份有限公司", 2015, "invention", "granted", {}),
    (10, "sintered", "包头稀土研究院", 2017, "invention", "granted", {"claims_count": 10}),
    (11, "sintered", "内蒙古北方稀土磁材有限公司", 2018, "utility_model", "granted", {}),
    (12, "sintered", "江西理工大学", 2020, "invention", "rejected", {}),
    (13, "sintered", "内蒙古北方稀土磁材有限公司", 2023, "invention", "pending", {}),
    (14, "bonded", "江西理工大学", 2012, "invention", "expired", {}),
    (15, "bonded", "内蒙古科技大学", 2016, "invention", "granted", {}),
    (16, "bonded", "宁波韵升股份有限公司", 2019, "utility_model", "granted", {}),
    (17, "bonded", "包头稀土研究院", 2021, "invention", "withdrawn", {}),
    (18, "motor", "中科三环高技术股份有限公司", 2015, "invention", "granted", {}),
    (19, "motor", "张伟", 2017, "utility_model", "granted", {}),
    (20, "motor", "包头天和磁材科技股份有限公司", 2020, "utility_model", "granted", {}),
    (21, "motor", "宁波韵升股份有限公司", 2021, "invention", "pending", {}),
    (22, "motor", "内蒙古北方稀土磁材有限公司", 2023, "invention", "pending", {}),
    (23, "motor", "中科三环高技术股份有限公司", 2024, "invention", "pending", {}),
    (24, "polish", "包头稀土研究院", 2011, "invention", "granted", {}),
    (25, "polish", "内蒙古科技大学", 2014, "invention", "lapsed", {}),
    (26, "polish", "江西理工大学", 2018, "invention", "granted", {}),
    (27, "hydrogen", "包头稀土研究院", 2013, "invention", "granted", {}),
    (28, "hydrogen", "内蒙古北方稀土磁材有限公司", 2019, "invention", "granted", {}),
    (29, "hydrogen", "内蒙古科技大学", 2022, "utility_model", "granted", {}),
    (30, "hydrogen", "包头天和磁材科技股份有限公司", 2024, "invention", "pending", {}),
]
CORPUS_SIZE = len(_ROWS)
MAGNET_TOPICS = ("diffusion", "sintered", "bonded", "motor")

# The technology breakdown: (key, name, parent key, query). 3 levels, 6 branches; 2 is a
# grouping branch without a query of its own.
TREE = [
    ("1", "稀土永磁材料", None, "TIAB=永磁 AND NOT TIAB=电机"),
    ("1.1", "烧结钕铁硼", "1", "TIAB=烧结 AND TIAB=钕铁硼"),
    ("1.1.1", "晶界扩散", "1.1", "TIAB=晶界扩散"),
    ("1.2", "粘结钕铁硼", "1", "TIAB=粘结"),
    ("2", "稀土永磁应用", None, ""),
    ("2.1", "永磁电机", "2", "TIAB=电机"),
]


def publication_number(serial: int, patent_type: str) -> str:
    kind = {"invention": "1", "utility_model": "2", "design": "3"}[patent_type]
    letter = {"invention": "B", "utility_model": "U", "design": "S"}[patent_type]
    return f"CN{kind}{serial:08d}{letter}"


def make_patent(serial: int, topic: str, applicant: str, year: int, patent_type: str = "invention",
                legal_status: str = "granted", **counts) -> Patent:
    """One patent of the corpus, its first applicant's region filled as the importer would."""
    title, abstract, ipc = TOPICS[topic]
    kind, province, province_code, city, league, banner, county = APPLICANTS[applicant]
    filed = dt.date(year, 1 + serial % 12, 1 + serial % 27)
    granted = legal_status in ("granted", "lapsed", "expired")
    return Patent.objects.create(
        publication_number=publication_number(serial, patent_type),
        application_number=f"{year}1{serial:07d}.{serial % 10}", patent_type=patent_type, title=title,
        abstract=abstract, applicants=[{"name": applicant, "address": f"{province}{city}{county}", "province": province,
                                        "city": city, "county": county, "type": kind}],
        first_applicant=applicant, applicant_type=kind, current_holders=[applicant], province=province,
        province_code=province_code, city=city, county=county, league_code=league, banner_code=banner,
        inventors=[f"发明人{serial}"], ipc_main=ipc, ipc_codes=[ipc, "C22C38/00"] if topic != "motor" else [ipc],
        application_date=filed, publication_date=filed + dt.timedelta(days=540),
        grant_date=filed + dt.timedelta(days=900) if granted and patent_type == "invention" else (
            filed + dt.timedelta(days=200) if granted else None),
        legal_status=legal_status, **counts,
    )


def index(*patents) -> None:
    from zhibao.patents.search import get_engine

    engine = get_engine()
    engine.index_patents(patents)
    engine.commit()


@pytest.fixture(autouse=True)
def patent_index(patent_index):
    """Every test here gets a search index of its own (zhibao/conftest.py)."""
    return patent_index


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def analyst(db):
    return make_user("analyst", [Role.ANALYST])


@pytest.fixture
def analyst2(db):
    return make_user("analyst2", [Role.ANALYST])


@pytest.fixture
def corpus(db):
    """The 30 patents of _ROWS, in the database and the search index, by publication number."""
    patents = [make_patent(serial, topic, applicant, year, ptype, status, **counts)
               for serial, topic, applicant, year, ptype, status, counts in _ROWS]
    index(*patents)
    return {p.publication_number: p for p in patents}


def make_project(user, *, title="稀土永磁产业专利导航", tree=TREE, **values):
    """A project opened by `user` with `tree` added branch by branch; returns (project, nodes by key)."""
    from zhibao.navigation.services.projects import project_create
    from zhibao.navigation.services.tree import node_add

    values = {"industry": "稀土永磁", "purpose": "industry_planning", "region": INNER_MONGOLIA,
              "description": "包头稀土高新区稀土永磁产业的专利导航。", **values}
    project, _created = project_create(user=user, title=title, **values)
    nodes = {}
    for key, name, parent_key, query in tree:
        nodes[key] = node_add(project=project, user=user, name=name, parent=nodes.get(parent_key), query=query,
                              description=f"{name}相关专利")
    return project, nodes


@pytest.fixture
def project_and_nodes(analyst, corpus):
    return make_project(analyst)


@pytest.fixture
def project(project_and_nodes):
    """稀土永磁产业专利导航, led by `analyst`, with the 6-branch tree TREE."""
    return project_and_nodes[0]


@pytest.fixture
def nodes(project_and_nodes):
    """The project's branches (BreakdownNode) by key: "1", "1.1", "1.1.1", "1.2", "2", "2.1"."""
    return project_and_nodes[1]


def run_now(project, user):
    """Ask for a run and execute its job here (what the worker does); returns the snapshot."""
    from zhibao.core.services.jobs import job_execute
    from zhibao.navigation.services.runs import project_run

    snapshot = project_run(project=project, user=user)
    job_execute(str(snapshot.job_id))
    snapshot.refresh_from_db()
    return snapshot


@pytest.fixture
def run_project():
    return run_now
