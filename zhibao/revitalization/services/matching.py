"""供需对接, the platform's side: the pool index on disk, Match rows, pushing and answering.

The engine (`revitalization/matching.py`) knows no models. Here:

* **The pool index** holds the listed pool patents (title, abstract and IPC codes of their
  corpus patent; the grade score as the engine's small bonus), saved under
  `VAR_DIR/matching/pool.npz` with the watermark of what it was built from (count, last change
  of the pool and of its corpus patents). The job `revitalization.match_index` rebuilds it; a
  change of the pool marks it stale by its watermark and queues one rebuild (a second change
  while one waits adds nothing: debounced). A small pool (≤ `SYNC_BUILD_LIMIT`) is rebuilt in
  the process that finds it stale, so a page never matches against yesterday's pool for
  nothing; a large one is served stale until the job is done.
* **The demand index** (the inverse direction, "which demands for this patent") holds the
  published demands, each with the IPC subclasses the pool index infers from its text, in
  `VAR_DIR/matching/demands.npz`.
* **Matches**: publishing a demand matches it (top `MATCH_LIMIT` stored with rank, score and
  the explanation: score parts, shared terms, IPC overlap, grade, holder, region); the job
  `revitalization.match_all` matches every published demand after an import. A rematch
  replaces the suggestions and keeps what an operator pushed or dismissed.
* **Push and answers**: an operator pushes chosen suggestions to both sides (the enterprise's
  and the holder's members are told) or dismisses them; each side answers interested or not,
  with feedback. The match quality is the precision of pushed matches: the share of answered
  pushes the enterprise found interesting.
"""

import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhibao.accounts.selectors import organization_members
from zhibao.core.services.cases import WorkflowError
from zhibao.core.services.notifications import notification_send

from .. import matching as engine
from ..choices import Answer, DemandState, MatchState, OperationKind, PoolStatus
from ..models import Demand, Match, PoolPatent
from ..rules import is_operator, member_of

logger = logging.getLogger(__name__)

MATCH_LIMIT = 20  # suggestions stored per demand
SYNC_BUILD_LIMIT = 3000  # up to this many pool patents, a stale index is rebuilt in-process
INDEX_JOB = "revitalization.match_index"
MATCH_ALL_JOB = "revitalization.match_all"
_loaded: dict[str, tuple[float, engine.PoolIndex]] = {}


# --- where the indexes live ------------------------------------------------------------------

def index_dir() -> Path:
    return Path(settings.VAR_DIR) / "matching"


def pool_index_path() -> Path:
    return index_dir() / "pool.npz"


def demand_index_path() -> Path:
    return index_dir() / "demands.npz"


def _listed():
    return PoolPatent.objects.filter(status=PoolStatus.LISTED)


def pool_watermark() -> dict:
    """What the pool index must have been built from to be current."""
    agg = _listed().order_by().aggregate(count=Count("id"), last=Max("id"), updated=Max("updated_at"),
                                         patents=Max("patent__updated_at"))
    return {"count": agg["count"], "last": agg["last"] or 0,
            "updated": agg["updated"].isoformat() if agg["updated"] else "",
            "patents": agg["patents"].isoformat() if agg["patents"] else ""}


