"""Who may do what, as django-rules predicates shared by pages, API and exports."""

import rules

from .choices import Role

STAFF_ROLES = frozenset(r.value for r in Role)
# Roles that handle applicants' cases in the workbench.
CASE_ROLES = frozenset({Role.CLERK, Role.EXAMINER, Role.OPERATOR, Role.MEDIATOR, Role.EXPERT, Role.LEADER})


def role_names(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_zhibao_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True)) & STAFF_ROLES
        user._zhibao_roles = cached
    return cached


def has_role(*roles: str):
    wanted = frozenset(str(r) for r in roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def predicate(user) -> bool:
        return bool(role_names(user) & wanted)

    return predicate


@rules.predicate
def is_staff_member(user) -> bool:
    return bool(role_names(user))


@rules.predicate
def is_case_handler(user) -> bool:
    return bool(role_names(user) & CASE_ROLES)


@rules.predicate
def is_case_applicant(user, case) -> bool:
    return case is not None and case.applicant_id == user.pk


@rules.predicate
def is_case_assignee(user, case) -> bool:
    return case is not None and case.assignee_id == user.pk


@rules.predicate
def is_case_role(user, case) -> bool:
    return case is not None and bool(case.assignee_role) and case.assignee_role in role_names(user)


@rules.predicate
def is_member_of_case_organization(user, case) -> bool:
    if case is None or case.organization_id is None:
        return False
    return user.memberships.filter(organization_id=case.organization_id).exists()


@rules.predicate
def handles_case_service(user, case) -> bool:
    """The user holds a role that works in this case's service (need to know)."""
    from .registry import registry

    return case is not None and case.service in registry.services_handled_by(role_names(user) - {Role.EXPERT})


is_leader = has_role(Role.LEADER)

# Experts see only what is assigned to them; other staff see the cases of the services
# their roles work in (the worklist narrows that to what waits for them); leaders see all.
can_view_case = (
    is_case_applicant
    | is_member_of_case_organization
    | is_case_assignee
    | is_case_role
    | is_leader
    | handles_case_service
)

rules.add_perm("core.view_case", can_view_case)
rules.add_perm("core.view_workbench", is_staff_member)
