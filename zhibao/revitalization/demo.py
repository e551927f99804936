"""Demo data of revitalization (`zhibao demo`), made through the real services: the demo's
university and institutes offer corpus patents of the key industries in the pool (graded),
alice's enterprise posts demands that the center publishes (each matched on publication), the
first matches are pushed and answered, deals run from intent to contract and recordal, an open
licence is declared, published and taken, and a roadshow presents pool patents. Idempotent:
a second run adds nothing once the pool has patents."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from zhibao.accounts.models import Organization, User
from zhibao.core.services.cases import case_transition
from zhibao.patents.models import Patent

from .choices import CooperationMode, DealKind, FeeMethod
from .models import KeyIndustry, PoolPatent

HOLDERS = ("内蒙古示范工业大学", "乌海精细化工研究院", "兴安盟草原生态研究所")
ENTERPRISE = "包头稀土新材料科技有限公司"
PER_INDUSTRY = 8
# key industry, GB/T 4754 class, title, description, modes, budget (10,000 yuan)
DEMANDS = [
    ("rare_earth", "3985", "烧结钕铁硼磁体降低重稀土用量的晶界扩散技术", "我公司年产烧结钕铁硼3000吨，希望引进晶界扩散技术，"
     "在保持矫顽力的前提下减少镝、铽等重稀土用量。", ["licence", "assignment"], 50, 300),
    ("rare_earth", "3240", "稀土抛光粉回收再利用工艺", "寻求从废旧稀土抛光粉中回收氧化铈并再生利用的工艺及装备。",
     ["assignment", "joint"], 30, 120),
    ("dairy", "1441", "益生菌发酵乳提高活菌数的发酵工艺", "希望提高发酵乳货架期内乳酸菌活菌数，改善风味。", ["licence"], 20, 80),
    ("new_energy", "4415", "储能电池管理系统均衡控制技术", "寻求锂电池储能系统的电池管理与均衡控制方案。", ["licence", "joint"], 50, 200),
    ("forage", "0181", "苜蓿种植与青贮饲草加工技术", "希望提高苜蓿出苗率和青贮饲草品质。", ["consulting", "licence"], 10, 50),
    ("coal_chemical", "2614", "煤化工废水处理与回用技术", "寻求煤气化废水深度处理及回用工艺。", ["commissioned", "licence"], 100, 500),
]


def _pool(operator) -> list[PoolPatent]:
    """Offer each key industry's best corpus patents in the pool, spread over the holders."""
    from .services.pool import pool_add

    holders = list(Organization.objects.filter(name__in=HOLDERS).order_by("name"))
    if not holders:
        return []
    pooled, n = [], 0
    for industry in KeyIndustry.objects.filter(active=True):
        q = Q()
        for prefix in industry.ipc_prefixes:
            q |= Q(ipc_main__startswith=prefix.rstrip("/"))
        patents = (Patent.objects.filter(q, legal_status__in=("granted", "pending"))
                   .exclude(pool_entry__isnull=False).order_by("-claims_count", "publication_number")[:PER_INDUSTRY])
        for patent in patents:
            pool_patent, _created = pool_add(patent=patent, holder=holders[n % len(holders)], actor=operator)
            PoolPatent.objects.filter(pk=pool_patent.pk).update(
                modes=[CooperationMode.LICENCE, CooperationMode.ASSIGNMENT], contact_name="成果转化办公室",
                contact_phone="0471-6575000")
            pooled.append(pool_patent)
            n += 1
    return pooled


def _demands(alice, enterprise, operator) -> list:
    from zhibao.core.models import Industry, Region

    from .services.demands import demand_submit

    league = Region.objects.filter(code="150200").first()
    made = []
    for i, (industry, gbt, title, description, modes, low, high) in enumerate(DEMANDS):
        if not Industry.objects.filter(code=gbt).exists():  # the GB/T 4754 table is loaded from shared data
            continue
        demand, _created = demand_submit(
            user=alice, organization=enterprise, idempotency_key=f"demo-demand-{i}", title=title,
            description=description, industry=gbt, key_industry=industry, league=league, budget_min=low, budget_max=high,
            modes=modes, deadline=timezone.localdate() + dt.timedelta(days=90 + 30 * i), contact_name="王晓丽",
            contact_phone="13847110001")
        if demand.state == "submitted":
            demand = case_transition(detail=demand, name="publish", actor=operator, comment="")
        made.append(demand)
    return made


