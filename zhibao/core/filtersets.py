"""One FilterSet for the case lists: the pages, the API filter and the Excel export."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case
from .registry import registry


class YesNoAll(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("All")), ("true", _("Yes")), ("false", _("No")))


class OpenClosedAll(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("All")), ("true", _("Open")), ("false", _("Closed")))


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    # Callable choices: services register at start-up, and a schema generator may build the
    # form field once and cache it on the class-level filter.
    service = django_filters.ChoiceFilter(label=_("Service"), choices=registry.choices, method="filter_service",
                                          empty_label=_("All services"))
    status = django_filters.CharFilter(label=_("Status"), max_length=32)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue", widget=YesNoAll)
    open = django_filters.BooleanFilter(label=_("Open or closed"), method="filter_open", widget=OpenClosedAll)
    submitted_after = django_filters.DateFilter(label=_("Submitted from"), field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = django_filters.DateFilter(label=_("Submitted to"), field_name="submitted_at", lookup_expr="date__lte")

    class Meta:
        model = Case
        fields = ["q", "service", "status", "overdue", "open", "submitted_after", "submitted_before"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(organization__name__icontains=value))

    def filter_service(self, queryset, name, value):
        return queryset.filter(service=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        overdue = Q(closed_at__isnull=True, deadline__lt=today)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(closed_at__isnull=value)
