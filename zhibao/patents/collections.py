"""Industry collections (产业专利数据库): services and selectors.

A collection is a saved query plus hand-picked includes and excludes. Its members are whatever
the search engine answers for `collection_query(collection)` —
`(query OR PN=included …) AND NOT (PN=excluded …)` — so a collection follows the corpus as
imports add patents; `patent_count` and `refreshed_at` are recomputed by `collections_refresh`,
which the import job calls after every import (and which runs as the job
"patents.collections_refresh").
"""

import io
import itertools
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress

from .models import Collection
from .normalize import NormalizeError, normalize_publication_number

EDITABLE_FIELDS = ("slug", "name", "description", "query", "includes", "excludes", "is_public")


# --- The query ----------------------------------------------------------------------------------


def _pn_terms(numbers: Iterable[str]) -> str:
    return " OR ".join(f"PN={number}" for number in numbers)


def collection_query(collection: Collection) -> str:
    """The search-engine query whose matches are the collection's members; "" when it has none.

    (query OR PN=included …) AND NOT (PN=excluded …): a hand-picked patent is a member whatever
    the query says, an excluded one never is.
    """
    base = [f"({collection.query.strip()})"] if (collection.query or "").strip() else []
    if collection.includes:
        base.append(_pn_terms(collection.includes))
    if not base:
        return ""
    query = " OR ".join(base)
    if collection.excludes:
        query = f"({query}) AND NOT ({_pn_terms(collection.excludes)})"
    return query


def within_collection_query(collection: Collection, q: str = "") -> str:
    """The collection's query narrowed by the words a user searches within it."""
    base = collection_query(collection)
    if not base or not (q or "").strip():
        return base
    # The user's words must parse on their own first: an unbalanced ")" in them would otherwise
    # close the collection's parenthesis and search outside it (or bring back an excluded patent).
    from .search import parse_query

    parse_query(q.strip())
    return f"({base}) AND ({q.strip()})"


def _engine():
    from .search import get_engine

    return get_engine()


def query_validate(query: str, *, field: str = "query") -> str:
    """Parse the query in the search language; a syntax error is a form error saying where
    (the parser's message names the character, counted from 1)."""
    from .search.query import QuerySyntaxError, parse_query

    query = (query or "").strip()
    if not query:
        return query
    try:
        parse_query(query)
    except QuerySyntaxError as exc:
        raise ValidationError({field: _("The search query is not valid. %(message)s") % {"message": exc.message}}) from exc
    return query


def publication_numbers_normalize(values, *, field: str) -> list[str]:
    """Canonical publication numbers, de-duplicated in order; a bad one is a form error."""
    if isinstance(values, str):
        values = values.replace("，", ",").replace("；", ";").replace(";", ",").replace("\n", ",").split(",")
    numbers: dict[str, None] = {}
    errors = []
    for value in values or []:
        if not str(value).strip():
            continue
        try:
            numbers.setdefault(normalize_publication_number(value), None)
        except NormalizeError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError({field: errors})
    return list(numbers)


# --- Services -----------------------------------------------------------------------------------


def _require_manager(user) -> None:
    if not user.has_perm("patents.change_collection"):
        raise PermissionDenied(_("Only the center's operators may curate industry collections."))


def _clean_values(values: dict) -> dict:
    values = dict(values)
    if "query" in values:
        values["query"] = query_validate(values["query"])
    for name in ("includes", "excludes"):
        if name in values:
            values[name] = publication_numbers_normalize(values[name], field=name)
    if "includes" in values and "excludes" in values:
        both = set(values["includes"]) & set(values["excludes"])
        if both:
            raise ValidationError({"excludes": _("Included and excluded at once: %(numbers)s")
                                   % {"numbers": ", ".join(sorted(both))}})
    return values


def _refresh_count(collection: Collection) -> None:
    query = collection_query(collection)
    collection.patent_count = _engine().count(query) if query else 0
    collection.refreshed_at = timezone.now()


@transaction.atomic
def collection_create(*, user, slug: str, name: str, description: str = "", query: str = "",
                      includes: Iterable[str] = (), excludes: Iterable[str] = (), is_public: bool = True) -> Collection:
    """A new collection owned by `user` (an operator), its count computed at once."""
    _require_manager(user)
    values = _clean_values({"query": query, "includes": list(includes), "excludes": list(excludes)})
    collection = Collection(slug=slug, name=name, description=description, is_public=is_public, owner=user, **values)
    collection.full_clean()
    _refresh_count(collection)
    collection.save()
    return collection


