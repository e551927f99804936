from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.Model):
    """A class of 国民经济行业分类 GB/T 4754-2017: section (门类), division, group or class.

    Loaded with `zhibao load-industries PATH`; organizations name their industry by code.
    """

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), help_text=_("1 section, 2 division, 3 group, 4 class"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
