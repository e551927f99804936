"""Reads of attachments, filtered by the user: the case page, the download view and the
API call these, so “who may see a file” is the rule of who may see its case."""

from django.db.models import QuerySet

from ..models import Attachment, Case
from ..selectors import cases_visible_to


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Every attachment of a case `user` may open. Attachments not (yet) on a case are
    visible to nobody here."""
    return Attachment.objects.filter(case__in=cases_visible_to(user).values("pk")).select_related("case")


def attachments_for(case: Case | None, user) -> QuerySet[Attachment]:
    """The attachments of `case`, oldest first, or none when `user` may not see the case."""
    if case is None or not user.has_perm("core.view_case", case):
        return Attachment.objects.none()
    return attachments_visible_to(user).filter(case=case).select_related("uploaded_by")
