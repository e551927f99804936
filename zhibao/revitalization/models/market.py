"""路演, 交易 and 开放许可: the events where patents meet enterprises, the deals from intent to
recorded contract (a case of service RVT), and the holders' open-licence declarations (a case
of service RVL) with the licences taken under them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import rules as r
from ..choices import DealKind, DealState, FeeMethod, OpenLicenceState, OperationKind, RoadshowState

T = DealState
L = OpenLicenceState


class Roadshow(models.Model):
    """A roadshow (路演): date, place or online, industry, the pool patents presented; enterprises
    register, attendance is recorded afterwards, and intents link to deals."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online address"), blank=True)
    key_industry = models.ForeignKey("revitalization.KeyIndustry", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="roadshows", verbose_name=_("key industry"))
    description = models.TextField(_("description"), blank=True)
    patents = models.ManyToManyField("revitalization.PoolPatent", blank=True, related_name="roadshows",
                                     verbose_name=_("patents presented"))
    state = models.CharField(_("state"), max_length=12, choices=RoadshowState.choices, default=RoadshowState.PLANNED)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("organizer"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("roadshow")
        verbose_name_plural = _("roadshows")

    def __str__(self) -> str:
        return self.title


class RoadshowRegistration(models.Model):
    roadshow = models.ForeignKey(Roadshow, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("enterprise"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("registered by"))
    attendees = models.PositiveSmallIntegerField(_("people"), default=1)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("roadshow registration")
        verbose_name_plural = _("roadshow registrations")
        constraints = [models.UniqueConstraint(fields=["roadshow", "organization"], name="rv_roadshow_reg_once")]

    def __str__(self) -> str:
        return f"{self.roadshow} · {self.organization}"


class Deal(ConcurrentTransitionMixin, models.Model):
    """A deal on a pool patent: the enterprise's intent (from a match, a roadshow or the patent
    page) → negotiation → a signed contract (parties, kind, amount, dates; the contract DOCX is
    filled from it) → recorded at CNIPA (专利法实施细则 第十五条: assignments are registered,
    licences recorded within three months) — or cancelled."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="revitalization_deal")
    pool_patent = models.ForeignKey("revitalization.PoolPatent", on_delete=models.PROTECT, related_name="deals",
                                    verbose_name=_("patent"))
    seller = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="deals_sold",
                               verbose_name=_("holder"))
    buyer = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="deals_bought",
                              verbose_name=_("enterprise"))
    kind = models.CharField(_("kind"), max_length=16, choices=DealKind.choices)
    match = models.ForeignKey("revitalization.Match", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="deals", verbose_name=_("from match"))
    roadshow = models.ForeignKey(Roadshow, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals",
                                 verbose_name=_("from roadshow"))
    open_licence = models.ForeignKey("revitalization.OpenLicence", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="deals", verbose_name=_("under open licence"))
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("effective from"), null=True, blank=True)
    ends_on = models.DateField(_("effective until"), null=True, blank=True)
    recordal_number = models.CharField(_("CNIPA recordal number"), max_length=40, blank=True)
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)
    state = FSMField(_("state"), default=T.INTENT, choices=T.choices, protected=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")

    def __str__(self) -> str:
        return f"{self.case.number} {self.pool_patent.patent.publication_number}"

    @transition(field=state, source=T.INTENT, target=T.NEGOTIATION, permission=r.deal_party_or_operator,
                custom={"label": _("Start negotiation"), "style": "primary", "comment": "optional"})
    def negotiate(self, *, actor, comment="", payload=None) -> None:
        from ..services.deals import on_deal_negotiation

        on_deal_negotiation(self, actor=actor, comment=comment)

    @transition(field=state, source=T.NEGOTIATION, target=T.CONTRACTED, permission=r.deal_party_or_operator,
                custom={"label": _("Record the signed contract"), "style": "success", "comment": "optional",
                        "form": True})
    def sign(self, *, actor, comment="", payload=None) -> None:
        from ..services.deals import on_deal_signed

        on_deal_signed(self, actor=actor, payload=payload or {})

    @transition(field=state, source=T.CONTRACTED, target=T.RECORDED, permission=r.deal_party_or_operator,
                custom={"label": _("Record the CNIPA recordal"), "style": "success", "comment": "optional",
                        "form": True})
    def record(self, *, actor, comment="", payload=None) -> None:
        from ..services.deals import on_deal_recorded

        on_deal_recorded(self, actor=actor, payload=payload or {})

    @transition(field=state, source=[T.INTENT, T.NEGOTIATION, T.CONTRACTED], target=T.CANCELLED,
                permission=r.deal_party_or_operator,
                custom={"label": _("Cancel"), "style": "outline-danger", "comment": "required"})
    def cancel(self, *, actor, comment="", payload=None) -> None:
        from ..services.deals import on_deal_cancelled

        on_deal_cancelled(self, actor=actor, comment=comment)


class OpenLicence(ConcurrentTransitionMixin, models.Model):
    """开放许可声明 (专利法 第五十条): the holder states the fee method and rate and the term; a
    utility model or design needs its patent evaluation report (专利权评价报告) attached. The
    center checks and publishes it; any enterprise then takes a licence in one step (第五十一条);
    withdrawal (第五十条第二款) stops new licences and leaves those granted valid."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="revitalization_open_licence")
    pool_patent = models.ForeignKey("revitalization.PoolPatent", on_delete=models.PROTECT,
                                    related_name="open_licences", verbose_name=_("patent"))
    holder = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="open_licences",
                               verbose_name=_("holder"))
    fee_method = models.CharField(_("fee method"), max_length=12, choices=FeeMethod.choices)
    lump_sum = models.DecimalField(_("lump sum or down payment (10,000 yuan)"), max_digits=12, decimal_places=2,
                                   null=True, blank=True)
    # xgettext:no-python-format
    royalty_rate = models.DecimalField(_("royalty (% of sales)"), max_digits=5, decimal_places=2, null=True,
                                       blank=True)
    term_years = models.PositiveSmallIntegerField(_("licence term (years)"))
    terms = models.TextField(_("other terms"), blank=True)
    state = FSMField(_("state"), default=L.SUBMITTED, choices=L.choices, protected=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("open licence")
        verbose_name_plural = _("open licences")

    def __str__(self) -> str:
        return f"{self.case.number} {self.pool_patent.patent.publication_number}"

    @transition(field=state, source=L.SUBMITTED, target=L.PUBLISHED, permission=r.operator,
                custom={"label": _("Publish"), "style": "success", "comment": "optional"})
    def publish(self, *, actor, comment="", payload=None) -> None:
        from ..services.licences import on_open_licence_published

        on_open_licence_published(self)

    @transition(field=state, source=L.SUBMITTED, target=L.RETURNED, permission=r.operator,
                custom={"label": _("Return for correction"), "style": "warning", "comment": "required"})
    def return_for_correction(self, *, actor, comment="", payload=None) -> None:
        self.decision_reason = comment

    @transition(field=state, source=L.RETURNED, target=L.SUBMITTED, permission=r.applicant_side,
                custom={"label": _("Resubmit"), "style": "primary", "comment": "optional"})
    def resubmit(self, *, actor, comment="", payload=None) -> None:
        from ..services.licences import open_licence_check

        open_licence_check(self)
        self.case.assignee = None

    @transition(field=state, source=[L.SUBMITTED, L.RETURNED, L.PUBLISHED], target=L.WITHDRAWN,
                permission=r.applicant_side,
                custom={"label": _("Withdraw the declaration"), "style": "outline-danger", "comment": "optional"})
    def withdraw(self, *, actor, comment="", payload=None) -> None:
        from django.utils import timezone

        self.withdrawn_at = timezone.now()


class OpenLicenceGrant(models.Model):
    """A licence taken under a published open licence: the licensee, the day, the notice each
    party receives (PDF) and the deal that records the payment side."""

    open_licence = models.ForeignKey(OpenLicence, on_delete=models.PROTECT, related_name="grants")
    licensee = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="licences_taken",
                                 verbose_name=_("licensee"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("taken by"))
    granted_on = models.DateField(_("granted on"))
    ends_on = models.DateField(_("ends on"))
    notice = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("notice"))
    created_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    class Meta:
        verbose_name = _("licence taken")
        verbose_name_plural = _("licences taken")
        constraints = [models.UniqueConstraint(fields=["open_licence", "licensee"], name="rv_licence_once")]

    def __str__(self) -> str:
        return f"{self.open_licence.case.number} → {self.licensee}"


class Operation(models.Model):
    """One use of the marketplace (search, view, contact, evaluation, interest, intent, deal,
    licence taken): what the statistics count by month, institution, industry and league."""

    kind = models.CharField(_("kind"), max_length=16, choices=OperationKind.choices, db_index=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    pool_patent = models.ForeignKey("revitalization.PoolPatent", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    demand = models.ForeignKey("revitalization.Demand", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("marketplace operation")
        verbose_name_plural = _("marketplace operations")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
