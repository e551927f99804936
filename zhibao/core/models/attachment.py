import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Random names only: the user's file name is kept in `original_name`, never on disk.
    from django.utils import timezone

    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """One uploaded file of any service, stored outside the web root under a random name.

    Validated on the way in (core.attachments.validators) and served only through the
    permission-checked download view, as an attachment with nosniff.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        "core.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=40, help_text=_("What the file is, e.g. business licence"))
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def kind_label(self) -> str:
        """What the file is for, as its service registered the kind (core.attachments.kinds)."""
        from ..attachments.kinds import KINDS

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind
