"""The case page of service PE is the portal's generic page including pre_exam/case_pe.html;
this tag gives that template what the viewer may see (selectors.case_panel), since the
generic view knows nothing of the service."""

from django import template

from ..selectors import case_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def pe_case_panel(context, detail, transitions=None):
    """`{% pe_case_panel detail transitions as pe %}`: the panel for the request's user."""
    return case_panel(detail=detail, user=context["request"].user, transitions=transitions)
