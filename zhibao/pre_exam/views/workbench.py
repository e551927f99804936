"""Pages of the pre-examination channel for its staff: the examiner's worklist by field, the
field lead's assignment board, the overdue list, and the steps of a case that need more than
a comment (the formal checklist, the examiner a lead chooses, the opinion, CNIPA's decision).

The steps go through core.services.cases.case_transition like the portal's generic buttons;
the forms here only turn what was posted into the step's payload (services.workflow says
what each payload holds and checks it).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhibao.core.selectors import cases_visible_to
from zhibao.core.services.cases import WorkflowError, case_transition

from .. import rules as r
from ..models import PreExamCase, TechnicalField
from ..selectors import (
    OPEN_STATES,
    REASSIGNABLE_STATES,
    board_fields,
    board_for,
    case_panel,
    fields_in_view,
    fields_led_by,
    is_leader,
    overdue_cases,
    worklist_cases,
)
from ..services.opinions import OPINION_MAX_LENGTH, latest_draft, opinion_draft_save
from ..services.workflow import checklist_for

PAGE_SIZE = 30


# --- who may open the workbench -----------------------------------------------------------------

def _require_workbench(request) -> None:
    if not request.user.has_perm("pre_exam.view_workbench"):
        raise PermissionDenied


def _nav(request, active: str) -> dict:
    user = request.user
    return {"active_tab": active, "show_board": is_leader(user) or fields_led_by(user).exists()}


def _detail(request, number) -> PreExamCase:
    """The PE case `number` if the user may see it; everyone else gets 404 (no hint it exists)."""
    case = get_object_or_404(cases_visible_to(request.user).filter(service="PE"), number=number)
    if not request.user.has_perm("core.view_case", case):
        raise Http404
    return PreExamCase.objects.select_related("case", "field", "filing").get(case=case)


def _back(request, detail: PreExamCase, anchor: str = ""):
    """Where a step returns to: the posted `next` when it is one of ours, else the case page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(detail.case.get_absolute_url() + anchor)


# --- the worklist -------------------------------------------------------------------------------

class WorklistFilter(forms.Form):
    SCOPES = [("fields", gettext_lazy("All of my fields")), ("mine", gettext_lazy("Assigned to me")),
              ("unassigned", gettext_lazy("Not yet assigned"))]

    field = forms.ModelChoiceField(label=gettext_lazy("Technical field"), queryset=TechnicalField.objects.none(),
                                   to_field_name="code", required=False, empty_label=gettext_lazy("All my fields"))
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False,
                              choices=[("", gettext_lazy("Every open state")), *[(s.value, s.label) for s in OPEN_STATES]])
    scope = forms.ChoiceField(label=gettext_lazy("Cases"), required=False, choices=SCOPES)

    def __init__(self, *args, fields_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].queryset = fields_qs


@require_GET
def worklist(request):
    """/pre-exam/workbench/: the open cases of the fields the examiner serves, overdue first.
    The same view answers the table alone to HTMX (the filter form swaps it in place)."""
    _require_workbench(request)
    filterset = WorklistFilter(request.GET or None, fields_qs=fields_in_view(request.user))
    if filterset.is_bound and not filterset.is_valid():
        results = PreExamCase.objects.none()  # a bad filter shows its error and no rows, never everything
    else:
        data = filterset.cleaned_data if filterset.is_bound else {}
        results = worklist_cases(request.user, field=data.get("field"), state=data.get("state") or "",
                                 scope=data.get("scope") or "fields")
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, **_nav(request, "worklist")}
    if request.htmx:
        return render(request, "pre_exam/worklist.html#results", context)
    return render(request, "pre_exam/worklist.html", context)


# --- the field lead's board --------------------------------------------------------------------

@require_GET
def board(request):
    """/pre-exam/workbench/board/: per field the lead leads, the examiners with their workload
    and cases, the cases awaiting the formal check, and a reassign form per case. A leader
    sees every field, read-only where they do not lead it."""
    _require_workbench(request)
    if not board_fields(request.user).exists():
        raise PermissionDenied
    return render(request, "pre_exam/board.html", {
        "boards": board_for(request.user), "reassignable": [str(s) for s in REASSIGNABLE_STATES],
        **_nav(request, "board")})


# --- overdue ------------------------------------------------------------------------------------

@require_GET
def overdue(request):
    """/pre-exam/workbench/overdue/: open cases past their deadline, with working days overdue."""
    _require_workbench(request)
    return render(request, "pre_exam/overdue.html", {"rows": overdue_cases(request.user), **_nav(request, "overdue")})


# --- steps that need a payload -----------------------------------------------------------------

class StepForm(forms.Form):
    """A step's comment; subclasses add what goes into the payload."""

    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data, *, detail: PreExamCase, user):
        super().__init__(data)
        self.detail, self.user = detail, user

    def comment_text(self) -> str:
        return self.cleaned_data.get("comment") or ""

    def payload(self) -> dict:
        return {}


class _Checklist(StepForm):
    failed = forms.MultipleChoiceField(label=gettext_lazy("Failed checks"), required=False)

    def __init__(self, data, *, detail, user):
        super().__init__(data, detail=detail, user=user)
        self.fields["failed"].choices = [(i.code, i.label) for i in checklist_for(detail)]

    def payload(self) -> dict:
        return {"failed": list(self.cleaned_data.get("failed") or [])}


