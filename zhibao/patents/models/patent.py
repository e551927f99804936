from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import ApplicantType, LegalStatus, PatentType


class Patent(models.Model):
    """One patent document of the corpus, keyed by its normalised publication number.

    The corpus is written by imports in batches of thousands and read through the search
    engine (patents.search), so the many-valued fields are kept on the row as JSON lists in
    their original order — applicants (with address, region and type), inventors, IPC codes,
    legal events — instead of join tables: one row is one index document, an upsert is one
    statement, and order (the first applicant, the main IPC) is kept. The first applicant's
    region and the main IPC are denormalised into indexed columns for database-side filters.
    See docs/decisions.md ("patent corpus").
    """

    publication_number = models.CharField(_("publication number"), max_length=20, unique=True)
    application_number = models.CharField(_("application number"), max_length=40, db_index=True)
    grant_number = models.CharField(_("grant number"), max_length=20, blank=True)
    patent_type = models.CharField(_("patent type"), max_length=20, choices=PatentType.choices)
    title = models.CharField(_("title"), max_length=500)
    abstract = models.TextField(_("abstract"), blank=True)
    first_claim = models.TextField(_("first claim"), blank=True)

    # [{"name", "address", "province", "city", "county", "type"}], in the document's order.
    applicants = models.JSONField(_("applicants"), default=list, blank=True)
    first_applicant = models.CharField(_("first applicant"), max_length=300, blank=True, db_index=True)
    applicant_type = models.CharField(_("applicant type"), max_length=20, choices=ApplicantType.choices,
                                      default=ApplicantType.OTHER)
    current_holders = models.JSONField(_("current rights holders"), default=list, blank=True)
    province = models.CharField(_("province"), max_length=20, blank=True, db_index=True)
    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    county = models.CharField(_("county"), max_length=30, blank=True)
    # GB/T 2260 codes of the Inner Mongolia league and banner, when the first applicant is there.
    league_code = models.CharField(_("league"), max_length=6, blank=True, db_index=True)
    banner_code = models.CharField(_("banner / county"), max_length=6, blank=True)

    inventors = models.JSONField(_("inventors"), default=list, blank=True)
    agency = models.CharField(_("patent agency"), max_length=200, blank=True)
    agents = models.JSONField(_("patent agents"), default=list, blank=True)

    ipc_main = models.CharField(_("main IPC"), max_length=20, blank=True, db_index=True)
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True)
    cpc_codes = models.JSONField(_("CPC codes"), default=list, blank=True)
    # [{"number", "date"}]
    priorities = models.JSONField(_("priorities"), default=list, blank=True)

    application_date = models.DateField(_("application date"), null=True, blank=True, db_index=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)

    legal_status = models.CharField(_("legal status"), max_length=20, choices=LegalStatus.choices,
                                    default=LegalStatus.UNKNOWN, db_index=True)
    legal_status_raw = models.CharField(_("legal status as published"), max_length=100, blank=True)
    # [{"date", "event", "detail"}], oldest first.
    legal_events = models.JSONField(_("legal events"), default=list, blank=True)

    citation_count = models.PositiveIntegerField(_("citations"), default=0)
    cited_patents = models.JSONField(_("cited patents"), default=list, blank=True)
    family = models.JSONField(_("family members"), default=list, blank=True)
    family_size = models.PositiveIntegerField(_("family size"), default=0)
    transfer_count = models.PositiveIntegerField(_("transfers"), default=0)
    licence_count = models.PositiveIntegerField(_("licences"), default=0)
    pledge_count = models.PositiveIntegerField(_("pledges"), default=0)
    claims_count = models.PositiveIntegerField(_("claims"), default=0)

    source_file = models.CharField(_("source file"), max_length=255, blank=True)
    # Hash of every normalised field: re-importing an unchanged record writes nothing.
    content_hash = models.CharField(_("content hash"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-application_date", "publication_number"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")

    def __str__(self) -> str:
        return f"{self.publication_number} {self.title}"

    @property
    def applicant_names(self) -> list[str]:
        return [a.get("name", "") for a in self.applicants if a.get("name")]

    @property
    def ipc_subclasses(self) -> list[str]:
        return list(dict.fromkeys(code[:4] for code in self.ipc_codes if len(code) >= 4))

    @property
    def legal_status_badge(self) -> str:
        return LegalStatus(self.legal_status).badge
