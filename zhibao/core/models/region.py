from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import RegionLevel


class Region(models.Model):
    """An administrative division with its GB/T 2260 code (province, league/city, banner/county).

    Loaded by a data migration from zhibao/core/data/regions.csv: China's provinces and
    Inner Mongolia's 12 leagues/cities and 103 banners/counties.
    """

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name
