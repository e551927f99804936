from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Collection(models.Model):
    """An industry collection (产业专利数据库): a named saved query plus manual includes and
    excludes, e.g. dairy, forage grass, rare earth. Its members are computed by the search
    engine — (query OR included) AND NOT excluded — so it is always current; `patent_count`
    and `refreshed_at` are refreshed after every import."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    query = models.TextField(_("search query"), blank=True)
    includes = models.JSONField(_("included publication numbers"), default=list, blank=True)
    excludes = models.JSONField(_("excluded publication numbers"), default=list, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="patent_collections", verbose_name=_("owner"))
    patent_count = models.PositiveIntegerField(_("patents"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("industry collection")
        verbose_name_plural = _("industry collections")

    def __str__(self) -> str:
        return self.name
