"""Navigation analytics (专利导航): the figures of one breakdown node and of a whole project.

Everything is computed from the patent search engine (zhibao.patents.search) — one tantivy
aggregation call with many aggregations per node, one search ordered by the key-patent score,
and the publication-number set read from the `pn` fast field — never by looping over hits in
Python. The output is the plain, JSON-serialisable dicts of docs/navigation-analytics.md, with
labels already in the platform language (Chinese, decisions §8), so a snapshot stores them as
they are and the report renders them later.

The rules behind the figures are module constants and pure functions (analytics/rules.py,
re-exported here), so each is unit-tested and a project may override a threshold:

* `effective_queries`: a node's patents are the union (OR) of its own query and its
  descendants'; the engine counts a patent matched twice once.
* `concentration`: CR4, CR8 and HHI of applicant counts.
* `lifecycle_phase`: the technology life-cycle read from applications vs applicants per year.
* `location_quotient` and `node_verdict`: the region's gap (短板) and strength nodes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

from django.utils.translation import gettext as _

from zhibao.patents.choices import ApplicantType, LegalStatus, PatentType
from zhibao.patents.normalize import normalize_applicant_type
from zhibao.patents.search import get_engine
from zhibao.patents.search import query as q
from zhibao.patents.search.query import normalize_province, parse_query

from .rules import (  # noqa: F401 (the rules are part of this module's interface)
    APPLICANT_LIMIT,
    DECLINE_RATE,
    DESIGN_15_YEARS_FROM,
    EMERGING_APPLICANTS,
    EMERGING_APPLICATIONS,
    GAP_LQ,
    GROWTH_RATE,
    INCOMPLETE_YEARS,
    LAPSE_RISK_YEARS,
    LIFECYCLE_WINDOW,
    MIN_NODE_PATENTS,
    NETWORK_SIZE,
    PHASE_LABELS,
    REFUSED,
    STRENGTH_LQ,
    TERM_YEARS,
    _in_platform_language,
    concentration,
    effective_queries,
    lifecycle_phase,
    location_quotient,
    node_verdict,
)

# --- Regions and labels ------------------------------------------------------------------------


def _regions() -> tuple[dict[str, dict], set[str]]:
    """{code: {"name", "short", "level"}} of core.Region, and the map names of the provinces."""
    from zhibao.core.models import Region

    rows = {code: {"name": name, "short": short or name, "level": level}
            for code, name, short, level in Region.objects.values_list("code", "name", "short_name", "level")}
    provinces = {normalize_province(r["short"]) for r in rows.values() if r["level"] == "province"}
    return rows, provinces


def _region(code: str, regions: dict[str, dict]) -> tuple[str, str, str]:
    """(code as given, full name, the province term of the index) of a province code: "15" or
    "150000" → ("15", "内蒙古自治区", "内蒙古")."""
    code = (code or "15").strip()
    row = regions.get(code.ljust(6, "0")[:2] + "0000") or {}
    return code, row.get("name", code), normalize_province(row.get("short") or row.get("name") or "")


def _label(choices, key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return str(key)


def _ipc_titles(codes: list[str]) -> dict[str, str]:
    from zhibao.patents.ipc import ipc_titles

    return ipc_titles(codes) if codes else {}


def _ymd_years_before(today: dt.date, years: int) -> int:
    """today − years as yyyymmdd (29 February → 28)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day.year * 10000 + day.month * 100 + day.day


# --- One node ----------------------------------------------------------------------------------


def _terms(field: str, size: int, **aggs) -> dict:
    agg = {"terms": {"field": field, "size": size, "segment_size": max(size * 10, 200)}}
    if aggs:
        agg["aggs"] = aggs
    return agg


