"""/api/v1/navigation/…: patent navigation (专利导航) over REST.

Projects are looked up by case number (NAV-2026-000001); under a project, branches by id,
runs (snapshots) by their number and reports by their version. Reads go through the
selectors (`projects_visible_to` …), so a project the caller may not open answers the same 404
as one that does not exist; writes call the services, whose refusals (WorkflowError) come back
as {code, message, fields} with the service's status — 403 for whoever is not on the project's
team, 409 for a project that is not in progress. A query that does not parse is a 400 that also
says where: `position` (0-based) and `expected`.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from zhibao.api import ErrorSerializer
from zhibao.core.api.serializers import TransitionRequestSerializer, TransitionSerializer
from zhibao.core.attachments.views import content_disposition
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition
from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE
from zhibao.patents.api.patents import QuerySyntaxErrorSerializer

from ..models import BreakdownNode, NavigationProject, NavigationReport, Snapshot, SnapshotNode
from ..selectors import projects_visible_to, query_sample, reports_visible_to, snapshots_visible_to
from ..services.projects import conclusions_update, project_create, project_update
from ..services.reports import report_request
from ..services.runs import project_run, snapshot_compare
from ..services.tree import (
    node_add,
    node_delete,
    node_move,
    node_update,
    tree_export_xlsx,
    tree_import_xlsx,
    tree_nodes,
)
from . import serializers as s
from .filtersets import ProjectFilterSet

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
QUERY_ERRORS = {**ERRORS, 400: QuerySyntaxErrorSerializer}
CASE_NUMBER_RE = r"NAV-\d{4}-\d{6}"
PROJECT_PREFIX = rf"projects/(?P<number>{CASE_NUMBER_RE})"
NUMBER = OpenApiParameter("number", str, OpenApiParameter.PATH, pattern=CASE_NUMBER_RE,
                          description="The project's case number, e.g. NAV-2026-000001")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Any unique string (≤ 64 characters); a replay with the same key returns the first project "
                "with status 200 instead of 201. The field idempotency_key does the same.",
)
TRANSITIONS_DOC = """
Steps (`POST …/projects/{number}/transitions/{name}`, body `{"comment": "…"}`), taken by the
project's lead:

