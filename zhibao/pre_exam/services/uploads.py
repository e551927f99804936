"""Uploads of the channel's intake: each file checked once (a form may have checked it already)
and stored with the case, or — when the submission fails after some were written — removed again."""

from zhibao.core.attachments.services import attachment_add, attachment_files_discard
from zhibao.core.attachments.validators import CleanUpload, validate_upload


def checked(kind: str, uploaded_file) -> CleanUpload:
    """The upload as attachment kind `kind`, checked unless a form already did."""
    if isinstance(uploaded_file, CleanUpload) and uploaded_file.kind == kind:
        return uploaded_file
    return validate_upload(kind=kind, uploaded_file=uploaded_file)


class StoredFiles:
    """`with StoredFiles() as files: files.add(...)`: on an exception the files written so far
    are deleted (their rows go with the rolled-back transaction)."""

    def __init__(self):
        self.stored = []

    def add(self, *, case, kind: str, upload: CleanUpload, user):
        attachment = attachment_add(case=case, kind=kind, uploaded_file=upload, user=user)
        self.stored.append(attachment)
        return attachment

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            attachment_files_discard(self.stored)
        return False
