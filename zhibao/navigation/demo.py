"""Demo data of patent navigation (`zhibao demo`): one ready project — 稀土永磁产业专利导航 —
with a two-level technology breakdown of 12 branches on the demo corpus, run once, its
conclusions written and its report made (Word and PDF), all through the real services.
Idempotent: nothing is added once the project exists."""

from zhibao.accounts.models import User

from .models import NavigationProject

TITLE = "稀土永磁产业专利导航"
# (level, name, query, description) in reading order. Title queries (TI=): the generated demo
# corpus composes abstracts from an area's words at random, so only titles tell branches apart.
TREE = [
    (1, "稀土永磁材料", "TI=钕铁硼 OR TI=稀土永磁", "以钕铁硼为主的稀土永磁材料及其制备"),
    (2, "烧结钕铁硼", "TI=烧结钕铁硼", "粉末冶金法制备的高性能烧结磁体"),
    (2, "钕铁硼磁体", "TI=钕铁硼磁体", "磁体成分、晶界扩散与矫顽力提升"),
    (2, "稀土永磁材料制备", "TI=稀土永磁材料", "合金熔炼、制粉、成型与热处理"),
    (1, "上游：冶炼分离与稀土新材料", "", "稀土矿冶炼分离及白云鄂博资源的就地转化"),
    (2, "萃取分离", "TI=萃取分离", "溶剂萃取分离单一稀土"),
    (2, "稀土抛光粉", "TI=抛光粉", "铈基抛光粉"),
    (2, "稀土镁合金", "TI=镁合金", "稀土镁合金材料与加工"),
    (2, "储氢合金", "TI=储氢合金", "镧铈储氢合金"),
    (1, "下游应用", "", "稀土永磁与稀土功能材料的主要应用领域"),
    (2, "稀土永磁电机", "TI=永磁电机", "新能源汽车驱动电机、风电与工业电机"),
    (2, "稀土发光材料", "TI=发光材料", "显示与照明用稀土发光材料"),
]
# The demo corpus is more than half Inner Mongolian (the country is not), so a branch's location
# quotient cannot pass 1/0.55 ≈ 1.8: the project sets its thresholds accordingly (a project
# setting, shown on the dashboard and stated in the report) and judges branches from 10 patents.
THRESHOLDS = {"gap_lq": "0.6", "strength_lq": "1.2", "min_node_patents": 10}
CONCLUSIONS = {
    "summary": "稀土是内蒙古依托白云鄂博资源的优势产业。本次导航覆盖稀土永磁材料、上游冶炼分离与稀土新材料、下游应用三个方向，"
               "以中心专利数据库为数据源，给出产业技术构成、创新主体格局与区域定位。",
    "industry": "上游冶炼分离与稀土新材料是项目中申请最集中的方向；稀土永磁材料与永磁电机等高附加值环节申请量相对较少。",
    "technology": "萃取分离、抛光粉、储氢合金等分支申请持续，烧结钕铁硼、钕铁硼磁体等磁体制备技术是提升附加值的关键方向。",
    "applicants": "本地科研院所与企业集中在上游冶炼分离与稀土新材料，在磁体制备和电机应用端的创新主体较少。",
    "region": "内蒙古在萃取分离、稀土抛光粉分支为优势分支；在稀土永磁材料与下游永磁电机分支存在短板，详见区域定位一章。",
    "recommendations": "一是围绕钕铁硼磁体制备技术引进和联合攻关，补齐永磁材料短板；二是支持本地企业在永磁电机应用端布局高价值专利；"
                       "三是依托盘活平台推动院所冶炼分离存量专利向本地企业转化。",
}


def load(stdout=None) -> None:
    from .services.projects import conclusions_update, project_create
    from .services.reports import report_execute, report_request
    from .services.runs import project_run, snapshot_execute
    from .services.tree import node_add

    analyst = User.objects.filter(username="analyst").first()
    if analyst is None or NavigationProject.objects.filter(title=TITLE).exists():
        return
    project, _created = project_create(
        user=analyst, title=TITLE, industry="稀土永磁", purpose="industry_planning",
        description="面向内蒙古稀土新材料产业规划的专利导航：技术分解、专利态势、区域定位与发展建议（GB/T 39551-2020）。",
        idempotency_key="demo-navigation-rare-earth", **THRESHOLDS)
    parents: list = []
    for level, name, query, description in TREE:
        parent = parents[level - 2] if level > 1 else None
        node = node_add(project=project, user=analyst, parent=parent, name=name, query=query, description=description)
        del parents[level - 1:]
        parents.append(node)
    conclusions_update(project=project, user=analyst, sections=CONCLUSIONS)
    # The worker is not running while the demo loads: run the jobs' work here, in order.
    snapshot = project_run(project=project, user=analyst)
    snapshot_execute(snapshot)
    report = report_request(project=project, user=analyst, snapshot=snapshot)
    report_execute(report)
    _finish_jobs(snapshot.job, report.job)
    if stdout is not None:
        stdout.write(f"navigation: {project.case.number} {TITLE}, run {snapshot.number} ({snapshot.total} patents), "
                     f"report v{report.version}")


def _finish_jobs(*jobs) -> None:
    """The demo did the jobs' work itself: mark them done so the worker does not redo it."""
    from django.utils import timezone

    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job

    Job.objects.filter(pk__in=[j.pk for j in jobs if j]).update(
        status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), message="演示数据：已完成")
