"""Who may do what in patent navigation.

Navigation is the center's analysts' work (Role.ANALYST). A project is read by whoever may open
its case (core.selectors.cases_visible_to: the analysts, the leaders, the commissioning
organization's members, the creator and the lead); it is changed — tree, runs, conclusions,
reports — only by its lead and team while it is in progress. The lead moves its state.
"""

import rules

from zhibao.core.choices import Role
from zhibao.core.rules import has_role

is_analyst = has_role(Role.ANALYST)
is_leader = has_role(Role.LEADER)


def on_team(user, project) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return (project.lead_id == user.pk or project.case.applicant_id == user.pk
            or project.team.filter(pk=user.pk).exists())


# --- transition permissions: (instance, user) -> bool ---------------------------------------

def project_lead(instance, user) -> bool:
    return user is not None and (instance.lead_id == user.pk or instance.case.applicant_id == user.pk)


@rules.predicate
def may_work_on(user, project) -> bool:
    return is_analyst(user) and on_team(user, project)


rules.add_perm("navigation.add_project", is_analyst)
rules.add_perm("navigation.change_project", may_work_on)
