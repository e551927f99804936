"""Reads of navigation, filtered by the user: pages, API and exports call these.

Who may read a project is who may open its case (core.selectors.cases_visible_to): written once
for the case index, the attachments (the reports) and this app."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhibao.core.selectors import cases_visible_to
from zhibao.core.services.cases import WorkflowError

from .choices import RunState
from .models import NavigationProject, NavigationReport, Snapshot


def projects_visible_to(user) -> QuerySet[NavigationProject]:
    if not getattr(user, "is_authenticated", False):
        return NavigationProject.objects.none()
    return (NavigationProject.objects.filter(case__in=cases_visible_to(user).values("pk"))
            .select_related("case", "lead", "region", "client"))


def snapshots_visible_to(user) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(project__in=projects_visible_to(user).values("pk")).select_related(
        "project", "taken_by", "job")


def reports_visible_to(user) -> QuerySet[NavigationReport]:
    return NavigationReport.objects.filter(project__in=projects_visible_to(user).values("pk")).select_related(
        "project", "snapshot", "created_by", "docx", "pdf", "job")


def ready_snapshots(project: NavigationProject) -> QuerySet[Snapshot]:
    return project.snapshots.filter(state=RunState.READY).order_by("-number")


def query_sample(project: NavigationProject, query: str, *, size: int = 5) -> dict:
    """The tree editor's query test: how many patents a branch's query finds within the
    project's scope, and the first few: {"query" (as run, scope included), "count",
    "sample": [{"publication_number", "title", "first_applicant", "year"}]}. A query that does
    not parse is services.tree.query_check's WorkflowError (its __cause__, the
    QuerySyntaxError, says where)."""
    from zhibao.patents.search import get_engine

    from .services.tree import query_check

    text = query_check(query)
    if not text:
        raise WorkflowError("query_required", _("Enter a query to test."), fields={"query": [_("Required.")]},
                            status=400)
    full = f"({text}) AND ({project.scope_query})" if project.scope_query else text
    result = get_engine().search(full, page_size=size, facets=(), highlight=False)
    return {"query": full, "count": result.total, "sample": [
        {"publication_number": hit.publication_number, "title": hit.title, "first_applicant": hit.first_applicant,
         "year": hit.application_date.year if hit.application_date else None} for hit in result.hits]}
