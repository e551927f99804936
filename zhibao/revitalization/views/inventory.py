"""Pages of the inventory (盘点, service RVI): "my inventories", a new inventory (upload the list
or pick from the corpus), the inventory's lines with the decisions and the workflow's buttons,
the progress tables, and their Excel.

The views check the input and call services.inventory; who may see an inventory is
selectors.inventory's (a stranger gets 404), who may decide or move it the services' and the
transitions' (a refusal is shown as a message, never a silent no-op).
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from zhibao.core.attachments.forms import AttachmentField
from zhibao.core.attachments.selectors import attachments_for
from zhibao.core.forms import IdempotentForm
from zhibao.core.models import Region
from zhibao.core.services.cases import WorkflowError, available_transitions, case_transition

from ..choices import InventoryState, ItemDecision, NotPooledReason
from ..exports import inventory as exports
from ..models import Inventory
from ..selectors.inventory import (
    InventoryFilterSet,
    InventoryItemFilterSet,
    filtered,
    institutions_of,
    inventories_visible_to,
    inventory_items,
    inventory_progress,
    line_counts,
    sees_all_inventories,
)
from ..services.inventory import (
    Decision,
    deciding_side,
    inventory_counts,
    inventory_create_from_corpus,
    inventory_create_from_upload,
    inventory_items_decide,
    inventory_items_decide_all,
    inventory_side_check,
)

LINES_PER_PAGE = 100


# --- forms -------------------------------------------------------------------------------------

class _InstitutionForm(IdempotentForm):
    organization = forms.ModelChoiceField(label=gettext_lazy("Institution"), queryset=None, empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = institutions_of(user)
        field.label_from_instance = lambda o: o.name if o.is_verified else (
            _("%(name)s (not verified yet)") % {"name": o.name})


class UploadForm(_InstitutionForm):
    """Upload the patent list (Excel, from the template)."""

    file = AttachmentField(kind="rv_inventory_list", label=gettext_lazy("Patent list (Excel .xlsx)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Columns: %(columns)s; one patent per row, publication or application numbers. Up to %(max)s rows.") % {
            "columns": "公开号或申请号、发明人联系方式（选填）、备注（选填）", "max": "20,000"}


class PickForm(_InstitutionForm):
    """Pick every corpus patent of an applicant name (the institution's own by default)."""

    applicant_name = forms.CharField(
        label=gettext_lazy("Applicant name in the corpus"), max_length=200, required=False,
        help_text=gettext_lazy("Leave empty to use the institution's own name. Every patent in the corpus whose "
                               "applicants include this name is listed."))


def apply_error(form: forms.Form, exc: WorkflowError, field_map: dict | None = None) -> None:
    form.add_error(None, exc.message)
    for name, errors in (exc.fields or {}).items():
        name = (field_map or {}).get(name, name)
        if name in form.fields and name not in form.errors:
            form.add_error(name, [str(e) for e in errors])


# --- lookups -----------------------------------------------------------------------------------

def _inventory(request, number) -> Inventory:
    """The inventory if the user may see it; anyone else gets 404, as for a number that does not exist."""
    inventory = get_object_or_404(inventories_visible_to(request.user), case__number=number)
    if not request.user.has_perm("core.view_case", inventory.case):
        raise Http404
    return inventory


def _detail_url(inventory, query: str = "") -> str:
    url = reverse("revitalization:inventory_detail", args=[inventory.case.number])
    return f"{url}?{query}" if query else url


def _back_query(request) -> str:
    """The lines page's filters and page, posted back with a decision, so the page stays where it was."""
    keep = {k: request.POST.get(k) for k in ("match", "decision", "q", "page") if request.POST.get(k)}
    return urlencode(keep)


# --- "my inventories" ------------------------------------------------------------------------

def _list_rows(request):
    queryset = inventories_visible_to(request.user)
    return filtered(InventoryFilterSet, request.GET, queryset, request)


@require_GET
def inventory_list(request):
    """“我的盘点”: the inventories of the user's institutions; for the center, every inventory."""
    filterset, rows = _list_rows(request)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    counts = line_counts([i.pk for i in page])
    for inventory in page:
        inventory.counts = counts.get(inventory.pk, {})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset, "page": page, "sees_all": sees_all_inventories(request.user),
        "institutions": institutions_of(request.user), "states": InventoryState.choices,
        "leagues": Region.objects.filter(level="league").order_by("code"),
        "export_url": reverse("revitalization:inventory_list_export") + (f"?{query.urlencode()}" if query else ""),
    }
    if request.htmx:
        return render(request, "revitalization/inventory_list.html#results", context)
    return render(request, "revitalization/inventory_list.html", context)


