"""预审备案: the approval notice, renewal before the filing ends (the new validity follows on
from the current one's last day), the one reminder when renewal opens, on pages and API."""

import datetime as dt

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from zhibao.core.models import Attachment, Notification
from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.pre_exam.models import Filing, PreExamConfig
from zhibao.pre_exam.services.filings import filing_expiry_reminders, renewal_is_open, valid_filing_of
from zhibao.pre_exam.services.sweep import pre_exam_sweep

from .conftest import file_org, verify
from .test_filing import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(alice, alice_org, clerk, fields):
    verify(alice_org, alice, clerk)
    return file_org(alice_org, alice, clerk, [fields["new_materials"], fields["new_energy"]])


def on(day: dt.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), tick=False)


def window_opens(filing) -> dt.date:
    return filing.valid_until - dt.timedelta(days=PreExamConfig.current().filing_renewal_days)


def approve(filing, clerk, **payload):
    filing = case_transition(detail=filing, name="accept", actor=clerk)
    return case_transition(detail=filing, name="approve", actor=clerk, payload=payload or None)


# --- the approval notice -----------------------------------------------------------------------

def test_approval_issues_the_filing_notice_as_a_letter_of_the_case(filed, alice, bob, client):
    letter = Attachment.objects.get(case=filed.case, kind="pe_letter")
    assert letter.content_type == "application/pdf" and letter.file.read(5) == b"%PDF-"
    assert filed.case.number in letter.original_name
    url = reverse("core:attachment_download", args=[letter.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_a_rejected_filing_gets_no_approval_notice(alice, alice_org, clerk, fields):
    verify(alice_org, alice, clerk)
    filing = case_transition(detail=submit(alice_org, alice, fields), name="accept", actor=clerk)
    case_transition(detail=filing, name="reject", actor=clerk, comment="营业执照已过期")
    assert not Attachment.objects.filter(case=filing.case, kind="pe_letter").exists()


# --- renewal -----------------------------------------------------------------------------------

def test_renewal_is_refused_before_its_window_opens_and_says_when(filed, alice, fields):
    with pytest.raises(WorkflowError) as err:
        submit(filed.organization, alice, fields)
    assert err.value.code == "already_filed" and err.value.status == 409
    assert window_opens(filed).isoformat() in err.value.message
    with on(window_opens(filed) - dt.timedelta(days=1)):
        assert not renewal_is_open(filed)
        with pytest.raises(WorkflowError):
            submit(filed.organization, alice, fields)


def test_a_renewal_in_the_window_follows_on_from_the_current_filing(filed, alice, clerk, fields):
    old_end = filed.valid_until
    with on(window_opens(filed)):
        assert renewal_is_open(filed)
        renewal = submit(filed.organization, alice, fields)
        assert renewal.renews == filed and "续" in renewal.case.title
        assert not renewal_is_open(filed)  # one renewal at a time
        with pytest.raises(WorkflowError) as err:
            submit(filed.organization, alice, fields)
        assert err.value.code == "duplicate_filing"
        renewal = approve(renewal, clerk)
        assert renewal.valid_until == old_end + relativedelta(months=24)  # no day lost
        assert Filing.objects.get(pk=filed.pk).is_valid  # the old one runs to its end
        assert valid_filing_of(filed.organization) == renewal
        assert not renewal_is_open(Filing.objects.get(pk=filed.pk))
        with pytest.raises(WorkflowError) as err:  # the renewal's own window is two years away
            submit(filed.organization, alice, fields)
        assert err.value.code == "already_filed"
    with on(old_end + dt.timedelta(days=1)):
        assert valid_filing_of(filed.organization) == renewal


def test_a_renewals_chosen_end_must_be_after_the_current_filings_end(filed, alice, clerk, fields):
    with on(window_opens(filed)):
        renewal = case_transition(detail=submit(filed.organization, alice, fields), name="accept", actor=clerk)
        with pytest.raises(WorkflowError) as err:
            case_transition(detail=renewal, name="approve", actor=clerk,
                            payload={"valid_until": filed.valid_until.isoformat()})
        assert err.value.code == "bad_date" and filed.valid_until.isoformat() in err.value.message
        later = filed.valid_until + dt.timedelta(days=365)
        renewal = case_transition(detail=renewal, name="approve", actor=clerk,
                                  payload={"valid_until": later.isoformat()})
        assert renewal.valid_until == later


def test_after_expiry_a_new_filing_is_not_a_renewal(filed, alice, clerk, fields):
    with on(filed.valid_until + dt.timedelta(days=3)):
        again = submit(filed.organization, alice, fields)
        assert again.renews is None
        again = approve(again, clerk)
        assert again.valid_until == timezone.localdate() + relativedelta(months=24)


# --- the reminder ------------------------------------------------------------------------------

def reminders(alice, filing):
    return Notification.objects.filter(recipient=alice, title__contains=filing.valid_until.isoformat()).count()


def test_the_applicant_is_reminded_once_when_renewal_opens(filed, alice, fields):
    before = reminders(alice, filed)
    with on(window_opens(filed) - dt.timedelta(days=1)):
        assert filing_expiry_reminders() == 0
    with on(window_opens(filed)):
        result = pre_exam_sweep()
        assert result["filings_reminded"] == 1
        note = Notification.objects.filter(recipient=alice).latest("pk")
        assert filed.valid_until.isoformat() in note.title and note.case_id == filed.case_id
        assert pre_exam_sweep()["filings_reminded"] == 0  # once
    assert reminders(alice, filed) == before + 1


def test_a_renewed_filing_is_not_reminded(filed, alice, fields):
    with on(window_opens(filed)):
        submit(filed.organization, alice, fields)
        assert filing_expiry_reminders() == 0


# --- pages and API -----------------------------------------------------------------------------

def test_pages_offer_the_renewal_and_prefill_it(filed, alice, client):
    client.force_login(alice)
    listing, case_page = reverse("pre_exam:filing_list"), filed.case.get_absolute_url()
    assert "续期" not in client.get(listing).content.decode()
    assert 'id="renew-filing"' not in client.get(case_page).content.decode()
    with on(window_opens(filed)):
        client.force_login(alice)  # the first session has expired two years on
        page = client.get(listing).content.decode()
        assert f"?organization={filed.organization_id}" in page and "续期" in page
        assert 'id="renew-filing"' in client.get(case_page).content.decode()
        form = client.get(reverse("pre_exam:filing_new") + f"?organization={filed.organization_id}")
        body = form.content.decode()
        assert 'id="renewing"' in body and filed.case.number in body and filed.business_scope in body
        assert form.context["form"].initial["contact_name"] == filed.contact_name


def test_the_renewal_form_does_not_prefill_from_a_strangers_filing(filed, bob, client):
    with on(window_opens(filed)):
        client.force_login(bob)
        body = client.get(reverse("pre_exam:filing_new") + f"?organization={filed.organization_id}").content.decode()
    assert 'id="renewing"' not in body and filed.business_scope not in body


def test_the_api_shows_the_renewal(filed, alice, clerk, fields, client):
    client.force_login(alice)
    url = reverse("api-pre-exam-filing-detail", args=[filed.case.number])
    assert client.get(url).json()["renewal_open"] is False
    with on(window_opens(filed)):
        client.force_login(alice)
        assert client.get(url).json()["renewal_open"] is True
        renewal = submit(filed.organization, alice, fields)
        data = client.get(reverse("api-pre-exam-filing-detail", args=[renewal.case.number])).json()
        assert data["renews"] == filed.case.number and data["renewal_open"] is False
        assert client.get(url).json()["renewal_open"] is False
