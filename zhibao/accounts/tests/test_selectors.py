"""The accounts selectors: whom an organization's news reaches."""

import pytest

from zhibao.accounts.choices import MembershipRole
from zhibao.accounts.models import User
from zhibao.accounts.selectors import organization_members
from zhibao.accounts.services import organization_join
from zhibao.conftest import make_user

pytestmark = pytest.mark.django_db


def test_the_members_of_an_organization_are_its_active_users_each_once(alice, alice_org, bob, bob_org):
    carol = make_user("carol")
    organization_join(user=bob, join_code=alice_org.join_code)
    organization_join(user=carol, join_code=alice_org.join_code)
    User.objects.filter(pk=carol.pk).update(is_active=False)  # an account the admin switched off

    assert sorted(u.username for u in organization_members(alice_org)) == ["alice", "bob"]
    assert list(organization_members(alice_org.pk)) == list(organization_members(alice_org))  # by id too
    assert [u.username for u in organization_members(bob_org)] == ["bob"]


def test_roles_keep_only_the_members_with_one_of_them(alice, alice_org, bob):
    organization_join(user=bob, join_code=alice_org.join_code)

    assert [u.username for u in organization_members(alice_org, roles=[MembershipRole.OWNER])] == ["alice"]
    assert [u.username for u in organization_members(alice_org, roles=[MembershipRole.MEMBER])] == ["bob"]
    assert list(organization_members(alice_org, roles=[])) == []
