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


class RegionMap(models.Model):
    """A boundary map (GeoJSON FeatureCollection) of China's provinces or of Inner Mongolia's
    leagues or banners, for the ECharts maps of the pages and the charts of server-rendered
    reports. The platform may not fetch anything at run time (the intranet reaches no CDN), so
    the files are loaded once with `zhibao load-maps DIR` (core.maps) and served from here at
    /maps/<name>.json. Features are named as the boundary files name them (内蒙古, 包头市,
    昆都仑区); analytics output the same names so a chart joins on them.
    """

    name = models.CharField(_("name"), max_length=40, unique=True)
    source = models.CharField(_("source file"), max_length=200, blank=True)
    features = models.PositiveIntegerField(_("features"), default=0)
    geojson = models.JSONField(_("GeoJSON"))
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("region map")
        verbose_name_plural = _("region maps")

    def __str__(self) -> str:
        return self.name