def _node_aggs(size: int, today: dt.date, region_term: str) -> dict:
    """Every aggregation of a node but the co-applicant network, run in one engine call.

    Sub-aggregations cost per bucket and per index segment, so they sit under small or
    `include`-restricted buckets only (measured on 200,000 records: the local applicants as a
    sub-aggregation of every province took 34 ms, under the region's bucket alone 3 ms)."""
    risk = LAPSE_RISK_YEARS
    invention_cut = _ymd_years_before(today, TERM_YEARS["invention"] - risk)
    short_cut = _ymd_years_before(today, TERM_YEARS["utility_model"] - risk)
    design_new_cut = _ymd_years_before(today, 15 - risk)
    leaders = max(size, NETWORK_SIZE)
    return {
        # Per application year: applications, distinct applicants, and those granted since.
        "years": _terms("year", 500, applicants={"cardinality": {"field": "applicant"}},
                        grants={"value_count": {"field": "gd"}}),
        # Per type and status: the grant rate of inventions needs granted / refused ones.
        "types": _terms("type", 10, status=_terms("status", 20, granted={"value_count": {"field": "gd"}})),
        "status": _terms("status", 20, type=_terms(
            "type", 10,
            # (tantivy adds buckets for the ranges left out: the one keyed "risk" is counted)
            invention_risk={"range": {"field": "ad", "ranges": [{"key": "risk", "to": invention_cut}]}},
            utility_risk={"range": {"field": "ad", "ranges": [{"key": "risk", "to": short_cut}]}},
            design_old_risk={"range": {"field": "ad", "ranges": [
                {"key": "risk", "to": min(short_cut, DESIGN_15_YEARS_FROM)}]}},
            design_new_risk={"range": {"field": "ad", "ranges": [
                {"key": "risk", "from": DESIGN_15_YEARS_FROM, "to": max(design_new_cut, DESIGN_15_YEARS_FROM)}]}},
        )),
        # Every applicant (up to APPLICANT_LIMIT) with the year of their first application.
        "applicants": {"terms": {"field": "applicant", "size": APPLICANT_LIMIT, "segment_size": APPLICANT_LIMIT},
                       "aggs": {"first": {"min": {"field": "year"}}}},
        # The leading applicants' type (of the first applicant on most of their patents).
        "top": {"terms": {"field": "applicant", "size": leaders, "segment_size": 2 * leaders},
                "aggs": {"type": {"terms": {"field": "applicant_type", "size": 1, "segment_size": 10}}}},
        "applicant_types": _terms("applicant_type", 10),
        "subclasses": _terms("ipc_subclass", size),
        "groups": _terms("ipc_group", size),
        "provinces": _terms("province", 100),
        "local": {"terms": {"field": "province", "size": 1, "include": [region_term or "-"]},
                  "aggs": {"applicants": {"terms": {"field": "applicant", "size": size, "segment_size": 2 * size}}}},
        "leagues": _terms("league", 50),
        "banners": _terms("banner", 200),
        "transfers": {"sum": {"field": "transfers"}},
        "licences": {"sum": {"field": "licences"}},
        "pledges": {"sum": {"field": "pledges"}},
    }


def _buckets(raw: dict, name: str) -> list[dict]:
    """The buckets of a terms aggregation, largest first, ties by key (the engine leaves their
    order open, and a snapshot must not change between two runs on the same data)."""
    buckets = (raw.get(name) or {}).get("buckets") or []
    return sorted(buckets, key=lambda b: (-_int(b["doc_count"]), str(b["key"])))


def _int(value) -> int:
    return int(value or 0)


def _empty(region: tuple[str, str, str]) -> dict:
    code, name, _term = region
    lifecycle = lifecycle_phase([])
    return {
        "total": 0, "years": [], "trend": [], "lifecycle": lifecycle, "types": [], "grant_rate": None,
        "applicants": {"top": [], "total": 0, "cr4": 0.0, "cr8": 0.0, "hhi": 0.0, "types": [], "new_entrants": [],
                       "network": {"nodes": [], "links": []}},
        "ipc": {"subclasses": [], "groups": []},
        "geography": {"provinces": [], "leagues": [], "banners": [],
                      "region": {"code": code, "name": name, "count": 0, "share": 0.0}, "local_applicants": []},
        "legal": {"status": [], "lapse_risk": {"count": 0, "rule": _lapse_rule()}, "transfers": 0, "licences": 0,
                  "pledges": 0},
        "key_patents": [],
    }


def _lapse_rule() -> str:
    return _("Granted patents in force with less than %(years)d years of their term left") % {
        "years": LAPSE_RISK_YEARS}


