"""Pages of navigation projects: the list, a new project, the project's workspace (the
technology breakdown tree with its editor, the runs, the conclusions, the reports), the tree's
Excel form, the comparison of two runs.

The forms check the shape of the input; the services decide and their refusals (WorkflowError)
are shown on the form or as a message, in Chinese. The state steps (complete, reopen, archive,
cancel) are the case page's buttons (portal), built from the transitions the user may take.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhibao.accounts.models import Organization
from zhibao.core.choices import Role
from zhibao.core.forms import IdempotentForm, apply_workflow_error
from zhibao.core.models import Region
from zhibao.core.services.cases import WorkflowError, available_transitions
from zhibao.core.spreadsheets import XLSX_CONTENT_TYPE

from ..choices import CONCLUSION_SECTIONS, ProjectState, Purpose, RunState
from ..models import BreakdownNode, NavigationProject
from ..rules import is_analyst, may_work_on
from ..selectors import projects_visible_to, query_sample, ready_snapshots
from ..services.projects import conclusions_update, project_create, project_update
from ..services.reports import report_request
from ..services.runs import project_run, snapshot_compare, snapshot_latest
from ..services.tree import (
    MAX_IMPORT_BYTES,
    node_add,
    node_delete,
    node_move,
    node_update,
    subtree_ids,
    tree_export_xlsx,
    tree_import_xlsx,
    tree_nodes,
)

SAMPLE_HITS = 5


def analysts():
    return get_user_model().objects.filter(groups__name=Role.ANALYST, is_active=True).distinct().order_by("username")


def analyst_label(user) -> str:
    """An analyst in a choice list: the name and, to tell namesakes apart, the login."""
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


class AnalystChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return analyst_label(obj)


class AnalystsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return analyst_label(obj)


class ProjectForm(IdempotentForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200,
                            help_text=gettext_lazy("E.g. 稀土永磁产业专利导航"))
    industry = forms.CharField(label=gettext_lazy("Industry"), max_length=100)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), choices=Purpose.choices)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    region = forms.ModelChoiceField(label=gettext_lazy("Region analysed"), queryset=Region.objects.all(),
                                    initial="150000", empty_label=None,
                                    help_text=gettext_lazy("Its share of every branch is compared with the "
                                                           "national share (gap and strength branches)."))
    scope_query = forms.CharField(label=gettext_lazy("Scope of every query"), required=False, max_length=500,
                                  help_text=gettext_lazy("Added with AND to every branch's query, e.g. AD>=2005."))
    client = forms.ModelChoiceField(label=gettext_lazy("Commissioned by"), required=False,
                                    queryset=Organization.objects.order_by("name"),
                                    help_text=gettext_lazy("The organization the navigation is for, if any: "
                                                           "its members can read the project and its reports."))
    lead = AnalystChoice(label=gettext_lazy("Project lead"), queryset=analysts(), required=False)
    team = AnalystsChoice(label=gettext_lazy("Team"), queryset=analysts(), required=False,
                          widget=forms.SelectMultiple(attrs={"size": 5}))
    gap_lq = forms.DecimalField(label=gettext_lazy("Gap below LQ"), initial="0.5", max_digits=4, decimal_places=2)
    strength_lq = forms.DecimalField(label=gettext_lazy("Strength from LQ"), initial="1.5", max_digits=4,
                                     decimal_places=2)
    min_node_patents = forms.IntegerField(label=gettext_lazy("Minimum patents to judge a branch"), initial=20,
                                          min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = analysts()
        self.fields["team"].queryset = analysts()


class NodeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Branch name"), max_length=100)
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    query = forms.CharField(label=gettext_lazy("Search query"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}),
                            help_text=gettext_lazy("The corpus query language, e.g. TIAB=钕铁硼 AND IPC=H01F. "
                                                   "Empty for a branch that only groups its sub-branches."))
    parent = forms.TypedChoiceField(label=gettext_lazy("Under"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, project: NavigationProject, node: BreakdownNode | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        excluded = subtree_ids(node) if node else set()
        self.fields["parent"].choices = [("", _("(top level)"))] + [
            (n["node_id"], "— " * (n["depth"] - 1) + f'{n["key"]} {n["name"]}')
            for n in tree_nodes(project) if n["node_id"] not in excluded]


class TreeImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))
    replace = forms.BooleanField(label=gettext_lazy("Replace the current tree"), required=False, initial=True)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)d MB.") % {"n": MAX_IMPORT_BYTES // (1024 * 1024)})
        return file


class ConclusionsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in CONCLUSION_SECTIONS:
            self.fields[key] = forms.CharField(label=label, required=False, max_length=20000,
                                               widget=forms.Textarea(attrs={"rows": 4}))


# --- helpers ----------------------------------------------------------------------------------

def project_for(request, number: str) -> NavigationProject:
    """The project of a case number, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(projects_visible_to(request.user).select_related("case"), case__number=number)