| step | from → to | comment | condition |
|---|---|---|---|
| `complete` | active → completed | optional | a report is ready |
| `reopen` | completed → active | required | — |
| `archive` | completed → archived | optional | — |
| `cancel` | active → cancelled | required | — |
"""


def _written(serializer_class, request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return data.validated_data


class NavigationAPIMixin:
    """A refused query (services.tree.query_check raises from the parser's QuerySyntaxError)
    also says where it fails, like the patent search API."""

    def handle_exception(self, exc):
        from zhibao.patents.search import QuerySyntaxError

        response = super().handle_exception(exc)
        cause = exc.__cause__ if isinstance(exc, WorkflowError) else None
        if isinstance(cause, QuerySyntaxError) and isinstance(response.data, dict):
            response.data = {**response.data, "position": cause.position, "expected": cause.expected or ""}
        return response


class ProjectScopedMixin(NavigationAPIMixin):
    """A viewset under projects/{number}/: the project, if the caller may see it (404 otherwise)."""

    def project(self) -> NavigationProject:
        if not hasattr(self, "_project"):
            self._project = get_object_or_404(projects_visible_to(self.request.user),
                                              case__number=self.kwargs["number"])
        return self._project


# --- projects ----------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(responses={200: s.NavProjectSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: s.NavProjectDetailSerializer, **ERRORS}, description=TRANSITIONS_DOC),
)
class ProjectViewSet(NavigationAPIMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """专利导航 projects: an industry's technology breakdown, its runs and reports (service NAV)."""

    lookup_field = "number"
    lookup_value_regex = CASE_NUMBER_RE
    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NavigationProject.objects.none()
        return projects_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), case__number=self.kwargs["number"])

    def get_serializer_class(self):
        return s.NavProjectSerializer if self.action == "list" else s.NavProjectDetailSerializer

    def _detail(self, project, status=200) -> Response:
        project = self.get_queryset().get(pk=project.pk)
        return Response(s.NavProjectDetailSerializer(project, context=self.get_serializer_context()).data,
                        status=status)

    @extend_schema(request=s.NavProjectCreateSerializer, parameters=[IDEMPOTENCY],
                   responses={201: s.NavProjectDetailSerializer, 200: s.NavProjectDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """Open a navigation project (analysts only): you lead it unless `lead` names another
        analyst; `team` are analysts' ids. Refused: forbidden (not an analyst), required,
        bad_purpose, bad_region, bad_query (scope_query), bad_threshold, not_analyst, unknown_client."""
        values = dict(_written(s.NavProjectCreateSerializer, request))
        key = (request.headers.get("Idempotency-Key") or values.pop("idempotency_key", "")).strip()[:64]
        values.pop("idempotency_key", None)
        project, created = project_create(user=request.user, idempotency_key=key, **values)
        return self._detail(project, status=201 if created else 200)

    @extend_schema(request=s.NavProjectWriteSerializer,
                   responses={200: s.NavProjectDetailSerializer, **ERRORS})
    def partial_update(self, request, *args, **kwargs):
        """Change the project's details (the team, while it is in progress); fields not sent stay."""
        project = self.get_object()
        values = _written(s.NavProjectWriteSerializer, request, partial=True)
        project_update(project=project, user=request.user, **values)
        return self._detail(project)

    @extend_schema(responses={200: TransitionSerializer(many=True), **ERRORS}, filters=False,
                   description=TRANSITIONS_DOC)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None, url_name="transitions")
    def transitions(self, request, number=None):
        """The state steps you may take on the project now."""
        project = self.get_object()
        return Response(TransitionSerializer(available_transitions(project, request.user), many=True).data)

    @extend_schema(request=TransitionRequestSerializer, responses={200: s.NavProjectDetailSerializer, **ERRORS},
                   filters=False, description=TRANSITIONS_DOC)
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None,
            pagination_class=None, url_name="transition")
    def transition(self, request, number=None, name=None):
        """Take a state step; answers the project after it."""
        project = self.get_object()
        values = _written(TransitionRequestSerializer, request)
        case_transition(detail=project, name=name, actor=request.user, comment=values["comment"],
                        payload=values["payload"])
        return self._detail(project)

    @extend_schema(methods=["GET"], responses={200: s.NavConclusionsSerializer, **ERRORS}, filters=False)
    @extend_schema(methods=["PUT"], request=s.NavConclusionsWriteSerializer,
                   responses={200: s.NavConclusionsSerializer, **ERRORS}, filters=False,
                   description="Save conclusion sections (the report's last chapter); unknown keys are refused "
                               "(unknown_section), sections not sent keep their text.")
    @action(detail=True, methods=["get", "put"], filterset_class=None, pagination_class=None,
            url_name="conclusions")
    def conclusions(self, request, number=None):
        """The analysts' conclusion sections, in the report's order."""
        project = self.get_object()
        if request.method == "PUT":
            values = _written(s.NavConclusionsWriteSerializer, request)
            project = conclusions_update(project=project, user=request.user, sections=values["sections"])
        return Response(s.conclusions_data(project))

    @extend_schema(request=s.NavQueryTestSerializer, responses={200: s.NavQueryResultSerializer, **QUERY_ERRORS},
                   filters=False)
    @action(detail=True, methods=["post"], url_path="query-test", filterset_class=None, pagination_class=None,
            url_name="query-test")
    def query_test(self, request, number=None):
        """How many patents a query finds within the project's scope, and the first five; a
        query that does not parse is a 400 (bad_query) with `position` and `expected`."""
        project = self.get_object()
        values = _written(s.NavQueryTestSerializer, request)
        return Response(query_sample(project, values["query"]))

    @extend_schema(responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], url_path="tree/export", filterset_class=None, pagination_class=None,
            url_name="tree-export")
    def tree_export(self, request, number=None):
        """The technology breakdown as Excel: one column per level, then 说明 and 检索式."""
        project = self.get_object()
        response = HttpResponse(tree_export_xlsx(project), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition(
            _("%(number)s technology breakdown.xlsx") % {"number": project.case.number})
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request={"multipart/form-data": s.NavTreeImportSerializer},
                   responses={200: s.NavTreeImportReportSerializer, **ERRORS}, filters=False)
    @action(detail=True, methods=["post"], url_path="tree/import", filterset_class=None, pagination_class=None,
            parser_classes=[MultiPartParser], url_name="tree-import")
    def tree_import(self, request, number=None):
        """Read the tree from a workbook laid out as the export; the report lists every rejected
        row with its reason (the accepted ones are kept). Refused: bad_file, empty_file, bad_layout."""
        project = self.get_object()
        values = _written(s.NavTreeImportSerializer, request)
        report = tree_import_xlsx(project=project, user=request.user, fileobj=values["file"],
                                  replace=values["replace"])
        return Response({**report.as_dict(), "nodes": s.node_rows(tree_nodes(project))})


# --- the tree ----------------------------------------------------------------------------------

NODE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The branch's id")