def _answers(demands, operator, alice) -> int:
    from .services.matching import demand_match, match_answer, match_push

    pushed = 0
    for demand in demands[:3]:
        if demand.state != "published":
            continue
        demand_match(demand)
        matches = list(demand.matches.order_by("rank")[:2])
        for match in matches:
            match_push(match=match, actor=operator)
        if matches:
            match_answer(match=matches[0], user=alice, answer="interested", feedback="技术对口，希望进一步洽谈")
        pushed += len(matches)
    return pushed


def _deals(pool, enterprise, alice, operator) -> int:
    from .services.deals import deal_start

    today = timezone.localdate()
    plans = [(DealKind.LICENCE, "60", True), (DealKind.ASSIGNMENT, "180", False), (DealKind.LICENCE, "25", None)]
    made = 0
    for i, (kind, amount, recorded) in enumerate(plans):
        if i >= len(pool):
            break
        deal, created = deal_start(pool_patent=pool[i], buyer=enterprise, user=alice, kind=kind,
                                   note="有意向合作", idempotency_key=f"demo-deal-{i}")
        if not created:
            continue
        made += 1
        deal = case_transition(detail=deal, name="negotiate", actor=operator)
        if recorded is None:
            continue
        payload = {"kind": kind, "amount": amount, "signed_on": (today - dt.timedelta(days=20)).isoformat()}
        if kind == DealKind.LICENCE:
            payload |= {"starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=3 * 365)).isoformat()}
        deal = case_transition(detail=deal, name="sign", actor=operator, payload=payload)
        if recorded:
            case_transition(detail=deal, name="record", actor=operator, payload={
                "recordal_number": f"2026990000{i:02d}", "recorded_on": (today - dt.timedelta(days=5)).isoformat()})
    return made


def _open_licence(pool, holder_user, operator, enterprise, alice) -> int:
    from .services.licences import open_licence_declare, open_licence_take

    invention = next((p for p in pool[3:] if p.patent.patent_type == "invention"
                      and p.patent.legal_status == "granted"), None)
    if invention is None or holder_user is None:
        return 0
    licence, _created = open_licence_declare(pool_patent=invention, user=holder_user, fee_method=FeeMethod.ROYALTY,
                                             royalty_rate="3", term_years=3, terms="按年度销售额结算。")
    licence = case_transition(detail=licence, name="publish", actor=operator)
    open_licence_take(open_licence=licence, licensee=enterprise, user=alice)
    return 1


def _roadshow(pool, operator) -> int:
    from .services.roadshows import roadshow_create

    roadshow_create(actor=operator, title="稀土新材料专利路演（包头专场）",
                    starts_at=timezone.now() + dt.timedelta(days=14), place="包头稀土高新区科创中心",
                    key_industry=KeyIndustry.objects.filter(code="rare_earth").first(),
                    description="高校院所稀土永磁、抛光材料专利集中发布。", patents=pool[:5])
    return 1


def load(stdout=None) -> None:
    if PoolPatent.objects.exists():
        return
    operator = User.objects.filter(username="operator").first()
    alice = User.objects.filter(username="alice").first()
    enterprise = Organization.objects.filter(name=ENTERPRISE).first()
    if operator is None or alice is None or enterprise is None:
        return
    pool = _pool(operator)
    if not pool:
        return
    demands = _demands(alice, enterprise, operator)
    pushed = _answers(demands, operator, alice)
    deals = _deals(pool, enterprise, alice, operator)
    holder = pool[3].holder if len(pool) > 3 else None
    holder_user = holder.memberships.filter(role="owner").first().user if holder is not None else None
    licences = _open_licence(pool, holder_user, operator, enterprise, alice)
    roadshows = _roadshow(pool, operator)
    if stdout is not None:
        stdout.write(f"revitalization: {len(pool)} pool patents, {len(demands)} demands, {pushed} matches pushed, "
                     f"{deals} deals, {licences} open licence taken, {roadshows} roadshow")
