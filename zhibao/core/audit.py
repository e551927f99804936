"""The audit administrator's pages: search security events and the change log (审计管理员)."""

import datetime as dt
import io

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Role
from .models import SecurityEvent, SecurityEventKind
from .rules import role_names
from .services.security import security_event_record


class SecurityEventFilter(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Event"), required=False,
                             choices=[("", gettext_lazy("All events")), *SecurityEventKind.choices])
    username = forms.CharField(label=gettext_lazy("Username"), required=False, max_length=150)
    ip = forms.GenericIPAddressField(label=gettext_lazy("IP address"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, qs):
        data = self.cleaned_data
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("username"):
            qs = qs.filter(username__icontains=data["username"])
        if data.get("ip"):
            qs = qs.filter(ip=data["ip"])
        if data.get("date_from"):
            qs = qs.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(created_at__date__lte=data["date_to"])
        return qs


class ChangeLogFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Object or actor"), required=False, max_length=100)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _require_auditor(user) -> None:
    if Role.AUDITADMIN not in role_names(user):
        raise PermissionDenied


def security_events(request):
    _require_auditor(request.user)
    form = SecurityEventFilter(request.GET or None)
    qs = SecurityEvent.objects.all()
    if form.is_bound and form.is_valid():
        qs = form.filter(qs)
    elif form.is_bound:
        qs = qs.none()
    if request.GET.get("export") == "xlsx" and (not form.is_bound or form.is_valid()):
        return _export(request, qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_security.html", {"form": form, "page": page})


def change_log(request):
    from auditlog.models import LogEntry
    from django.db.models import Q

    _require_auditor(request.user)
    form = ChangeLogFilter(request.GET or None)
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.filter(Q(object_repr__icontains=data["q"]) | Q(actor__username__icontains=data["q"]))
        if data.get("date_from"):
            qs = qs.filter(timestamp__date__gte=data["date_from"])
        if data.get("date_to"):
            qs = qs.filter(timestamp__date__lte=data["date_to"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_changes.html", {"form": form, "page": page})


def _export(request, qs) -> HttpResponse:
    from .spreadsheets import XLSX_CONTENT_TYPE, write_xlsx

    labels = dict(SecurityEventKind.choices)
    rows = ([timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"), str(labels.get(e.kind, e.kind)),
             e.username, e.ip or "", e.path, str(e.detail or "")] for e in qs[:100_000].iterator())
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, title=_("Security events"),
               header=[_("Time"), _("Event"), _("Username"), _("IP address"), _("Address"), _("Details")])
    # Usernames and IP addresses are personal data: exporting them is itself a security event.
    security_event_record(kind=SecurityEventKind.PERSONAL_DATA_EXPORT, request=request, user=request.user,
                          detail={"what": "security_events", "filters": dict(request.GET.items())})
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="security-events-{stamp}.xlsx"'
    return response
