"""Roadshows: operators announce them; verified enterprises register until the start and cancel
before it; attendance afterwards; intents on presented patents open deals."""

import datetime as dt

import pytest
from django.utils import timezone

from zhibao.accounts.choices import OrganizationKind
from zhibao.conftest import make_org
from zhibao.core.services.cases import WorkflowError
from zhibao.revitalization.choices import DealState, RoadshowState
from zhibao.revitalization.models import Roadshow, RoadshowRegistration
from zhibao.revitalization.services import roadshows as service
from zhibao.revitalization.services.pool import pool_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(corpus, uni_org, operator):
    return pool_add(patent=corpus["CN111000001B"], holder=uni_org, actor=operator)[0]


@pytest.fixture
def roadshow(listed, operator):
    return service.roadshow_create(actor=operator, title="稀土新材料专利路演", starts_at=timezone.now() + dt.timedelta(days=7),
                                   place="包头市稀土高新区会展中心", patents=[listed])


def started(roadshow):
    Roadshow.objects.filter(pk=roadshow.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    roadshow.refresh_from_db()
    return roadshow


@pytest.mark.parametrize("persona", ["uni", "alice", "bob", "leader"])
def test_only_operators_create_roadshows(persona, people, listed):
    with pytest.raises(WorkflowError) as err:
        service.roadshow_create(actor=people[persona], title="x", starts_at=timezone.now() + dt.timedelta(days=1),
                                place="呼和浩特")
    assert err.value.status == 403 and not Roadshow.objects.exists()


def test_a_roadshow_needs_a_place_or_an_address_and_a_future_start(operator):
    with pytest.raises(WorkflowError) as err:
        service.roadshow_create(actor=operator, title="x", starts_at=timezone.now() + dt.timedelta(days=1))
    assert err.value.code == "no_place"
    with pytest.raises(WorkflowError) as err:
        service.roadshow_create(actor=operator, title="x", starts_at=timezone.now() - dt.timedelta(days=1),
                                online_url="https://meeting.example.org/123")
    assert err.value.code == "in_the_past"


def test_an_enterprise_registers_changes_and_cancels_before_the_start(roadshow, alice, alice_org):
    reg, created = service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice, attendees=3)
    assert created and reg.attendees == 3
    reg, created = service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice, attendees=2)
    assert not created and RoadshowRegistration.objects.get().attendees == 2
    service.roadshow_registration_cancel(registration=reg, user=alice)
    assert not RoadshowRegistration.objects.exists()


def test_registration_rules(roadshow, alice, alice_org, bob, uni, uni_org):
    with pytest.raises(WorkflowError) as err:
        service.roadshow_register(roadshow=roadshow, organization=alice_org, user=bob)
    assert err.value.status == 403
    with pytest.raises(WorkflowError) as err:
        service.roadshow_register(roadshow=roadshow, organization=uni_org, user=uni)
    assert err.value.code == "not_enterprise"
    unverified = make_org(bob, "赤峰未认证科技有限公司", 10000099, kind=OrganizationKind.ENTERPRISE)
    with pytest.raises(WorkflowError) as err:
        service.roadshow_register(roadshow=roadshow, organization=unverified, user=bob)
    assert err.value.code == "organization_not_verified"
    for n in (0, 51):
        with pytest.raises(WorkflowError) as err:
            service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice, attendees=n)
        assert err.value.code == "bad_attendees"


def test_no_registration_or_cancellation_after_the_start(roadshow, alice, alice_org, bob, bob_org):
    reg, _ = service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice)
    started(roadshow)
    with pytest.raises(WorkflowError) as err:
        service.roadshow_register(roadshow=roadshow, organization=bob_org, user=bob)
    assert err.value.code == "registration_closed"
    with pytest.raises(WorkflowError) as err:
        service.roadshow_registration_cancel(registration=reg, user=alice)
    assert err.value.code == "registration_closed"
    with pytest.raises(WorkflowError) as err:
        service.roadshow_registration_cancel(registration=reg, user=bob)
    assert err.value.status == 403


def test_attendance_after_the_start_marks_it_held(roadshow, operator, alice, alice_org, bob, bob_org):
    a, _ = service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice)
    b, _ = service.roadshow_register(roadshow=roadshow, organization=bob_org, user=bob, attendees=2)
    with pytest.raises(WorkflowError) as err:
        service.roadshow_attendance_record(roadshow=roadshow, actor=operator, attended={a.pk: True})
    assert err.value.code == "not_started"
    started(roadshow)
    with pytest.raises(WorkflowError) as err:
        service.roadshow_attendance_record(roadshow=roadshow, actor=alice, attended={a.pk: True})
    assert err.value.status == 403
    held = service.roadshow_attendance_record(roadshow=roadshow, actor=operator, attended={a.pk: True, b.pk: False})
    assert held.state == RoadshowState.HELD
    assert dict(RoadshowRegistration.objects.values_list("pk", "attended")) == {a.pk: True, b.pk: False}


def test_an_intent_on_a_presented_patent_once_started(roadshow, listed, corpus, uni_org, operator, alice, alice_org):
    with pytest.raises(WorkflowError) as err:
        service.roadshow_intent(roadshow=roadshow, pool_patent=listed, buyer=alice_org, user=alice, kind="licence")
    assert err.value.code == "not_started"
    started(roadshow)
    other = pool_add(patent=corpus["CN111000002B"], holder=uni_org, actor=operator)[0]
    with pytest.raises(WorkflowError) as err:
        service.roadshow_intent(roadshow=roadshow, pool_patent=other, buyer=alice_org, user=alice, kind="licence")
    assert err.value.code == "not_presented"
    deal, created = service.roadshow_intent(roadshow=roadshow, pool_patent=listed, buyer=alice_org, user=alice,
                                            kind="assignment", note="路演现场洽谈")
    assert created and deal.roadshow == roadshow and deal.state == DealState.INTENT


def test_cancelling_tells_the_registrants(roadshow, operator, alice, alice_org):
    from zhibao.core.models import Notification

    service.roadshow_register(roadshow=roadshow, organization=alice_org, user=alice)
    with pytest.raises(WorkflowError):
        service.roadshow_cancel(roadshow=roadshow, actor=operator, reason="")
    cancelled = service.roadshow_cancel(roadshow=roadshow, actor=operator, reason="场地调整")
    assert cancelled.state == RoadshowState.CANCELLED
    assert Notification.objects.filter(recipient=alice, title__contains="稀土新材料专利路演").exists()
    with pytest.raises(WorkflowError) as err:
        service.roadshow_intent(roadshow=started(cancelled), pool_patent=roadshow.patents.get(), buyer=alice_org,
                                user=alice, kind="licence")
    assert err.value.code == "cancelled"