def _grant_rate(type_buckets: list[dict]) -> float | None:
    """Granted inventions / inventions with a decision: an invention is granted when it has a
    grant date (whatever became of it later: lapsed, expired, invalidated), refused when it was
    rejected or withdrawn without one; pending ones have no decision yet. None without any
    decided invention. Utility models and designs are granted without substantive examination
    (专利法 第四十条), so they would only inflate the rate."""
    granted = refused = 0
    for bucket in type_buckets:
        if bucket["key"] != PatentType.INVENTION:
            continue
        for status in _buckets(bucket, "status"):
            with_date = _int(status["granted"]["value"])
            granted += with_date
            if status["key"] in REFUSED:
                refused += _int(status["doc_count"]) - with_date
    decided = granted + refused
    return round(granted / decided, 4) if decided else None


def _lapse_risk(status_buckets: list[dict]) -> int:
    """Patents in force (granted) whose term ends within LAPSE_RISK_YEARS of today: filed more
    than TERM − LAPSE_RISK_YEARS years ago (terms in TERM_YEARS; designs filed from 2021-06-01
    have 15 years)."""
    count = 0
    for status in status_buckets:
        if status["key"] != LegalStatus.GRANTED:
            continue
        for kind in _buckets(status, "type"):
            ranges = {PatentType.INVENTION: ("invention_risk",), PatentType.UTILITY_MODEL: ("utility_risk",),
                      PatentType.DESIGN: ("design_old_risk", "design_new_risk")}.get(kind["key"], ())
            count += sum(_int(b["doc_count"]) for name in ranges for b in (kind.get(name) or {}).get("buckets", [])
                         if b.get("key") == "risk")
    return count


def _applicant_type(name: str, buckets: list[dict]) -> str:
    """From the name when it says (…大学, …公司, …研究院, a person's name), else the type of
    the first applicant on most of the applicant's patents."""
    guessed = normalize_applicant_type("", name=name)
    if guessed != ApplicantType.OTHER:
        return guessed
    return str(buckets[0]["key"]) if buckets else ApplicantType.OTHER


def _network(leaders: list[tuple[str, int]], pairs: dict[tuple[str, str], int]) -> dict:
    """The co-applicant graph of the leading applicants: nodes with their patent counts, a link
    for each pair that applied together, weighted by their joint patents."""
    nodes = leaders[:NETWORK_SIZE]
    rank = {name: i for i, (name, _count) in enumerate(nodes)}
    ordered = sorted(((pair, count) for pair, count in pairs.items() if pair[0] in rank and pair[1] in rank),
                     key=lambda item: (-item[1], rank[item[0][0]], rank[item[0][1]]))
    return {"nodes": [{"name": name, "count": count} for name, count in nodes],
            "links": [{"source": s, "target": t, "count": c} for (s, t), c in ordered]}


def _ranked(buckets: list[dict]) -> list[tuple[str, int]]:
    """(key, count) of (ordered) terms buckets."""
    return [(str(b["key"]), _int(b["doc_count"])) for b in buckets]


