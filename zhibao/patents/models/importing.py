from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportPreset(models.Model):
    """A saved column mapping for patent imports: source column header → corpus field.

    The built-in presets (the 61-column Chinese database export, the platform's JSONL) live in
    code (patents.importing.presets); these are the ones users save from the mapping step."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="patent_import_presets", verbose_name=_("owner"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import preset")
        verbose_name_plural = _("import presets")

    def __str__(self) -> str:
        return self.name
