"""Writes of attachments: the one way any service stores an uploaded file."""

import hashlib
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, Case
from .kinds import limits
from .validators import AttachmentRejected, CleanUpload, validate_upload

logger = logging.getLogger(__name__)


def attachment_add(*, case: Case, kind: str, uploaded_file, user) -> Attachment:
    """Check `uploaded_file` as attachment kind `kind` and attach it to `case`.

    `uploaded_file` is an uploaded file, or the CleanUpload a form field or a service
    already made from one (validate_upload), so a file is checked once. Refused files raise
    AttachmentRejected (a ValidationError) and store nothing. The file is written under a
    random name (Attachment.file's upload_to) with the SHA-256 of exactly what was stored.
    """
    if isinstance(uploaded_file, CleanUpload):
        if uploaded_file.kind != kind:
            raise ValueError(f"the file was checked as {uploaded_file.kind!r}, not {kind!r}")
        clean = uploaded_file
    else:
        clean = validate_upload(kind=kind, uploaded_file=uploaded_file)
    lim = limits()
    with transaction.atomic():
        # The case row's lock serialises concurrent uploads, so the per-case limit holds.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        count = Attachment.objects.filter(case=locked).count()
        if count >= lim.max_files_per_case:
            raise AttachmentRejected(
                _("“%(name)s” was not added: this case already has %(count)s files, the most allowed."),
                code="too_many_files",
                params={"name": clean.name, "count": count},
            )
        attachment = Attachment(
            case=locked,
            kind=clean.kind,
            original_name=clean.name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            uploaded_by=user,
            # upload_to reads created_at, which auto_now_add only fills in at save().
            created_at=timezone.now(),
        )
        clean.content.seek(0)
        attachment.file.save("upload", clean.content, save=False)
        try:
            with attachment.file.open("rb") as stored:
                digest = hashlib.sha256()
                for chunk in stored.chunks():
                    digest.update(chunk)
            if digest.hexdigest() != clean.sha256:  # what is on disk is what was checked
                raise OSError(f"stored attachment {attachment.file.name} differs from the checked upload")
            attachment.full_clean()
            attachment.save()
        except BaseException:
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_files_discard(attachments) -> None:
    """Delete the stored files of attachments whose transaction was rolled back.

    The database forgets the rows on rollback but not the files: a caller that stores
    attachments inside a larger transaction calls this when that transaction fails.
    """
    for attachment in attachments:
        try:
            attachment.file.storage.delete(attachment.file.name)
        except OSError:  # pragma: no cover — best effort; an orphan file is only disk space
            logger.warning("could not delete orphan attachment file %s", attachment.file.name)


def attachment_store_generated(*, case: Case, kind: str, name: str, content: bytes, content_type: str,
                               user) -> Attachment:
    """Store a file the platform made itself (a letter, a certificate) on a case.

    Not an upload: nothing to sniff and no per-case upload limit (the applicant's allowance is
    for their own files), but the same random storage name, SHA-256 and download checks.
    """
    from django.core.files.base import ContentFile

    attachment = Attachment(
        case=case, kind=kind, original_name=name[:255], content_type=content_type, size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user, created_at=timezone.now(),
    )
    attachment.file.save("generated", ContentFile(content), save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment
