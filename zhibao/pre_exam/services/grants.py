"""The grant match: a case filed at CNIPA is closed as granted when the corpus brings the
granted patent with its application number (an import of CNIPA's data does it; nobody types
the grant in twice)."""

from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError, case_transition
from zhibao.patents.choices import LegalStatus
from zhibao.patents.models import Patent

from ..choices import PreExamState
from ..models import PreExamCase


def grant_match() -> int:
    """Close every filed case whose application the corpus shows granted; returns how many."""
    filed = dict(PreExamCase.objects.filter(state=PreExamState.FILED).exclude(cnipa_application_number="")
                 .values_list("cnipa_application_number", "pk"))
    if not filed:
        return 0
    done = 0
    numbers = list(filed)
    for start in range(0, len(numbers), 500):
        granted = (Patent.objects.filter(application_number__in=numbers[start:start + 500])
                   .exclude(grant_date=None).exclude(legal_status=LegalStatus.REJECTED)
                   .values_list("application_number", "grant_date", "grant_number", "publication_number"))
        for number, grant_date, grant_number, publication_number in granted:
            detail = PreExamCase.objects.select_related("case").get(pk=filed[number])
            payload = {"granted_on": grant_date.isoformat(),
                       "grant_publication_number": grant_number or publication_number}
            try:
                case_transition(detail=detail, name="record_grant", actor=None, payload=payload,
                                comment=_("Granted: matched with %(number)s in the patent corpus.")
                                % {"number": grant_number or publication_number})
            except WorkflowError:
                continue
            done += 1
    return done