class PassFormalCheckForm(_Checklist):
    examiner = forms.IntegerField(label=gettext_lazy("Examiner"), required=False, min_value=1)

    def clean_examiner(self):
        value = self.cleaned_data.get("examiner")
        # Automatic assignment decides unless the field's lead overrides it.
        if value and not r.leads_field(self.user, self.detail.field):
            raise forms.ValidationError(_("Only the field lead chooses the examiner; leave it to automatic "
                                          "assignment."))
        return value

    def payload(self) -> dict:
        payload = super().payload()
        if self.cleaned_data.get("examiner"):
            payload["examiner"] = self.cleaned_data["examiner"]
        return payload


class FailFormalCheckForm(_Checklist):
    pass


class ReassignForm(StepForm):
    examiner = forms.IntegerField(label=gettext_lazy("Examiner"), min_value=1)

    def payload(self) -> dict:
        return {"examiner": self.cleaned_data["examiner"]}


class OpinionStepForm(StepForm):
    """Request correction, qualified, not qualified: the comment is the opinion sent; left
    empty, the latest draft is sent."""

    comment = forms.CharField(label=gettext_lazy("Opinion"), required=False, max_length=OPINION_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 10}))

    def comment_text(self) -> str:
        text = (self.cleaned_data.get("comment") or "").strip()
        if not text and (draft := latest_draft(self.detail)) is not None:
            text = draft.text
        return text


class RecordGrantForm(StepForm):
    granted_on = forms.DateField(label=gettext_lazy("Granted on"), required=False)
    grant_publication_number = forms.CharField(label=gettext_lazy("Grant publication number"), required=False,
                                               max_length=20)

    def payload(self) -> dict:
        granted_on = self.cleaned_data.get("granted_on")
        return {"granted_on": granted_on.isoformat() if granted_on else "",
                "grant_publication_number": self.cleaned_data.get("grant_publication_number") or ""}


class RecordRejectionForm(StepForm):
    decided_on = forms.DateField(label=gettext_lazy("CNIPA decision on"), required=False)

    def payload(self) -> dict:
        decided_on = self.cleaned_data.get("decided_on")
        return {"decided_on": decided_on.isoformat()} if decided_on else {}


STEP_FORMS: dict[str, type[StepForm]] = {
    "pass_formal_check": PassFormalCheckForm,
    "fail_formal_check": FailFormalCheckForm,
    "reassign": ReassignForm,
    "request_correction": OpinionStepForm,
    "qualify": OpinionStepForm,
    "disqualify": OpinionStepForm,
    "record_grant": RecordGrantForm,
    "record_rejection": RecordRejectionForm,
}


def _form_errors(form: forms.Form) -> str:
    return " ".join(f"{form.fields[name].label if name in form.fields else ''}: {e}".lstrip(": ")
                    for name, errors in form.errors.items() for e in errors)


@require_POST
def case_step(request, number, name):
    """POST /pre-exam/cases/<number>/step/<name>/: take a staff step with its payload."""
    detail = _detail(request, number)
    form_class = STEP_FORMS.get(name)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, detail=detail, user=request.user)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, detail)
    try:
        detail = case_transition(detail=detail, name=name, actor=request.user, comment=form.comment_text(),
                                 payload=form.payload())
    except WorkflowError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done: the case is now “%(status)s”.") % {"status": detail.case.status_label})
    return _back(request, detail)


# --- the opinion draft --------------------------------------------------------------------------

class OpinionDraftForm(forms.Form):
    comment = forms.CharField(label=gettext_lazy("Opinion"), max_length=OPINION_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 10}))


@require_POST
def opinion_save(request, number):
    """POST /pre-exam/cases/<number>/opinion/: save the opinion as a new draft version. To HTMX
    it answers the editor alone, with the version just saved."""
    detail = _detail(request, number)
    form = OpinionDraftForm(request.POST)
    error, saved = "", None
    if not form.is_valid():
        blank = not request.POST.get("comment", "").strip()
        error = _("Write the opinion before saving it.") if blank else _form_errors(form)
    else:
        try:
            saved, _created = opinion_draft_save(detail=detail, examiner=request.user,
                                                 text=form.cleaned_data["comment"])
        except WorkflowError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            error = exc.message
    if request.htmx:
        detail.refresh_from_db()
        pe = case_panel(detail=detail, user=request.user)
        return render(request, "pre_exam/_ws_opinion.html", {
            "case": detail.case, "detail": detail, "pe": pe, "opinion_error": error, "opinion_saved": saved,
            "opinion_text": request.POST.get("comment", "") if error else None,
        })
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Draft saved as version %(version)d.") % {"version": saved.version})
    return redirect(detail.case.get_absolute_url() + "#pe-opinion")


urlpatterns = [
    path("workbench/", worklist, name="worklist"),
    path("workbench/board/", board, name="board"),
    path("workbench/overdue/", overdue, name="overdue"),
    path("cases/<str:number>/step/<str:name>/", case_step, name="case_step"),
    path("cases/<str:number>/opinion/", opinion_save, name="opinion_save"),
]
