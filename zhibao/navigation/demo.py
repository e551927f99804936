"""Demo data of patent navigation (`zhibao demo`): one ready project — 稀土永磁产业专利导航 —
with a three-level technology breakdown of 13 branches on the demo corpus, run once, its
conclusions written and its report made (Word and PDF), all through the real services.
Idempotent: nothing is added once the project exists."""

from zhibao.accounts.models import User

from .models import NavigationProject

TITLE = "稀土永磁产业专利导航"
# (level, name, query, description) in reading order.
TREE = [
    (1, "稀土永磁材料", "TIAB=稀土永磁 OR TIAB=钕铁硼 OR IPC=H01F1/057", "以钕铁硼为主的稀土永磁材料及其制备"),
    (2, "烧结钕铁硼", "TIAB=烧结钕铁硼 OR MIPC=H01F1/057", "粉末冶金法制备的高性能烧结磁体"),
    (3, "晶界扩散", "TIAB=晶界扩散", "重稀土晶界扩散：减少镝、铽用量并保持矫顽力"),
    (3, "制粉与取向成型", "TIAB=气流磨 OR TIAB=氢破碎 OR TIAB=取向磁场", "氢破碎、气流磨制粉与磁场取向压制"),
    (3, "烧结与热处理", "TIAB=烧结炉 OR IPC=B22F3/10", "真空烧结、回火热处理工艺与装备"),
    (2, "合金成分与熔炼", "IPC=C22C38 OR IPC=C22C33 OR TIAB=熔炼炉", "主相与晶界相成分设计、速凝熔炼"),
    (3, "低重稀土与高丰度稀土", "TIAB=重稀土 OR TIAB=镧铈", "减少重稀土、以镧铈等高丰度稀土替代"),
    (2, "磁体制造与检测装备", "IPC=H01F41", "磁体成型、充磁与检测设备"),
    (1, "下游应用", "", "稀土永磁的主要应用领域"),
    (2, "稀土永磁电机", "TIAB=永磁电机 OR IPC=H02K", "新能源汽车驱动电机、风电与工业电机"),
    (2, "磁性器件与组件", "IPC=H01F7", "磁路、磁组件及器件"),
    (1, "上游：冶炼分离", "TIAB=萃取 OR IPC=C22B59", "稀土矿冶炼、萃取分离与资源回收"),
    (2, "萃取分离工艺", "TIAB=萃取分离 OR TIAB=萃取槽", "溶剂萃取分离单一稀土"),
]
CONCLUSIONS = {
    "summary": "稀土永磁是内蒙古依托白云鄂博资源的优势产业。本次导航覆盖材料、装备、应用与上游冶炼分离四个方向，"
               "以中心专利数据库为数据源，给出产业技术构成、创新主体格局与区域定位。",
    "industry": "全国申请量持续增长，烧结钕铁硼与永磁电机为申请最集中的分支，产业处于成长期。",
    "technology": "晶界扩散、低重稀土与高丰度稀土利用是降低成本的关键技术方向，国内头部企业布局密集。",
    "applicants": "申请人集中度不高，包头本地科研院所与企业在上游冶炼分离布局较多，在高端磁体制备装备上相对薄弱。",
    "region": "内蒙古在上游冶炼分离分支为优势分支；在磁体制造装备、永磁电机等下游分支存在短板，详见区域定位一章。",
    "recommendations": "一是围绕晶界扩散与低重稀土技术引进和联合攻关；二是支持本地企业在永磁电机应用端布局高价值专利；"
                       "三是依托盘活平台推动院所存量专利向本地磁材企业转化。",
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
        idempotency_key="demo-navigation-rare-earth")
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
