import rules

from zhibao.core.choices import Role
from zhibao.core.rules import has_role

from .choices import MembershipRole


@rules.predicate
def is_org_member(user, org) -> bool:
    return org is not None and user.memberships.filter(organization=org).exists()


@rules.predicate
def is_org_owner(user, org) -> bool:
    return org is not None and user.memberships.filter(organization=org, role=MembershipRole.OWNER).exists()


is_org_staff = has_role(Role.CLERK, Role.EXAMINER, Role.OPERATOR, Role.LEADER, Role.SYSADMIN)

rules.add_perm("accounts.view_organization", is_org_member | is_org_staff)
rules.add_perm("accounts.change_organization", is_org_owner)