@extend_schema(parameters=[NUMBER])
@extend_schema_view(
    list=extend_schema(responses={200: s.NavNodeSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[NODE_ID], responses={200: s.NavNodeSerializer, **ERRORS}),
    create=extend_schema(request=s.NavNodeCreateSerializer, responses={201: s.NavNodeSerializer, **QUERY_ERRORS}),
    partial_update=extend_schema(parameters=[NODE_ID], request=s.NavNodeUpdateSerializer,
                                 responses={200: s.NavNodeSerializer, **QUERY_ERRORS}),
    destroy=extend_schema(parameters=[NODE_ID], responses={200: s.NavNodeDeletedSerializer, **ERRORS}),
)
class NodeViewSet(ProjectScopedMixin, viewsets.GenericViewSet):
    """技术分解表: the project's branches, flat in reading order (key, depth, parent)."""

    lookup_value_regex = r"[0-9]{1,18}"
    filterset_class = None
    pagination_class = None
    serializer_class = s.NavNodeSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BreakdownNode.objects.none()
        return BreakdownNode.objects.filter(project=self.project()).select_related("project", "project__case")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _row(self, node, status=200) -> Response:
        row = next(r for r in s.node_rows(tree_nodes(self.project())) if r["node_id"] == node.pk)
        return Response(s.NavNodeSerializer(row).data, status=status)

    def _parent(self, parent_id) -> BreakdownNode | None:
        if parent_id is None:
            return None
        parent = self.get_queryset().filter(pk=parent_id).first()
        if parent is None:
            raise WorkflowError("bad_parent", _("No such branch in this project."),
                                fields={"parent": [_("No such branch in this project.")]}, status=400)
        return parent

    def list(self, request, number=None):
        return Response(s.NavNodeSerializer(s.node_rows(tree_nodes(self.project())), many=True).data)

    def retrieve(self, request, number=None, pk=None):
        return self._row(self.get_object())

    def create(self, request, number=None):
        """Add a branch at the end of its parent's children (or as a root). Refused: forbidden,
        not_editable, name_required, name_too_long, bad_query, too_deep, too_many, bad_parent."""
        values = _written(s.NavNodeCreateSerializer, request)
        node = node_add(project=self.project(), user=request.user, name=values["name"],
                        parent=self._parent(values.get("parent")), description=values["description"],
                        query=values["query"])
        return self._row(node, status=201)

    def partial_update(self, request, number=None, pk=None):
        """Rename the branch, or change its description or query (fields not sent stay)."""
        node = self.get_object()
        values = _written(s.NavNodeUpdateSerializer, request)
        node_update(node=node, user=request.user, **values)
        return self._row(node)

    def destroy(self, request, number=None, pk=None):
        """Delete the branch and its sub-branches (runs keep their copy of the tree)."""
        node = self.get_object()
        return Response({"deleted": node_delete(node=node, user=request.user)})

    @extend_schema(parameters=[NODE_ID], request=s.NavNodeMoveSerializer,
                   responses={200: s.NavNodeSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_name="move")
    def move(self, request, number=None, pk=None):
        """Move the branch (with its sub-branches) under another parent (null: a root) at a
        place among its new siblings. Refused: cycle (under itself or its own sub-branch),
        too_deep, bad_parent."""
        node = self.get_object()
        values = _written(s.NavNodeMoveSerializer, request)
        node_move(node=node, user=request.user, parent=self._parent(values["parent"]),
                  position=values.get("position"))
        return self._row(node)


# --- runs --------------------------------------------------------------------------------------

RUN = OpenApiParameter("run", int, OpenApiParameter.PATH, description="The run's number within the project")
KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, description="The branch's key in the run: 1, 1.2 …")
KEY_RE = r"[0-9]{1,4}(?:\.[0-9]{1,4}){0,9}"


@extend_schema(parameters=[NUMBER])
@extend_schema_view(
    list=extend_schema(responses={200: s.NavRunSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[RUN], responses={200: s.NavRunDetailSerializer, **ERRORS}),
)
class RunViewSet(ProjectScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Runs of the project: dated snapshots of every branch's patents and figures."""

    lookup_field = "run"
    lookup_value_regex = r"[0-9]{1,9}"
    filterset_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Snapshot.objects.none()
        return snapshots_visible_to(self.request.user).filter(project=self.project()).order_by("-number")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), number=self.kwargs["run"])

    def get_serializer_class(self):
        return s.NavRunDetailSerializer if self.action == "retrieve" else s.NavRunSerializer

    @extend_schema(request=None, responses={202: s.NavRunSerializer, **ERRORS})
    def create(self, request, number=None):
        """Run the project: the tree is frozen now and the worker takes the snapshot (`job`
        shows its progress). While a run is queued or running, this answers that run.
        Refused: forbidden, not_editable, empty_tree (no branch has a query)."""
        snapshot = project_run(project=self.project(), user=request.user)
        snapshot = self.get_queryset().get(pk=snapshot.pk)
        return Response(s.NavRunSerializer(snapshot).data, status=202)

    @extend_schema(parameters=[RUN, KEY], responses={200: s.NavRunNodeDetailSerializer, **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], url_path=rf"nodes/(?P<key>{KEY_RE})", filterset_class=None,
            pagination_class=None, url_name="node")
    def node(self, request, number=None, run=None, key=None):
        """One branch of the run: its summary (region share, verdict) and all its figures."""
        node = get_object_or_404(SnapshotNode.objects.select_related("snapshot"), snapshot=self.get_object(), key=key)
        return Response(s.NavRunNodeDetailSerializer(node).data)

    @extend_schema(parameters=[RUN, KEY], responses={200: s.NavRunPatentSerializer(many=True), **ERRORS}, filters=False)
    @action(detail=True, methods=["get"], url_path=rf"nodes/(?P<key>{KEY_RE})/patents", filterset_class=None,
            url_name="node-patents")
    def node_patents(self, request, number=None, run=None, key=None):
        """The branch's patents in the run (by publication number), a page at a time."""
        from zhibao.patents.models import Patent

        node = get_object_or_404(SnapshotNode, snapshot=self.get_object(), key=key)
        page = self.paginate_queryset(node.publication_numbers)
        found = {p.publication_number: p for p in Patent.objects.filter(publication_number__in=page).only(
            "publication_number", "title", "first_applicant", "application_date", "patent_type", "legal_status")}
        rows = []
        for number_ in page:
            patent = found.get(number_)
            rows.append({"publication_number": number_, **({
                "title": patent.title, "first_applicant": patent.first_applicant,
                "application_date": patent.application_date, "patent_type": patent.patent_type,
                "legal_status": patent.legal_status} if patent else dict.fromkeys(
                ("title", "first_applicant", "application_date", "patent_type", "legal_status")))})
        return self.get_paginated_response(s.NavRunPatentSerializer(rows, many=True).data)

    @extend_schema(parameters=[s.NavCompareQuerySerializer], responses={200: s.NavCompareSerializer, **ERRORS},
                   filters=False)
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None, url_name="compare")
    def compare(self, request, number=None):
        """Two runs branch by branch: patents in each, how many came and went, examples of both."""
        params = s.NavCompareQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        a = get_object_or_404(self.get_queryset(), number=params.validated_data["a"])
        b = get_object_or_404(self.get_queryset(), number=params.validated_data["b"])
        return Response({"a": a.number, "b": b.number, "rows": snapshot_compare(a, b)})