def _work_check(request, project) -> None:
    if not may_work_on(request.user, project):
        raise Http404  # a reader of the project gets the page, not the editing


def _tree_context(project: NavigationProject) -> dict:
    nodes = tree_nodes(project)
    latest = snapshot_latest(project)
    counts = {}
    if latest is not None:
        counts = dict(latest.node_sets.values_list("node_id", "total"))
    siblings: dict = {}
    for node in nodes:
        siblings.setdefault(node["parent_key"], []).append(node)
    for node in nodes:
        group = siblings[node["parent_key"]]
        index = group.index(node)
        node["first"], node["last"] = index == 0, index == len(group) - 1
        node["position"] = index
        node["count"] = counts.get(node["node_id"])
    return {"nodes": nodes, "latest": latest}


def _redirect_project(project, anchor: str = "") -> HttpResponse:
    url = reverse("navigation:project_detail", args=[project.case.number])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _tree_response(request, project):
    """HTMX: the tree's fragment; a plain form post: back to the project page."""
    if request.htmx:
        return render(request, "navigation/_tree.html", {"project": project, "may_work": True,
                                                          **_tree_context(project)})
    return _redirect_project(project, "tree")


# --- the list and a new project ----------------------------------------------------------------

@login_required
@require_GET
def project_list(request):
    qs = projects_visible_to(request.user).order_by("-created_at")
    state, purpose, text = request.GET.get("state", ""), request.GET.get("purpose", ""), request.GET.get("q", "").strip()
    if state in ProjectState.values:
        qs = qs.filter(state=state)
    if purpose in Purpose.values:
        qs = qs.filter(purpose=purpose)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(industry__icontains=text) | Q(case__number__icontains=text))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "navigation/project_list.html", {
        "page": page, "states": ProjectState.choices, "purposes": Purpose.choices, "state": state,
        "purpose": purpose, "q": text, "may_add": is_analyst(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request):
    if not is_analyst(request.user):
        messages.error(request, _("Only patent analysts open navigation projects."))
        return redirect("navigation:project_list")
    form = ProjectForm(request.POST or None, initial={"lead": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        key = data.pop("idempotency_key")
        try:
            project, _created = project_create(user=request.user, idempotency_key=key, **data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Project %(number)s opened: now build its technology breakdown.")
                             % {"number": project.case.number})
            return _redirect_project(project)
    return render(request, "navigation/project_form.html", {"form": form, "project": None})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    initial = {name: getattr(project, name) for name in ("title", "industry", "purpose", "description", "scope_query",
                                                       "gap_lq", "strength_lq", "min_node_patents")}
    initial.update(region=project.region_id, client=project.client_id, lead=project.lead_id,
                   team=list(project.team.values_list("pk", flat=True)))
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("idempotency_key")
        if data.get("lead") is None:
            data.pop("lead")
        try:
            project_update(project=project, user=request.user, **data)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _redirect_project(project)
    return render(request, "navigation/project_form.html", {"form": form, "project": project})


# --- the workspace --------------------------------------------------------------------------

@login_required
@require_GET
def project_detail(request, number):
    project = project_for(request, number)
    conclusions = project.conclusions or {}
    return render(request, "navigation/project_detail.html", {
        "conclusion_sections": [(k, label, conclusions.get(k, "")) for k, label in CONCLUSION_SECTIONS],
        "conclusions_form": ConclusionsForm(initial=conclusions),
        "node_form": NodeForm(project=project, prefix="new"), "import_form": TreeImportForm(),
        "transitions": available_transitions(project, request.user),
        **_runs_context(request, project), **_tree_context(project)})


def _runs_context(request, project: NavigationProject) -> dict:
    """The runs and reports tables (the project page and its HTMX poll)."""
    snapshots = list(project.snapshots.select_related("taken_by", "job").order_by("-number")[:20])
    reports = list(project.reports.select_related("created_by", "docx", "pdf", "job", "snapshot")[:20])
    return {
        "project": project, "snapshots": snapshots, "reports": reports,
        "may_work": may_work_on(request.user, project) and project.is_editable,
        "ready_snapshots": [s for s in snapshots if s.state == RunState.READY],
        "pending_run": any(s.state in (RunState.QUEUED, RunState.RUNNING) for s in snapshots),
        "pending_report": any(r.state in (RunState.QUEUED, RunState.RUNNING) for r in reports)}


@login_required
@require_POST
def node_new(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    form = NodeForm(request.POST, project=project, prefix="new")
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = get_object_or_404(BreakdownNode, pk=form.cleaned_data["parent"], project=project)
        try:
            node_add(project=project, user=request.user, parent=parent, name=form.cleaned_data["name"],
                     description=form.cleaned_data["description"], query=form.cleaned_data["query"])
        except WorkflowError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Give the branch a name.") if "name" in form.errors else _(
            "Please correct the marked fields."))
    return _redirect_project(project, "tree")


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request, number, node_id):
    project = project_for(request, number)
    _work_check(request, project)
    node = get_object_or_404(BreakdownNode, pk=node_id, project=project)
    form = NodeForm(request.POST or None, project=project, node=node,
                    initial={"name": node.name, "description": node.description, "query": node.query,
                             "parent": node.parent_id})
    if request.method == "POST" and form.is_valid():
        try:
            node_update(node=node, user=request.user, name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"], query=form.cleaned_data["query"])
            new_parent_id = form.cleaned_data["parent"]
            if new_parent_id != node.parent_id:
                parent = (get_object_or_404(BreakdownNode, pk=new_parent_id, project=project)
                          if new_parent_id else None)
                node_move(node=node, user=request.user, parent=parent)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, _("Branch “%(name)s” saved.") % {"name": node.name})
            return _redirect_project(project, f"node-{node.pk}")
    return render(request, "navigation/node_form.html", {"project": project, "node": node, "form": form})


@login_required
@require_POST
def node_move_view(request, number, node_id):
    """Up or down among its siblings (the edit form moves it under another branch)."""
    project = project_for(request, number)
    _work_check(request, project)
    node = get_object_or_404(BreakdownNode, pk=node_id, project=project)
    siblings = list(BreakdownNode.objects.filter(project=project, parent=node.parent_id).order_by("position", "pk"))
    index = siblings.index(node)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        node_move(node=node, user=request.user, parent=node.parent, position=max(0, index + step))
    except WorkflowError as exc:
        messages.error(request, exc.message)
    return _tree_response(request, project)


@login_required
@require_POST
def node_delete_view(request, number, node_id):
    project = project_for(request, number)
    _work_check(request, project)
    node = get_object_or_404(BreakdownNode, pk=node_id, project=project)
    try:
        count = node_delete(node=node, user=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deleted %(n)d branch(es).") % {"n": count})
    return _tree_response(request, project)


@login_required
@require_GET
def query_test(request, number):
    """The live count and a few hits of a query, as the analyst types it (HTMX fragment)."""
    project = project_for(request, number)
    query = request.GET.get("query") or request.GET.get("new-query") or ""
    query = query.strip()[:2000]
    context = {"project": project, "query": query}
    if query:
        try:
            found = query_sample(project, query, size=SAMPLE_HITS)
        except WorkflowError as exc:  # query_check's message says where the query stops parsing
            context["error"] = exc.message
        else:
            context.update(total=found["count"], hits=found["sample"])
    return render(request, "navigation/_query_test.html", context)


@login_required
@require_GET
def tree_export(request, number):
    project = project_for(request, number)
    response = HttpResponse(tree_export_xlsx(project), content_type=XLSX_CONTENT_TYPE)
    from zhibao.core.attachments.views import content_disposition

    response["Content-Disposition"] = content_disposition(f"{project.case.number}-技术分解表.xlsx")
    return response


@login_required
@require_POST
def tree_import(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    form = TreeImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an Excel file (.xlsx) to import."))
        return _redirect_project(project, "tree")
    try:
        report = tree_import_xlsx(project=project, user=request.user, fileobj=form.cleaned_data["file"],
                                  replace=form.cleaned_data["replace"])
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return _redirect_project(project, "tree")
    if report.rejected:
        messages.warning(request, _("%(created)d branches imported, %(rejected)d rows rejected:") % {
            "created": report.created, "rejected": len(report.rejected)} + " " + "；".join(
            _("row %(row)d: %(reason)s") % r for r in report.rejected[:20]))
    else:
        messages.success(request, _("%(created)d branches imported.") % {"created": report.created})
    return _redirect_project(project, "tree")


# --- runs, comparison, conclusions, reports ---------------------------------------------------

@login_required
@require_POST
def run_start(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    try:
        snapshot = project_run(project=project, user=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Run %(n)d started: the figures appear when it is done.") % {"n": snapshot.number})
    return _redirect_project(project, "runs")


@login_required
@require_GET
def runs_status(request, number):
    """HTMX: the runs and reports tables, polled while one is queued or running."""
    project = project_for(request, number)
    return render(request, "navigation/_runs.html", _runs_context(request, project))


@login_required
@require_GET
def compare(request, number):
    project = project_for(request, number)
    runs = list(ready_snapshots(project))
    by_number = {s.number: s for s in runs}
    try:
        a, b = int(request.GET.get("a", 0)), int(request.GET.get("b", 0))
    except ValueError:
        a = b = 0
    older, newer = by_number.get(min(a, b)), by_number.get(max(a, b))
    rows = snapshot_compare(older, newer) if older and newer and older != newer else None
    return render(request, "navigation/compare.html", {"project": project, "runs": runs, "older": older,
                                                        "newer": newer, "rows": rows})


@login_required
@require_POST
def conclusions_save(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    form = ConclusionsForm(request.POST)
    if form.is_valid():
        try:
            conclusions_update(project=project, user=request.user, sections=form.cleaned_data)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Conclusions saved: the next report includes them."))
    else:
        messages.error(request, _("A section has at most %(n)d characters.") % {"n": 20000})
    return _redirect_project(project, "conclusions")


@login_required
@require_POST
def report_new(request, number):
    project = project_for(request, number)
    _work_check(request, project)
    snapshot = None
    run = request.POST.get("run", "")
    if run:
        snapshot = (ready_snapshots(project).filter(number=int(run)).first()
                    if run.isascii() and run.isdecimal() and len(run) < 10 else None)
        if snapshot is None:
            messages.error(request, _("Choose a finished run."))
            return _redirect_project(project, "reports")
    try:
        report = report_request(project=project, user=request.user, snapshot=snapshot)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Report v%(v)d is being made from run %(n)d.") % {
            "v": report.version, "n": report.snapshot.number})
    return _redirect_project(project, "reports")


urlpatterns = [
    path("", project_list, name="project_list"),
    path("new/", project_new, name="project_new"),
    path("<str:number>/", project_detail, name="project_detail"),
    path("<str:number>/edit/", project_edit, name="project_edit"),
    path("<str:number>/nodes/new/", node_new, name="node_new"),
    path("<str:number>/nodes/<int:node_id>/", node_edit, name="node_edit"),
    path("<str:number>/nodes/<int:node_id>/move/", node_move_view, name="node_move"),
    path("<str:number>/nodes/<int:node_id>/delete/", node_delete_view, name="node_delete"),
    path("<str:number>/query-test/", query_test, name="query_test"),
    path("<str:number>/tree.xlsx", tree_export, name="tree_export"),
    path("<str:number>/tree/import/", tree_import, name="tree_import"),
    path("<str:number>/runs/new/", run_start, name="run_start"),
    path("<str:number>/runs/status/", runs_status, name="runs_status"),
    path("<str:number>/compare/", compare, name="compare"),
    path("<str:number>/conclusions/", conclusions_save, name="conclusions"),
    path("<str:number>/reports/new/", report_new, name="report_new"),
]