@transaction.atomic
def collection_update(*, user, collection: Collection, **changes) -> Collection:
    """Change any of slug, name, description, query, includes, excludes, is_public."""
    _require_manager(user)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    values = _clean_values(changes)
    if "includes" in values or "excludes" in values:
        both = set(values.get("includes", collection.includes)) & set(values.get("excludes", collection.excludes))
        if both:
            raise ValidationError({"excludes": _("Included and excluded at once: %(numbers)s")
                                   % {"numbers": ", ".join(sorted(both))}})
    for key, value in values.items():
        setattr(collection, key, value)
    collection.full_clean()
    _refresh_count(collection)
    collection.save()
    return collection


@transaction.atomic
def collection_delete(*, user, collection: Collection) -> None:
    _require_manager(user)
    collection.delete()


def _curate(*, user, collection: Collection, publication_numbers: Iterable[str], into: str) -> Collection:
    """Put patents on the `into` list ("includes" or "excludes") and off the other one."""
    _require_manager(user)
    numbers = publication_numbers_normalize(list(publication_numbers), field="publication_numbers")
    other = "excludes" if into == "includes" else "includes"
    setattr(collection, into, list(dict.fromkeys([*getattr(collection, into), *numbers])))
    setattr(collection, other, [n for n in getattr(collection, other) if n not in numbers])
    _refresh_count(collection)
    collection.save()
    return collection


@transaction.atomic
def collection_include(*, user, collection: Collection, publication_numbers: Iterable[str]) -> Collection:
    """Add patents by hand (and take them off the excluded list)."""
    return _curate(user=user, collection=collection, publication_numbers=publication_numbers, into="includes")


@transaction.atomic
def collection_exclude(*, user, collection: Collection, publication_numbers: Iterable[str]) -> Collection:
    """Keep patents out whatever the query matches (and take them off the included list)."""
    return _curate(user=user, collection=collection, publication_numbers=publication_numbers, into="excludes")


@job_function("patents.collections_refresh")
def collections_refresh(job=None) -> dict:
    """Recompute every collection's patent count (after an import, or as a job)."""
    from .search.query import QuerySyntaxError

    collections = list(Collection.objects.all())
    failed = []
    for i, collection in enumerate(collections, start=1):
        try:
            _refresh_count(collection)
        except QuerySyntaxError:
            # A query the engine no longer accepts (the language changed): counted as empty,
            # named in the job result so an operator fixes it.
            collection.patent_count, collection.refreshed_at = 0, timezone.now()
            failed.append(collection.slug)
        Collection.objects.filter(pk=collection.pk).update(patent_count=collection.patent_count,
                                                           refreshed_at=collection.refreshed_at)
        if job is not None:
            job_progress(job, int(i * 100 / len(collections)), collection.name)
    return {"collections": len(collections), "failed": failed}


# --- Selectors ----------------------------------------------------------------------------------


def collections_visible_to(user) -> QuerySet:
    """Public collections and the user's own; managers see all (rules: patents.view_collection)."""
    queryset = Collection.objects.select_related("owner")
    if not user.is_authenticated:
        return queryset.none()
    if user.has_perm("patents.manage_collections"):
        return queryset
    return queryset.filter(Q(is_public=True) | Q(owner_id=user.pk))


def collection_search(*, collection: Collection, q: str = "", filters: dict | None = None, sort: str = "relevance",
                      page: int = 1, page_size: int = 20, facets=None):
    """The collection's members (narrowed by `q` and the facet `filters`) as the engine's
    SearchResult, or None when the collection has neither a query nor includes."""
    query = within_collection_query(collection, q)
    if not query:
        return None
    options = {"filters": filters or None, "sort": sort, "page": page, "page_size": page_size}
    if facets is not None:
        options["facets"] = facets
    return _engine().search(query, **options)


def collection_publication_numbers(*, collection: Collection, q: str = "", filters: dict | None = None,
                                   limit: int | None = None) -> list[str]:
    query = within_collection_query(collection, q)
    if not query:
        return []
    return list(_engine().publication_numbers(query, filters=filters or None, limit=limit))


# --- Excel export -------------------------------------------------------------------------------


