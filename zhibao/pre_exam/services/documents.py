"""The applicant's revisions of a pre-examination case: a new version of a document while a
correction notice is open, and the reply that sends them back (every earlier version is kept)."""

from django.db import transaction
from django.utils.translation import gettext as _

from zhibao.core.attachments.services import attachment_add
from zhibao.core.services.cases import WorkflowError, case_transition

from ..choices import PreExamState
from ..models import PreExamCase
from ..rules import is_own_case
from .uploads import StoredFiles


def pre_exam_document_add(*, detail: PreExamCase, kind: str, uploaded_file, user):
    """A new version of an application document, while the applicant revises (a correction
    notice is open: FORMAL_CORRECTION or CORRECTION); every earlier version is kept.

    The case is locked, so a reply (which ends the correction state) and an upload cannot
    interleave: an upload either lands before the reply or is refused.
    """
    with transaction.atomic():
        locked = PreExamCase.objects.select_for_update().select_related("case").get(pk=detail.pk)
        if not is_own_case(user, locked.case):
            raise WorkflowError("forbidden", _("Only the applicant side may revise the application documents."),
                                status=403)
        if locked.state not in (PreExamState.FORMAL_CORRECTION, PreExamState.CORRECTION):
            raise WorkflowError("not_in_correction", _(
                "Documents can be revised only while a correction notice is open; the case is “%(state)s”.")
                % {"state": locked.get_state_display()}, fields={"kind": [_("Not open for revision.")]},
                status=409)
        return attachment_add(case=locked.case, kind=kind, uploaded_file=uploaded_file, user=user)


def pre_exam_reply(*, detail: PreExamCase, user, text: str, documents: dict) -> PreExamCase:
    """Reply to the open correction notice with revised documents ({kind: [files]}), in one
    transaction: refused, no file of the reply stays. The history records the files by hash."""
    with StoredFiles() as files, transaction.atomic():
        for kind, uploads in documents.items():
            for upload in uploads:
                files.stored.append(pre_exam_document_add(detail=detail, kind=kind, uploaded_file=upload, user=user))
        payload = {"attachments": [{"kind": a.kind, "name": a.original_name, "sha256": a.sha256}
                                   for a in files.stored]} if files.stored else None
        return case_transition(detail=detail, name="reply", actor=user, comment=text, payload=payload)