@require_GET
def inventory_list_export(request):
    _filterset, rows = _list_rows(request)
    rows = list(rows[:5000])
    content = exports.inventories_xlsx(rows, line_counts([i.pk for i in rows]))
    return _xlsx(content, exports.export_filename("inventories"))


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- a new inventory -------------------------------------------------------------------------

def _created(request, inventory, created: bool):
    counts = inventory_counts(inventory)
    if created:
        messages.success(request, _(
            "Inventory %(number)s made: %(lines)s lines, %(matched)s matched a patent, %(unmatched)s did not "
            "(their reasons are listed).") % {"number": inventory.case.number, **counts})
    else:
        messages.info(request, _("This was already submitted as inventory %(number)s.")
                      % {"number": inventory.case.number})
    return redirect(_detail_url(inventory))


@require_http_methods(["GET", "POST"])
def inventory_new(request):
    """Make an inventory: upload the list, or pick the corpus patents of an applicant name."""
    mode = request.POST.get("mode") if request.method == "POST" else request.GET.get("mode")
    mode = mode if mode in ("upload", "pick") else "upload"
    posted = request.method == "POST"
    upload = UploadForm(request.POST if posted and mode == "upload" else None,
                        request.FILES if posted and mode == "upload" else None, user=request.user,
                        prefix="upload")
    pick = PickForm(request.POST if posted and mode == "pick" else None, user=request.user, prefix="pick")
    if posted:
        form = upload if mode == "upload" else pick
        if form.is_valid():
            data = form.cleaned_data
            try:
                if mode == "upload":
                    inventory, created = inventory_create_from_upload(
                        user=request.user, organization=data["organization"], uploaded_file=data["file"],
                        idempotency_key=data["idempotency_key"])
                else:
                    inventory, created = inventory_create_from_corpus(
                        user=request.user, organization=data["organization"],
                        applicant_name=data["applicant_name"], idempotency_key=data["idempotency_key"])
            except WorkflowError as exc:
                if exc.status == 403:
                    raise PermissionDenied(exc.message)
                apply_error(form, exc)
            except ValidationError as exc:
                form.add_error("file" if mode == "upload" else None, exc.messages)
            else:
                return _created(request, inventory, created)
    return render(request, "revitalization/inventory_new.html", {
        "upload": upload, "pick": pick, "mode": mode, "has_institutions": upload.fields["organization"].queryset.exists(),
    })


@require_GET
def inventory_template(request):
    """The list template (.xlsx): the three headers and an example row."""
    return _xlsx(exports.template_xlsx(), "inventory-template.xlsx")


# --- the inventory's page --------------------------------------------------------------------

def _lines_context(request, inventory, data=None) -> dict:
    filterset, rows = filtered(InventoryItemFilterSet, data if data is not None else request.GET,
                               inventory_items(inventory), request)
    page = Paginator(rows, LINES_PER_PAGE).get_page((data or request.GET).get("page"))
    query = (data or request.GET).copy()
    query.pop("page", None)
    for key in ("csrfmiddlewaretoken", "action"):
        query.pop(key, None)
    return {
        "inventory": inventory, "case": inventory.case, "filter": filterset, "page": page,
        "side": deciding_side(inventory, request.user), "counts": inventory_counts(inventory),
        "decisions": ItemDecision.choices, "reasons": NotPooledReason.choices,
        "keep": {k: v for k, v in (data or request.GET).items() if k in ("match", "decision", "q", "page") and v},
        "filter_query": urlencode({k: v for k, v in query.items() if k in ("match", "decision", "q") and v}),
        "export_url": reverse("revitalization:inventory_items_export", args=[inventory.case.number])
        + (f"?{query.urlencode()}" if query else ""),
    }


@require_GET
def inventory_detail(request, number):
    """The lines with their match and decisions (filters: matched or not, decision, number); the
    deciding side edits its decisions here; the workflow's steps are buttons."""
    inventory = _inventory(request, number)
    context = _lines_context(request, inventory)
    if request.htmx and request.GET.get("part") == "lines":
        return render(request, "revitalization/inventory_detail.html#lines", context)
    context.update({
        "transitions": available_transitions(inventory, request.user),
        "attachments": attachments_for(inventory.case, request.user),
    })
    return render(request, "revitalization/inventory_detail.html", context)


def _posted_decision(prefix: str, post) -> Decision:
    return Decision(post.get(f"{prefix}decision", ""), post.get(f"{prefix}reason", ""),
                    post.get(f"{prefix}text", ""))