def collection_export_xlsx(*, collection: Collection, q: str = "", filters: dict | None = None,
                           limit: int | None = None) -> tuple[bytes, int, bool]:
    """The members as an .xlsx workbook, with the columns of every patent export: (content,
    rows written, capped). At most `limit` rows (default settings.PATENT_EXPORT_SYNC_MAX);
    `capped` says the collection has more, and the sheet's last row says so too."""
    from zhibao.core import spreadsheets

    from .exports import export_header, patent_rows

    limit = limit or settings.PATENT_EXPORT_SYNC_MAX
    numbers = collection_publication_numbers(collection=collection, q=q, filters=filters, limit=limit + 1)
    capped = len(numbers) > limit
    numbers = numbers[:limit]
    rows = patent_rows(numbers)
    if capped:
        note = [_("Only the first %(limit)d patents are exported; narrow the search for the rest.") % {"limit": limit}]
        rows = itertools.chain(rows, [note])
    buffer = io.BytesIO()
    count = spreadsheets.write_xlsx(rows, buffer, header=export_header(), title=collection.name or _("Patents"),
                                    widths=(18, 20, 10, 50, 40, 12, 12, 14, 30, 10, 10))
    return buffer.getvalue(), count - (1 if capped else 0), capped


# --- Demo ---------------------------------------------------------------------------------------

# The industries the center curates for the region (内蒙古), with the queries its analysts use:
# IPC subclasses/groups of the industry's technology plus title/abstract keywords.
DEMO_COLLECTIONS = [
    ("dairy", "乳业", "乳制品加工、奶牛养殖与挤奶设备。",
     "IPC=A23C OR IPC=A01J OR TIAB=乳制品 OR TIAB=牛奶 OR TIAB=酸奶 OR TIAB=奶粉 OR TIAB=乳酸菌"),
    ("forage-grass", "牧草", "牧草与饲草的育种、种植、收获、青贮与加工。",
     "TIAB=牧草 OR TIAB=苜蓿 OR TIAB=饲草 OR TIAB=青贮 OR TIAB=燕麦草 OR (IPC=A23K AND TIAB=草)"),
    ("rare-earth", "稀土", "稀土冶炼分离、稀土永磁、稀土功能材料。",
     "IPC=C22B59/00 OR IPC=H01F1/057 OR IPC=C01F17/00 OR TIAB=稀土"),
    ("sea-buckthorn", "沙棘", "沙棘种植、沙棘果汁与沙棘油加工、沙棘保健品。",
     "TIAB=沙棘 OR (IPC=A61K36/00 AND TIAB=醋柳)"),
    ("cashmere", "羊绒", "山羊绒分梳、纺纱、织造与羊绒制品。",
     "TIAB=羊绒 OR TIAB=山羊绒 OR (IPC=D01G AND TIAB=绒) OR (IPC=D04B AND TIAB=羊毛)"),
    ("new-energy", "新能源", "风电、光伏、储能与氢能。",
     "IPC=F03D OR IPC=H02S OR IPC=H01M OR IPC=H02J3/38 OR TIAB=光伏 OR TIAB=风电 OR TIAB=储能 OR TIAB=氢能"),
    ("coal-chemical", "煤化工", "煤气化、煤制油、煤制烯烃与煤焦化。",
     "IPC=C10J OR IPC=C10G OR IPC=C10L OR IPC=C10B OR TIAB=煤化工 OR TIAB=煤气化 OR TIAB=煤制"),
    ("biomedicine", "生物医药", "生物制药、疫苗、抗体与发酵工程。",
     "IPC=C12N OR IPC=C07K OR IPC=A61P OR TIAB=生物医药 OR TIAB=疫苗 OR TIAB=抗体"),
    ("potato", "马铃薯", "马铃薯育种、种植、收获机械与淀粉加工。",
     "TIAB=马铃薯 OR TIAB=土豆 OR (IPC=A01D AND TIAB=薯)"),
    ("mongolian-medicine", "蒙中医药", "蒙药、蒙医与中医药。",
     "TIAB=蒙药 OR TIAB=蒙医 OR (IPC=A61K36/00 AND TIAB=中药) OR TIAB=中医"),
]


def load_demo_collections(*, owner=None) -> list[Collection]:
    """The center's industry collections; idempotent (existing ones, perhaps edited by the
    curators since, are left as they are); every collection's count is then refreshed."""
    made = []
    with transaction.atomic():
        for slug, name, description, query in DEMO_COLLECTIONS:
            collection, _created = Collection.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description, "query": query, "owner": owner})
            made.append(collection)
    collections_refresh()
    return made
