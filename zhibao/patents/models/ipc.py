from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import IpcLevel


class IpcCode(models.Model):
    """A symbol of the International Patent Classification with its Chinese title and notes.

    Loaded by `zhibao load-ipc` from the CNIPA Chinese scheme; `code` is the canonical spelling
    of patents.normalize.parse_ipc (`H01F1/057`), so patents' IPC codes join to it by string.
    """

    code = models.CharField(_("code"), max_length=20, primary_key=True)
    level = models.CharField(_("level"), max_length=12, choices=IpcLevel.choices)
    title = models.TextField(_("title"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"), db_constraint=False)
    notes = models.TextField(_("notes"), blank=True)
    edition = models.CharField(_("edition"), max_length=10, blank=True)
    # Sort key that orders groups numerically (H01F1/057 before H01F10/00).
    sort_key = models.CharField(_("sort key"), max_length=40, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("IPC code")
        verbose_name_plural = _("IPC codes")

    def __str__(self) -> str:
        return f"{self.code} {self.title[:40]}"