def _analyse(query, *, region: tuple[str, str, str], regions: dict, provinces: set[str], size: int,
             today: dt.date) -> tuple[dict, dict]:
    """(the node's contract dict, extras the project reads: every applicant's count and the
    node's Chinese patent count)."""
    engine = get_engine()
    code, region_name, region_term = region
    total, raw = engine.aggregate_raw(query, _node_aggs(size, today, region_term))
    if not total:
        return _empty(region), {"applicants": {}, "chinese": 0, "region": 0}

    # Trend and life-cycle.
    by_year = {int(b["key"]): b for b in _buckets(raw, "years")}
    years = list(range(min(by_year), max(by_year) + 1)) if by_year else []
    trend = []
    for year in years:
        bucket = by_year.get(year)
        trend.append({"year": year, "applications": _int(bucket["doc_count"]) if bucket else 0,
                      "applicants": round(bucket["applicants"]["value"]) if bucket else 0,
                      "grants": _int(bucket["grants"]["value"]) if bucket else 0})
    complete = [{"year": t["year"], "applications": t["applications"], "applicants": t["applicants"]}
                for t in trend if t["year"] <= today.year - INCOMPLETE_YEARS]
    lifecycle = lifecycle_phase(complete)

    # Types, grant rate, legal status.
    type_buckets = _buckets(raw, "types")
    types = [{"key": str(b["key"]), "label": _label(PatentType, b["key"]), "count": _int(b["doc_count"])}
             for b in type_buckets]
    status_buckets = _buckets(raw, "status")
    status = [{"key": str(b["key"]), "label": _label(LegalStatus, b["key"]), "count": _int(b["doc_count"])}
              for b in status_buckets]

    # Applicants.
    everyone = _buckets(raw, "applicants")
    leaders = _ranked(everyone)
    counts = dict(leaders)
    truncated = _int((raw.get("applicants") or {}).get("sum_other_doc_count")) > 0
    if truncated:  # more than APPLICANT_LIMIT applicants: the engine's estimate of how many
        distinct = round(engine.aggregate_raw(query, {"n": {"cardinality": {"field": "applicant"}}})[1]["n"]["value"])
    else:
        distinct = len(counts)
    cr4, cr8, hhi = concentration(counts.values())
    first_years = Counter(int(b["first"]["value"]) for b in everyone if b["first"].get("value") is not None)
    top = {str(b["key"]): b for b in _buckets(raw, "top")}
    top_rows = []
    for name, count in leaders[:size]:
        kind = _applicant_type(name, _buckets(top.get(name) or {}, "type"))
        top_rows.append({"name": name, "type": kind, "type_label": _label(ApplicantType, kind), "count": count})

    # IPC.
    subclasses = [(str(b["key"]), _int(b["doc_count"])) for b in _buckets(raw, "subclasses")]
    groups = [(str(b["key"]), _int(b["doc_count"])) for b in _buckets(raw, "groups")]
    titles = _ipc_titles([c for c, _n in subclasses + groups])

    # Geography.
    province_buckets = _buckets(raw, "provinces")
    chinese = sum(_int(b["doc_count"]) for b in province_buckets if str(b["key"]) in provinces)
    region_bucket = next(iter(_buckets(raw, "local")), None)
    region_count = _int(region_bucket["doc_count"]) if region_bucket else 0

    def named(buckets: list[dict]) -> list[dict]:
        return [{"code": str(b["key"]), "name": regions.get(str(b["key"]), {}).get("name", str(b["key"])),
                 "count": _int(b["doc_count"])} for b in buckets]

    result = {
        "total": total,
        "years": years,
        "trend": trend,
        "lifecycle": lifecycle,
        "types": types,
        "grant_rate": _grant_rate(type_buckets),
        "applicants": {
            "top": top_rows,
            "total": distinct,
            "cr4": cr4, "cr8": cr8, "hhi": hhi,
            "types": [{"key": str(b["key"]), "label": _label(ApplicantType, b["key"]), "count": _int(b["doc_count"])}
                      for b in _buckets(raw, "applicant_types")],
            "new_entrants": [{"year": year, "count": first_years.get(year, 0)} for year in years],
            "network": _network(leaders, engine.co_applicants(query, [n for n, _c in leaders[:NETWORK_SIZE]])),
        },
        "ipc": {
            "subclasses": [{"code": c, "title": titles.get(c, ""), "count": n} for c, n in subclasses],
            "groups": [{"code": c, "title": titles.get(c, ""), "count": n} for c, n in groups],
        },
        "geography": {
            "provinces": [{"name": str(b["key"]), "count": _int(b["doc_count"])} for b in province_buckets],
            "leagues": named(_buckets(raw, "leagues")),
            "banners": named(_buckets(raw, "banners")),
            "region": {"code": code, "name": region_name, "count": region_count,
                       "share": round(region_count / chinese, 4) if chinese else 0.0},
            "local_applicants": [{"name": str(b["key"]), "count": _int(b["doc_count"])}
                                 for b in _buckets(region_bucket or {}, "applicants")],
        },
        "legal": {
            "status": status,
            "lapse_risk": {"count": _lapse_risk(status_buckets), "rule": _lapse_rule()},
            "transfers": _int(raw["transfers"]["value"]),
            "licences": _int(raw["licences"]["value"]),
            "pledges": _int(raw["pledges"]["value"]),
        },
        "key_patents": [_key_patent(row) for row in engine.key_patents(query, size)],
    }
    return result, {"applicants": counts, "chinese": chinese, "region": region_count}


def _key_patent(row: dict) -> dict:
    return {
        "publication_number": row["publication_number"], "title": row["title"],
        "first_applicant": row["first_applicant"], "application_date": row["application_date"],
        "patent_type": row["patent_type"], "legal_status": row["legal_status"],
        "citations": row["citations"], "family_size": row["family"], "transfers": row["transfers"],
        "licences": row["licences"], "pledges": row["pledges"], "claims": row["claims"], "score": row["score"],
    }


def _tree(text: str):
    """The parsed query tree of a query string ("" → None: no patents, not every patent)."""
    text = (text or "").strip()
    return parse_query(text) if text else None


def _and_scope(tree, scope_tree):
    if tree is None:
        return None
    return tree if scope_tree is None else q.And(children=(tree, scope_tree))


@_in_platform_language
def node_analytics(query: str, *, region_code: str = "15", size: int = 20, today: dt.date | None = None) -> dict:
    """Every figure of one node's patents (the hits of `query`, a query string of the corpus
    query language; "" means no patents), as the dict of docs/navigation-analytics.md, labels in
    the platform language. `today` (default: today) dates the lapse risk and the life-cycle's
    incomplete years. Raises search.QuerySyntaxError for a query the parser cannot read.

    What the figures mean, where the contract leaves it open:

    * years are application years; `trend[].applicants` is the number of distinct applicants
      of the year's applications (tantivy's cardinality estimate: exact for small sets, within
      ~1 % beyond), `grants` how many of the year's applications have been granted since;
    * lists are ordered by count, ties by key; `top` holds `size` applicants, `network` links
      the NETWORK_SIZE leading ones; an applicant's type is read from the name when it says
      (…大学, …公司, …研究院), else it is the type of the first applicant on most of their patents;
    * `applicants.types` counts patents by their first applicant's type; `new_entrants` counts
      applicants by the year of their first application within the node;
    * provinces are named as the index and the China map name them (内蒙古, 北京, 广西 …);
      the region's `share` is of the node's patents with a Chinese applicant (a province);
    * `grant_rate`: see _grant_rate; `lapse_risk`: see _lapse_risk; transfers, licences and
      pledges are sums of the patents' counts;
    * `key_patents`: the `size` best by the key score (tantivy_backend.key_score).
    """
    today = today or dt.date.today()
    regions, provinces = _regions()
    region = _region(region_code, regions)
    tree = _tree(query)
    if tree is None:
        return _empty(region)
    return _analyse(tree, region=region, regions=regions, provinces=provinces, size=size, today=today)[0]


# --- A project ---------------------------------------------------------------------------------


@_in_platform_language
def project_analytics(nodes: list[dict], *, project_scope: str = "", region_code: str = "15", size: int = 20,
                      today: dt.date | None = None, min_patents: int | None = None, gap_lq: float | None = None,
                      strength_lq: float | None = None, progress=None) -> dict:
    """The figures of a whole breakdown tree (docs/navigation-analytics.md): the overall
    analytics of the union of the root nodes, each node's analytics and patent set, the node ×
    year and node × applicant matrices, and the gap and strength nodes (see node_verdict; the
    thresholds default to the module constants).

    Each node's patents are its effective query's hits (effective_queries), ANDed with
    `project_scope` when given. Node queries are parsed one by one (and combined as trees, so a
    large tree is not limited by the length of one query string); a query that cannot be read
    raises search.QuerySyntaxError naming the node. `progress(done, total)`, when given, is
    called after each branch (the run job's progress bar)."""
    started = time.perf_counter()
    today = today or dt.date.today()
    thresholds = {"gap_lq": GAP_LQ if gap_lq is None else gap_lq,
                  "strength_lq": STRENGTH_LQ if strength_lq is None else strength_lq,
                  "min_node_patents": MIN_NODE_PATENTS if min_patents is None else min_patents}
    nodes = list(nodes)
    regions, provinces = _regions()
    region = _region(region_code, regions)
    scope = _tree(project_scope)
    own = {}
    for node in nodes:
        try:
            own[node["key"]] = _tree(node.get("query") or "")
        except q.QuerySyntaxError as exc:
            raise q.QuerySyntaxError(
                _("Node %(key)s %(name)s: %(error)s") % {"key": node["key"], "name": node.get("name", ""),
                                                        "error": exc.message},
                exc.position, exc.expected) from exc
    texts = effective_queries(nodes)
    trees = _effective_trees(nodes, own)
    roots = [n for n in nodes if not n.get("parent_key")]
    root_trees = [trees[n["key"]] for n in roots if trees[n["key"]] is not None]
    overall_tree = _and_scope(_union(root_trees), scope)

    analyse = {"region": region, "regions": regions, "provinces": provinces, "size": size, "today": today}
    if overall_tree is None:
        overall, overall_extra = _empty(region), {"applicants": {}, "chinese": 0, "region": 0}
    else:
        overall, overall_extra = _analyse(overall_tree, **analyse)
    engine = get_engine()
    node_results, extras, numbers = {}, {}, {}
    for done, node in enumerate(nodes, start=1):
        tree = _and_scope(trees[node["key"]], scope)
        if tree is None:
            node_results[node["key"]] = _empty(region)
            extras[node["key"]] = {"applicants": {}, "chinese": 0, "region": 0}
            numbers[node["key"]] = []
        else:
            node_results[node["key"]], extras[node["key"]] = _analyse(tree, **analyse)
            numbers[node["key"]] = engine.publication_number_set(tree) if node_results[node["key"]]["total"] else []
        if progress is not None:
            progress(done, len(nodes))

    region_total, national_total = overall_extra["region"], overall_extra["chinese"]
    entries = []
    for node in nodes:
        key, extra = node["key"], extras[node["key"]]
        lq = location_quotient(extra["region"], region_total, extra["chinese"], national_total)
        region_share = extra["region"] / region_total if region_total else 0.0
        national_share = extra["chinese"] / national_total if national_total else 0.0
        # judged on the Chinese patents the quotient is built from, not on foreign ones
        verdict, reason = node_verdict(extra["chinese"], lq, region_share=region_share,
                                       national_share=national_share, min_patents=min_patents, gap_lq=gap_lq,
                                       strength_lq=strength_lq)
        entries.append({
            "key": key, "name": node.get("name", ""), "depth": node.get("depth", 1),
            "parent_key": node.get("parent_key"), "query": node.get("query") or "",
            "effective_query": texts[key], "total": node_results[key]["total"],
            "region_count": extra["region"], "region_share": round(region_share, 4),
            "national_share": round(national_share, 4),
            "location_quotient": round(lq, 4) if lq is not None else None,
            "verdict": verdict, "reason": reason,
        })

    years = overall["years"]
    node_year = {"years": years, "rows": []}
    for node in nodes:
        per_year = {t["year"]: t["applications"] for t in node_results[node["key"]]["trend"]}
        node_year["rows"].append({"key": node["key"], "name": node.get("name", ""),
                                  "counts": [per_year.get(year, 0) for year in years]})
    top_names = [a["name"] for a in overall["applicants"]["top"]]
    node_applicant = {"applicants": top_names, "rows": [
        {"key": node["key"], "name": node.get("name", ""),
         "counts": [extras[node["key"]]["applicants"].get(name, 0) for name in top_names]} for node in nodes]}

    gaps = sorted((e for e in entries if e["verdict"] == "gap"), key=lambda e: (e["location_quotient"], e["key"]))
    strengths = sorted((e for e in entries if e["verdict"] == "strength"),
                       key=lambda e: (-e["location_quotient"], e["key"]))
    return {
        "overall": overall,
        "nodes": entries,
        "node_year": node_year,
        "node_applicant": node_applicant,
        "gaps": gaps,
        "strengths": strengths,
        "node_results": node_results,
        "publication_numbers": numbers,
        "thresholds": thresholds,  # the verdict rule's thresholds, for the report to state
        "took_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def _union(trees: list):
    """The OR of query trees (None when there are none)."""
    unique = list(dict.fromkeys(trees))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else q.Or(children=tuple(unique))


def _effective_trees(nodes: list[dict], own: dict) -> dict:
    """{key: the OR of the node's own tree and its descendants' trees, or None}, as
    effective_queries does with the strings."""
    children: dict = {}
    for node in nodes:
        children.setdefault(node.get("parent_key"), []).append(node["key"])

    def parts(key) -> list:
        found = [own[key]] if own[key] is not None else []
        for child in children.get(key, []):
            found.extend(parts(child))
        return found

    return {node["key"]: _union(parts(node["key"])) for node in nodes}