# --- reports -----------------------------------------------------------------------------------

VERSION = OpenApiParameter("version", int, OpenApiParameter.PATH, description="The report's version")


@extend_schema(parameters=[NUMBER])
@extend_schema_view(
    list=extend_schema(responses={200: s.NavReportSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(parameters=[VERSION], responses={200: s.NavReportSerializer, **ERRORS}),
)
class ReportViewSet(ProjectScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The project's navigation reports (Word and PDF), versioned."""

    lookup_field = "version"
    lookup_value_regex = r"[0-9]{1,9}"
    filterset_class = None
    serializer_class = s.NavReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NavigationReport.objects.none()
        return reports_visible_to(self.request.user).filter(project=self.project()).order_by("-version")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), version=self.kwargs["version"])

    @extend_schema(request=s.NavReportRequestSerializer, responses={202: s.NavReportSerializer, **ERRORS})
    def create(self, request, number=None):
        """Make a report of a run (default: the latest ready one) with the conclusions as they
        are now; `job` shows its progress, `docx_url` and `pdf_url` appear when it is ready.
        While a report is being made, this answers that report. Refused: forbidden,
        not_editable, no_snapshot."""
        project = self.project()
        values = _written(s.NavReportRequestSerializer, request)
        snapshot = None
        if values.get("run") is not None:
            snapshot = project.snapshots.filter(number=values["run"]).first()
            if snapshot is None:
                raise WorkflowError("unknown_run", _("This project has no run %(n)d.") % {"n": values["run"]},
                                    fields={"run": [_("No such run.")]}, status=400)
        report = report_request(project=project, user=request.user, snapshot=snapshot)
        return Response(s.NavReportSerializer(self.get_queryset().get(pk=report.pk)).data, status=202)


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="api-nav-project")
    router.register(rf"{PROJECT_PREFIX}/nodes", NodeViewSet, basename="api-nav-node")
    router.register(rf"{PROJECT_PREFIX}/runs", RunViewSet, basename="api-nav-run")
    router.register(rf"{PROJECT_PREFIX}/reports", ReportViewSet, basename="api-nav-report")

