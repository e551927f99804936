"""The navigation projects list's filters (API; the pages may use the same one)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ProjectState, Purpose
from ..models import NavigationProject


class ProjectFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ProjectState.choices, label=_("State"), empty_label=_("All states"))
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices, label=_("Purpose"), empty_label=_("Any purpose"))
    q = django_filters.CharFilter(method="filter_q", max_length=100, label=_("Title or industry"))

    class Meta:
        model = NavigationProject
        fields = ["state", "purpose", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(industry__icontains=value) | Q(case__number=value))