def _row_decisions(request, inventory, side: str) -> dict[int, Decision]:
    """The rows of the page whose posted decision differs from what is stored for the side."""
    ids = [int(v) for v in request.POST.getlist("row") if v.isdigit()][:LINES_PER_PAGE * 2]
    current = {i.pk: i for i in inventory.items.filter(pk__in=ids, patent__isnull=False)}
    decisions = {}
    for pk in ids:
        item = current.get(pk)
        if item is None or f"d-{pk}" not in request.POST:
            continue
        posted = Decision(request.POST.get(f"d-{pk}", ""), request.POST.get(f"r-{pk}", ""),
                          request.POST.get(f"t-{pk}", ""))
        stored = ((item.institution_decision, item.institution_reason) if side == "institution"
                  else (item.center_decision, item.center_reason))
        if posted.decision != ItemDecision.NOT_POOLED:
            posted.reason, posted.reason_text = "", ""
        if (posted.decision, posted.reason) != stored or (
                posted.reason == NotPooledReason.OTHER and posted.reason_text.strip() != item.reason_text):
            decisions[pk] = posted
    return decisions


@require_POST
def inventory_decide(request, number):
    """Save decisions: the rows changed on the page (action=save), one decision for the selected
    rows (action=selected), or every matched line not decided yet into the pool (action=all_pooled)."""
    inventory = _inventory(request, number)
    action = request.POST.get("action", "save")
    try:
        side = inventory_side_check(inventory, request.user)  # the state moved on (reload), or not theirs
        if action == "all_pooled":
            changed = inventory_items_decide_all(inventory=inventory, user=request.user,
                                                 decision=Decision(ItemDecision.POOLED))
        elif action == "selected":
            ids = [int(v) for v in request.POST.getlist("selected") if v.isdigit()]
            if not ids:
                raise WorkflowError("nothing_selected", _("Select the lines first."), status=400)
            changed = inventory_items_decide_all(inventory=inventory, user=request.user, only_undecided=False,
                                                 decision=_posted_decision("bulk-", request.POST), item_ids=ids)
        else:
            changed = inventory_items_decide(inventory=inventory, user=request.user,
                                             decisions=_row_decisions(request, inventory, side))
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(count)s line saved.", "%(count)s lines saved.", changed)
                         % {"count": changed})
    url = _detail_url(inventory, _back_query(request))
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
def inventory_transition(request, number, name):
    """A workflow step from the inventory's page; back to the page, with the outcome as a message."""
    inventory = _inventory(request, number)
    comment = (request.POST.get("comment") or "").strip()[:2000]
    try:
        case_transition(detail=inventory, name=name, actor=request.user, comment=comment)
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    else:
        inventory.case.refresh_from_db()
        messages.success(request, _("Done: the inventory is now “%(status)s”.") % {"status": inventory.case.status_label})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(_detail_url(inventory))


@require_GET
def inventory_items_export(request, number):
    """The lines (the page's filters applied) with their match result and decisions."""
    inventory = _inventory(request, number)
    _filterset, rows = filtered(InventoryItemFilterSet, request.GET, inventory_items(inventory), request)
    return _xlsx(exports.items_xlsx(inventory, rows), exports.export_filename(inventory.case.number))


# --- progress --------------------------------------------------------------------------------

class ProgressFilter(forms.Form):
    league = forms.ModelChoiceField(label=gettext_lazy("League / city"), required=False,
                                    queryset=Region.objects.filter(level="league").order_by("code"),
                                    empty_label=gettext_lazy("All leagues and cities"))

    def league_value(self):
        return self.cleaned_data.get("league") if self.is_valid() else None


def _progress(request) -> tuple[ProgressFilter, dict]:
    form = ProgressFilter(request.GET or None)
    if not (sees_all_inventories(request.user) or institutions_of(request.user).exists()):
        raise PermissionDenied
    return form, inventory_progress(request.user, league=form.league_value())


@require_GET
def progress(request):
    """Progress per institution and per league (operators and leaders: all; an institution: its own)."""
    form, figures = _progress(request)
    query = request.GET.urlencode()
    return render(request, "revitalization/inventory_progress.html", {
        "form": form, "progress": figures,
        "export_url": reverse("revitalization:inventory_progress_export") + (f"?{query}" if query else ""),
    })


@require_GET
def progress_export(request):
    _form, figures = _progress(request)
    return _xlsx(exports.progress_xlsx(figures), exports.export_filename("inventory-progress"))


urlpatterns = [
    path("inventories/", inventory_list, name="inventory_list"),
    path("inventories/export.xlsx", inventory_list_export, name="inventory_list_export"),
    path("inventories/new/", inventory_new, name="inventory_new"),
    path("inventories/template.xlsx", inventory_template, name="inventory_template"),
    path("inventories/progress/", progress, name="inventory_progress"),
    path("inventories/progress/export.xlsx", progress_export, name="inventory_progress_export"),
    path("inventories/<str:number>/", inventory_detail, name="inventory_detail"),
    path("inventories/<str:number>/decide/", inventory_decide, name="inventory_decide"),
    path("inventories/<str:number>/transitions/<str:name>/", inventory_transition, name="inventory_transition"),
    path("inventories/<str:number>/export.xlsx", inventory_items_export, name="inventory_items_export"),
]
