"""The examiner's opinion while it is being written: every save is a new draft version, so
what the examiner thought at each point stays readable (the version sent with a correction
request, a qualification or a refusal is made by services.workflow when the step is taken)."""

from django.db import transaction
from django.utils.translation import gettext as _

from zhibao.core.services.cases import WorkflowError

from .. import rules as r
from ..choices import PreExamState
from ..models import Opinion, PreExamCase

OPINION_MAX_LENGTH = 20_000


def latest_draft(detail: PreExamCase) -> Opinion | None:
    """The newest opinion version if it is still a draft (a sent version ends the draft)."""
    last = detail.opinions.order_by("-version").first()
    return last if last is not None and last.is_draft else None


@transaction.atomic
def opinion_draft_save(*, detail: PreExamCase, examiner, text: str) -> tuple[Opinion, bool]:
    """Save `text` as the next draft version of the opinion; returns (opinion, created).

    Only the examiner the case is assigned to writes it, and only during pre-examination
    (state EXAMINING). Saving the same text as the current draft makes no new version.
    """
    # The case row's lock serialises two saves of the same case, so versions never collide.
    locked = PreExamCase.objects.select_for_update().select_related("case", "field").get(pk=detail.pk)
    if not r.assigned_examiner(locked, examiner):
        raise WorkflowError("forbidden", _("Only the examiner the case is assigned to writes its opinion."),
                            status=403)
    if locked.state != PreExamState.EXAMINING:
        raise WorkflowError("not_examining", _(
            "The opinion is written during pre-examination: start the pre-examination first (the case is "
            "“%(state)s”).") % {"state": PreExamState(locked.state).label})
    text = (text or "").strip()
    if not text:
        raise WorkflowError("text_required", _("Write the opinion before saving it."),
                            fields={"text": [_("Required.")]}, status=400)
    if len(text) > OPINION_MAX_LENGTH:
        raise WorkflowError("text_too_long", _("The opinion is longer than %(max)d characters.")
                            % {"max": OPINION_MAX_LENGTH}, fields={"text": [_("Too long.")]}, status=400)
    last = locked.opinions.order_by("-version").first()
    if last is not None and last.is_draft and last.text == text and last.examiner_id == examiner.pk:
        return last, False
    opinion = Opinion(pre_exam_case=locked, examiner=examiner, version=(last.version + 1) if last else 1, text=text,
                      kind="")
    opinion.full_clean()
    opinion.save()
    return opinion, True
