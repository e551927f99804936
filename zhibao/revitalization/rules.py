"""Who may do what in revitalization (transition permissions and page rules).

The applicant side of a case is its applicant and the members of its organization (the
institution of an inventory, the enterprise of a demand, the holder of an open licence); the
center's side is the operators (Role.OPERATOR), never on a case of their own organization
(separation of duties). A deal has two parties — the holder and the enterprise — and either
moves it, as does an operator. `None` as the user is the platform itself (the deadline sweep).
"""

import rules

from zhibao.core.choices import Role
from zhibao.core.rules import has_role

is_operator = has_role(Role.OPERATOR)
is_leader = has_role(Role.LEADER)


def member_of(user, organization_id) -> bool:
    return (bool(organization_id) and getattr(user, "is_authenticated", False)
            and user.memberships.filter(organization_id=organization_id).exists())


def is_own_case(user, case) -> bool:
    return case.applicant_id == user.pk or member_of(user, case.organization_id)


# --- transition permissions: (instance, user) -> bool ---------------------------------------

def system_only(instance, user) -> bool:
    return user is None


def applicant_side(instance, user) -> bool:
    return user is not None and is_own_case(user, instance.case)


def operator(instance, user) -> bool:
    return user is not None and is_operator(user) and not is_own_case(user, instance.case)


def applicant_side_or_operator(instance, user) -> bool:
    return applicant_side(instance, user) or operator(instance, user)


def deal_party(instance, user) -> bool:
    return user is not None and (member_of(user, instance.seller_id) or member_of(user, instance.buyer_id)
                                 or instance.case.applicant_id == user.pk)


def deal_party_or_operator(instance, user) -> bool:
    return deal_party(instance, user) or (user is not None and is_operator(user)
                                          and not member_of(user, instance.seller_id)
                                          and not member_of(user, instance.buyer_id))


rules.add_perm("revitalization.manage", is_operator)
rules.add_perm("revitalization.view_statistics", is_operator | is_leader)
