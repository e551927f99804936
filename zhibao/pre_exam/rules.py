"""Who may do what in the pre-examination channel (transition permissions and page rules).

Staff act only on cases of the fields they serve, and never on a case their own organization
submitted (separation of duties); the applicant side is the case's applicant and the members
of its organization. `None` as the user is the platform itself (the deadline sweep, the grant
match of an import): only the system transitions accept it, and no request ever passes it.
"""

import rules

from zhibao.core.choices import Role
from zhibao.core.rules import has_role, role_names

is_examiner = has_role(Role.EXAMINER)
is_clerk = has_role(Role.CLERK)
is_leader = has_role(Role.LEADER)


def _member_of(user, organization_id) -> bool:
    return bool(organization_id) and user.memberships.filter(organization_id=organization_id).exists()


def is_own_case(user, case) -> bool:
    """The user is on the applicant side of the case: they filed it or belong to its organization."""
    return case.applicant_id == user.pk or _member_of(user, case.organization_id)


def serves_field(user, field) -> bool:
    """An examiner of the field, or its lead."""
    if field is None or not getattr(user, "is_authenticated", False) or Role.EXAMINER not in role_names(user):
        return False
    return field.lead_id == user.pk or field.examiners.filter(pk=user.pk).exists()


def leads_field(user, field) -> bool:
    return field is not None and getattr(user, "is_authenticated", False) and field.lead_id == user.pk


# --- transition permissions: (instance, user) -> bool ---------------------------------------

def system_only(instance, user) -> bool:
    return user is None


def applicant_side(instance, user) -> bool:
    return user is not None and is_own_case(user, instance.case)


def field_staff(instance, user) -> bool:
    """Formal check, recording CNIPA's decision: any examiner or the lead of the case's field."""
    return user is not None and not is_own_case(user, instance.case) and serves_field(user, instance.field)


def field_staff_or_system(instance, user) -> bool:
    return user is None or field_staff(instance, user)


def assigned_examiner(instance, user) -> bool:
    """The pre-examination itself: the examiner the case is assigned to."""
    return (user is not None and instance.case.assignee_id == user.pk and not is_own_case(user, instance.case)
            and serves_field(user, instance.field))


def field_lead(instance, user) -> bool:
    return user is not None and not is_own_case(user, instance.case) and leads_field(user, instance.field)


def applicant_or_field_staff(instance, user) -> bool:
    return applicant_side(instance, user) or field_staff(instance, user)


def filing_owner(instance, user) -> bool:
    """A filing is the organization's own business: only its owners apply for it (filing_submit),
    so only they resubmit or withdraw it — not any member (as for the ORG verification)."""
    from zhibao.accounts.choices import MembershipRole

    return user is not None and instance.organization.memberships.filter(user=user, role=MembershipRole.OWNER).exists()


def filing_reviewer(instance, user) -> bool:
    """A filing is reviewed by a workstation clerk outside the organization."""
    return user is not None and is_clerk(user) and not is_own_case(user, instance.case)


# --- page rules ----------------------------------------------------------------------------

@rules.predicate
def works_in_pre_exam(user) -> bool:
    return bool(role_names(user) & {Role.EXAMINER, Role.LEADER})


@rules.predicate
def sees_statistics(user) -> bool:
    return bool(role_names(user) & {Role.EXAMINER, Role.LEADER, Role.CLERK})


rules.add_perm("pre_exam.view_workbench", works_in_pre_exam)
rules.add_perm("pre_exam.view_statistics", sees_statistics)