def demand_watermark(pool_mark: dict | None = None) -> dict:
    """The demand index's: the published demands (by their keys) and the pool it inferred from."""
    keys = list(Demand.objects.filter(state=DemandState.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    digest = hashlib.sha256(",".join(map(str, keys)).encode()).hexdigest()
    return {"demands": digest, "count": len(keys), "pool": pool_mark or pool_watermark()}


def _save(index: engine.PoolIndex, path: Path) -> None:
    """Write beside the target and rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    index.save(tmp)
    os.replace(tmp, path)


def _load(path: Path) -> engine.PoolIndex | None:
    """The saved index (cached per process while the file is unchanged); None without one."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return None
    hit = _loaded.get(str(path))
    if hit and hit[0] == mtime:
        return hit[1]
    try:
        index = engine.PoolIndex.load(path)
    except (OSError, ValueError, KeyError):
        logger.warning("unreadable matching index %s: it will be rebuilt", path, exc_info=True)
        return None
    _loaded[str(path)] = (mtime, index)
    return index


# --- building ------------------------------------------------------------------------------------

def pool_docs():
    """The listed pool patents as the engine's documents, key = the pool patent's id."""
    rows = (_listed().order_by("pk")
            .values_list("pk", "patent__title", "patent__abstract", "patent__ipc_codes", "score"))
    for pk, title, abstract, codes, score in rows.iterator(chunk_size=2000):
        grade = float(score) / 100.0 if score is not None else None
        yield engine.PoolDoc(str(pk), title or "", abstract or "", tuple(codes or ()), grade)


def pool_index_build(*, progress=None) -> engine.PoolIndex:
    """Build the pool index from the listed pool patents and save it with its watermark."""
    mark = pool_watermark()
    index = engine.PoolIndex.build(pool_docs(), progress=progress)
    index.meta["watermark"] = mark
    index.meta["built_at"] = timezone.now().isoformat()
    _save(index, pool_index_path())
    _loaded.pop(str(pool_index_path()), None)
    return index


def demand_text(demand: Demand) -> str:
    return f"{demand.title}\n{demand.description}"


def demand_index_build(pool: engine.PoolIndex | None = None) -> engine.PoolIndex:
    """Build the index of published demands, each with the IPC the pool infers for its text."""
    pool = pool if pool is not None else pool_index()
    mark = demand_watermark(pool.meta.get("watermark") if pool is not None else None)
    docs = []
    for pk, title, description in (Demand.objects.filter(state=DemandState.PUBLISHED).order_by("pk")
                                   .values_list("pk", "title", "description")):
        text = f"{title}\n{description}"
        codes = tuple(sub for sub, _w in pool.infer_ipc(text)) if pool is not None and len(pool) else ()
        docs.append(engine.PoolDoc(str(pk), title, description, codes, None))
    index = engine.PoolIndex.build(docs)
    index.meta["watermark"] = mark
    _save(index, demand_index_path())
    _loaded.pop(str(demand_index_path()), None)
    return index


def index_rebuild_queue() -> None:
    """Queue one rebuild of the indexes, unless one is already waiting (debounce)."""
    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job
    from zhibao.core.services.jobs import job_start

    if not Job.objects.filter(name=INDEX_JOB, status=JobStatus.QUEUED).exists():
        with translation.override(settings.LANGUAGE_CODE):
            job_start(name=INDEX_JOB, title=_("Rebuild the matching index of the convertible pool"))


def pool_index(*, allow_stale: bool = False) -> engine.PoolIndex | None:
    """The current pool index. A stale or missing one is rebuilt now for a small pool; for a
    large one the stale index answers (or None when there is none) and a rebuild is queued."""
    mark = pool_watermark()
    index = _load(pool_index_path())
    if index is not None and index.meta.get("watermark") == mark:
        return index
    if mark["count"] <= SYNC_BUILD_LIMIT and not allow_stale:
        return pool_index_build()
    transaction.on_commit(index_rebuild_queue)
    return index


def demand_index() -> engine.PoolIndex | None:
    """The current index of published demands (rebuilt when demands or the pool changed)."""
    pool = pool_index()
    index = _load(demand_index_path())
    mark = demand_watermark(pool.meta.get("watermark") if pool is not None else None)
    if index is not None and index.meta.get("watermark") == mark:
        return index
    if mark["count"] <= SYNC_BUILD_LIMIT or index is None:
        return demand_index_build(pool)
    transaction.on_commit(index_rebuild_queue)
    return index


def pool_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete of a pool patent: the index is stale by its watermark; queue one
    rebuild after the transaction commits (many changes in a row queue one job)."""
    transaction.on_commit(index_rebuild_queue)


# --- matching a demand ---------------------------------------------------------------------------

def _explanation(found: engine.Match, pool_patent: PoolPatent, demand: Demand) -> dict:
    holder = pool_patent.holder
    patent = pool_patent.patent
    region = holder.league.name if holder.league_id else (patent.city or patent.province or "")
    return {
        "parts": {k: round(v, 4) for k, v in found.parts.items()},
        "shared_terms": list(found.shared_terms),
        "ipc_overlap": list(found.ipc_overlap),
        "grade": pool_patent.grade,
        "grade_score": float(pool_patent.score) if pool_patent.score is not None else None,
        "holder": holder.name,
        "holder_id": holder.pk,
        "region": region,
        "same_league": bool(demand.league_id and (holder.league_id == demand.league_id
                                                  or patent.league_code == demand.league_id)),
    }


def match_store(demand: Demand, found: list[engine.Match]) -> list[Match]:
    """Store a demand's ranked suggestions: new ones added, old suggestions no longer ranked
    removed, those an operator pushed or dismissed kept as they are (their rank updated)."""
    by_key = {int(m.key): m for m in found}
    pool = {p.pk: p for p in PoolPatent.objects.filter(pk__in=by_key, status=PoolStatus.LISTED)
            .select_related("patent", "holder__league")}
    with transaction.atomic():
        existing = {m.pool_patent_id: m for m in Match.objects.select_for_update().filter(demand=demand)}
        Match.objects.filter(demand=demand, state=MatchState.SUGGESTED).exclude(pool_patent_id__in=pool).delete()
        kept = []
        rank = 0
        for key, m in by_key.items():
            if key not in pool:
                continue
            rank += 1
            row = existing.get(key)
            values = {"rank": rank, "score": round(float(m.score), 6),
                      "explanation": _explanation(m, pool[key], demand)}
            if row is None:
                row = Match.objects.create(demand=demand, pool_patent=pool[key], **values)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.save(update_fields=list(values))
            kept.append(row)
        Demand.objects.filter(pk=demand.pk).update(matched_at=timezone.now())
    return kept


def demand_match(demand: Demand, *, index: engine.PoolIndex | None = None) -> list[Match] | None:
    """Match one published demand with the pool and store its suggestions; None when no index
    is available yet (a large pool whose first build is queued: the job matches it then)."""
    if demand.state != DemandState.PUBLISHED:
        raise WorkflowError("not_published", _("Only a published demand is matched."))
    index = index if index is not None else pool_index()
    if index is None:
        return None
    return match_store(demand, index.match(demand_text(demand), limit=MATCH_LIMIT))


def demand_match_after_publish(pk: int) -> None:
    """After the publication committed: match it now; a failure is logged, never the user's."""
    try:
        demand = Demand.objects.get(pk=pk)
        if demand.state == DemandState.PUBLISHED:
            demand_match(demand)
    except Exception:  # the demand is published all the same; match_all will match it
        logger.exception("matching demand %s after publication failed", pk)


def match_all(*, progress=None, only_unmatched: bool = False) -> dict:
    """Match every published demand (or those never matched) in one batch, with progress."""
    index = pool_index()
    demands = Demand.objects.filter(state=DemandState.PUBLISHED).order_by("pk")
    if only_unmatched:
        demands = demands.filter(matched_at__isnull=True)
    demands = list(demands)
    if index is None or not demands:
        if progress:
            progress(len(demands), len(demands))
        return {"demands": len(demands), "matches": 0}
    results = index.match_many([engine.Query(demand_text(d)) for d in demands], limit=MATCH_LIMIT,
                               progress=progress)
    stored = sum(len(match_store(d, found)) for d, found in zip(demands, results, strict=True))
    return {"demands": len(demands), "matches": stored, "pool": len(index)}


# --- the inverse direction: a pool patent's demands and likely enterprises ---------------------------

def patent_text(pool_patent: PoolPatent) -> str:
    return f"{pool_patent.patent.title}\n{pool_patent.patent.abstract}"


def pool_patent_demands(pool_patent: PoolPatent, *, limit: int = 20) -> list[tuple[Demand, engine.Match]]:
    """The published demands best matching a pool patent (its text and its IPC codes)."""
    index = demand_index()
    if index is None or not len(index):
        return []
    found = index.match(patent_text(pool_patent), ipc_codes=pool_patent.patent.ipc_codes or None, limit=limit)
    demands = Demand.objects.filter(pk__in=[int(m.key) for m in found], state=DemandState.PUBLISHED) \
        .select_related("organization", "industry", "league", "key_industry", "case")
    by_pk = {d.pk: d for d in demands}
    return [(by_pk[int(m.key)], m) for m in found if int(m.key) in by_pk]


def likely_enterprises(pool_patent: PoolPatent, *, limit: int = 10,
                       demand_matches: list[tuple[Demand, engine.Match]] | None = None) -> list[dict]:
    """Enterprises likely to want a pool patent, with why: their published demands that match
    it, their own patents (corpus patents whose first applicant is the enterprise's name) in
    the patent's IPC subclasses, and their demands in one of the patent's key industries.

    Scores: the demands' group score (engine.rank_groups), plus 0.5 × min(1, own patents / 5),
    plus 0.25 for a demand in the patent's key industry. The holder is never listed."""
    from zhibao.accounts.choices import OrganizationKind, OrganizationStatus
    from zhibao.accounts.models import Organization
    from zhibao.patents.models import Patent

    if demand_matches is None:
        demand_matches = pool_patent_demands(pool_patent, limit=50)
    org_of = {str(d.pk): d.organization_id for d, _m in demand_matches}
    found: dict[int, dict] = {}

    def entry(org_id: int) -> dict:
        return found.setdefault(org_id, {"score": 0.0, "demands": [], "own_patents": 0, "industry": []})

    for org_id, score, keys in engine.rank_groups([m for _d, m in demand_matches],
                                                  lambda k: str(org_of.get(k, "")) or None, limit=50):
        e = entry(int(org_id))
        e["score"] += score
        e["demands"] = [int(k) for k in keys]
    enterprises = Organization.objects.filter(kind=OrganizationKind.ENTERPRISE, status=OrganizationStatus.VERIFIED)
    subclasses = engine.subclasses_of(pool_patent.patent.ipc_codes or [])
    if subclasses:
        by_name = dict(enterprises.values_list("name", "pk"))
        prefix = Q()
        for sub in subclasses:
            prefix |= Q(ipc_main__startswith=sub)
        own = (Patent.objects.filter(prefix, first_applicant__in=list(by_name)).exclude(pk=pool_patent.patent_id)
               .order_by().values("first_applicant").annotate(n=Count("id")))
        for row in own:
            e = entry(by_name[row["first_applicant"]])
            e["own_patents"] = row["n"]
            e["score"] += 0.5 * min(1.0, row["n"] / 5)
    industries = list(pool_patent.industries.all())
    if industries:
        rows = (Demand.objects.filter(state=DemandState.PUBLISHED, key_industry__in=industries,
                                      organization__in=enterprises)
                .values_list("organization_id", "key_industry__name").distinct())
        for org_id, name in rows:
            e = entry(org_id)
            if not e["industry"]:
                e["score"] += 0.25
            if name not in e["industry"]:
                e["industry"].append(name)
    found.pop(pool_patent.holder_id, None)
    orgs = Organization.objects.in_bulk(list(found))
    ranked = sorted(((orgs[k], v) for k, v in found.items() if k in orgs), key=lambda r: (-r[1]["score"], r[0].pk))
    return [{"organization": org, **v, "score": round(v["score"], 4)} for org, v in ranked[:limit]]


# --- pushing and answering -------------------------------------------------------------------------

def may_operate(user, match: Match) -> bool:
    """An operator of neither side (separation of duties)."""
    return (user is not None and bool(is_operator(user)) and not member_of(user, match.demand.organization_id)
            and not member_of(user, match.pool_patent.holder_id))


def side_of(user, match: Match) -> str:
    """"enterprise", "holder" or "" — which side of a match the user answers for."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if member_of(user, match.demand.organization_id):
        return "enterprise"
    if member_of(user, match.pool_patent.holder_id):
        return "holder"
    return ""


def _tell_both_sides(match: Match) -> None:
    demand, pool_patent = match.demand, match.pool_patent
    with translation.override(settings.LANGUAGE_CODE):
        title = _("A patent was recommended for your demand “%(title)s”") % {"title": demand.title[:60]}
        body = _("%(patent)s %(name)s (holder: %(holder)s). Tell us whether you are interested.") % {
            "patent": pool_patent.patent.publication_number, "name": pool_patent.patent.title[:80],
            "holder": pool_patent.holder.name}
        for user in organization_members(demand.organization_id):
            notification_send(recipient=user, title=title, body=body, case=demand.case,
                              url=reverse("revitalization:demand_detail", args=[demand.pk]))
        title = _("An enterprise's demand matches your patent %(patent)s") % {
            "patent": pool_patent.patent.publication_number}
        body = _("“%(title)s” (%(enterprise)s). Tell us whether you are interested.") % {
            "title": demand.title[:80], "enterprise": demand.organization.name}
        for user in organization_members(pool_patent.holder_id):
            notification_send(recipient=user, title=title, body=body,
                              url=reverse("revitalization:pool_patent_demands", args=[pool_patent.pk]))


def _locked(match: Match) -> Match:
    return Match.objects.select_for_update().select_related(
        "demand__organization", "demand__case", "pool_patent__holder", "pool_patent__patent").get(pk=match.pk)


@transaction.atomic
def match_push(*, match: Match, actor) -> Match:
    """Push a suggestion to both sides (an operator of neither side); both are told."""
    match = _locked(match)
    if not may_operate(actor, match):
        raise WorkflowError("forbidden", _("Only the center's operators push matches."), status=403)
    if match.demand.state != DemandState.PUBLISHED:
        raise WorkflowError("not_published", _("The demand is no longer published."))
    if match.state == MatchState.PUSHED:
        raise WorkflowError("already_pushed", _("This match was already pushed."))
    if match.pool_patent.status != PoolStatus.LISTED:
        raise WorkflowError("not_listed", _("The patent is no longer in the pool."))
    match.state, match.pushed_by, match.pushed_at = MatchState.PUSHED, actor, timezone.now()
    match.save(update_fields=["state", "pushed_by", "pushed_at"])
    _tell_both_sides(match)
    return match


@transaction.atomic
def match_dismiss(*, match: Match, actor) -> Match:
    """Set a suggestion aside (an operator of neither side); a pushed match stays pushed."""
    match = _locked(match)
    if not may_operate(actor, match):
        raise WorkflowError("forbidden", _("Only the center's operators dismiss matches."), status=403)
    if match.state == MatchState.PUSHED:
        raise WorkflowError("already_pushed", _("A pushed match cannot be dismissed: both sides were told."))
    match.state = MatchState.DISMISSED
    match.save(update_fields=["state"])
    return match


@transaction.atomic
def match_answer(*, match: Match, user, answer: str, feedback: str = "") -> Match:
    """One side's answer to a pushed match: interested or not, with feedback. The side is the
    user's (a member of the enterprise or of the holder); it may change its answer later.
    The feedback is kept as a log, one dated line per answer and side."""
    match = _locked(match)
    side = side_of(user, match)
    if not side:
        raise WorkflowError("forbidden", _("Only the enterprise's or the holder's members answer a match."),
                            status=403)
    if match.state != MatchState.PUSHED:
        raise WorkflowError("not_pushed", _("Only a match the center pushed can be answered."))
    if answer not in (Answer.INTERESTED, Answer.NOT_INTERESTED):
        raise WorkflowError("bad_answer", _("Answer “interested” or “not interested”."),
                            fields={"answer": [_("Choose interested or not interested.")]}, status=400)
    feedback = (feedback or "").strip()
    if len(feedback) > 2000:
        raise WorkflowError("too_long", _("The feedback is too long (2,000 characters at most)."),
                            fields={"feedback": [_("At most 2,000 characters.")]}, status=400)
    now = timezone.now()
    if side == "enterprise":
        match.demand_answer, match.demand_answered_at = answer, now
    else:
        match.holder_answer, match.holder_answered_at = answer, now
    with translation.override(settings.LANGUAGE_CODE):
        who = _("Enterprise") if side == "enterprise" else _("Holder")
        line = f"{timezone.localtime(now):%Y-%m-%d %H:%M} {who} · {Answer(answer).label}"
    if feedback:
        line = f"{line}: {feedback}"
    match.feedback = f"{match.feedback}\n{line}".strip()
    match.save(update_fields=["demand_answer", "demand_answered_at", "holder_answer", "holder_answered_at",
                              "feedback"])
    if answer == Answer.INTERESTED:  # a use of the marketplace the statistics count
        from .operations import operation_record

        operation_record(kind=OperationKind.INTEREST, user=user, pool_patent=match.pool_patent, demand=match.demand,
                         organization=match.demand.organization if side == "enterprise" else match.pool_patent.holder,
                         detail=f"match:{match.pk}:{side}")
    return match


# --- quality -------------------------------------------------------------------------------------

def _precision(pushed: int, answered: int, interested: int) -> dict:
    return {"pushed": pushed, "answered": answered, "interested": interested,
            "precision": round(interested / answered, 4) if answered else None}


def match_quality(matches=None) -> dict:
    """The precision of pushed matches — pushed matches the enterprise answered interested, of
    the pushed matches it answered — overall and per operator who pushed them."""
    qs = (matches if matches is not None else Match.objects.all()).filter(state=MatchState.PUSHED)
    agg = qs.aggregate(pushed=Count("id"), answered=Count("id", filter=~Q(demand_answer=Answer.PENDING)),
                       interested=Count("id", filter=Q(demand_answer=Answer.INTERESTED)),
                       both=Count("id", filter=Q(demand_answer=Answer.INTERESTED,
                                                 holder_answer=Answer.INTERESTED)))
    per = (qs.order_by().values("pushed_by", "pushed_by__username", "pushed_by__display_name")
           .annotate(pushed=Count("id"), answered=Count("id", filter=~Q(demand_answer=Answer.PENDING)),
                     interested=Count("id", filter=Q(demand_answer=Answer.INTERESTED))))
    operators = sorted(({"operator_id": r["pushed_by"],
                         "operator": r["pushed_by__display_name"] or r["pushed_by__username"] or "",
                         **_precision(r["pushed"], r["answered"], r["interested"])} for r in per),
                       key=lambda r: (-r["pushed"], r["operator"]))
    return {**_precision(agg["pushed"], agg["answered"], agg["interested"]), "both_interested": agg["both"],
            "operators": operators}


# --- jobs ------------------------------------------------------------------------------------------

def _job_functions():
    from zhibao.core.services.jobs import job_function, job_progress

    @job_function(INDEX_JOB)
    def match_index_job(job, **params) -> dict:
        """Rebuild the pool and demand indexes, then match the published demands never matched
        (published while a large pool's first index was being built)."""
        job_progress(job, 5, _("Indexing the convertible pool"))
        total = max(pool_watermark()["count"], 1)
        pool = pool_index_build(progress=lambda done: job_progress(
            job, 5 + int(done * 60 / total), _("Indexed %(done)d of %(total)d patents") % {"done": done, "total": total}))
        job_progress(job, 70, _("Indexing the published demands"))
        demands = demand_index_build(pool)
        job_progress(job, 85, _("Matching demands not matched yet"))
        done = match_all(only_unmatched=True)
        return {"pool": len(pool), "demands": len(demands), "matched": done["demands"]}

    @job_function(MATCH_ALL_JOB)
    def match_all_job(job, **params) -> dict:
        """Match every published demand with the pool (after an import), with progress."""
        job_progress(job, 2, _("Checking the matching index"))
        pool_index()

        def progress(done: int, total: int) -> None:
            job_progress(job, 10 + int(done * 89 / max(total, 1)),
                         _("Matched %(done)d of %(total)d demands") % {"done": done, "total": total})

        result = match_all(progress=progress)
        demand_index()
        return result

    return match_index_job, match_all_job


match_index_job, match_all_job = _job_functions()


def match_all_start(*, owner=None):
    """Queue the batch matching (an operator's button; after each corpus import)."""
    from zhibao.core.services.jobs import job_start

    with translation.override(settings.LANGUAGE_CODE):
        return job_start(name=MATCH_ALL_JOB, owner=owner, title=_("Match all published demands with the pool"))


def match_all_after_import(sender, report=None, **kwargs) -> None:
    """The corpus changed (titles, abstracts, IPC of pool patents): rebuild and match again,
    once (a second import while the batch waits adds nothing)."""
    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job

    if not Job.objects.filter(name=MATCH_ALL_JOB, status=JobStatus.QUEUED).exists():
        match_all_start()
