"""What the center configures: its technical fields, time limits, the formal checklist, the
letters' templates and the register of abnormal filings. Data, not code: staff edit them in the
admin, and the channel reads them at run time."""

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibao.patents.choices import PatentType
from zhibao.patents.ipc_ranges import ipc_in_prefix, normalize_ipc_prefix, validate_ipc_prefixes

from ..choices import NoticeKind


def _validate_ipc_prefixes(value) -> None:
    # Named in migration 0001; the rule itself is the corpus's.
    validate_ipc_prefixes(value)


def _validate_locarno_classes(value) -> None:
    from ..fields import normalize_locarno

    if not isinstance(value, list):
        raise ValidationError(_("List Locarno classes or subclasses, e.g. [\"13\", \"23-03\"]."))
    for item in value:
        normalize_locarno(item if isinstance(item, str) else repr(item))


def _validate_keywords(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("Keywords are a list of words, e.g. [\"生物\", \"疫苗\"]."))


class TechnicalField(models.Model):
    """One of the center's technical fields (生物, 新材料, 新能源 …): the IPC ranges and keywords
    that define it, the examiners who pre-examine it, its lead and its yearly quota of
    prioritized-examination recommendations."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    ipc_prefixes = models.JSONField(
        _("IPC ranges"), default=list, validators=[_validate_ipc_prefixes],
        help_text=_("IPC prefixes the field covers, e.g. [\"C12N\", \"A61K 36\"]."),
    )
    # Designs are classified by Locarno, not IPC (locarno.py): a design's main code must fall here.
    locarno_classes = models.JSONField(
        _("Locarno classes"), default=list, blank=True, validators=[_validate_locarno_classes],
        help_text=_("Locarno classes or subclasses the field covers for designs, e.g. [\"13\", \"23-03\"]; "
                    "empty: the field takes no designs."),
    )
    keywords = models.JSONField(
        _("keywords"), default=list, blank=True, validators=[_validate_keywords],
        help_text=_("Words of business scopes and titles in the field, e.g. [\"生物\", \"疫苗\"]."),
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("field lead"),
    )
    examiners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="pre_exam_fields", verbose_name=_("examiners"),
    )
    priority_quota = models.PositiveIntegerField(
        _("prioritized-examination quota per year"), default=60,
        help_text=_("How many requests of this field the center may recommend to CNIPA in a calendar year."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("technical field")
        verbose_name_plural = _("technical fields")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ..fields import normalize_locarno

        if isinstance(self.ipc_prefixes, list):
            # A bad range is left as written: the field's validator (_validate_ipc_prefixes) reports it, once.
            with contextlib.suppress(ValidationError):
                self.ipc_prefixes = [normalize_ipc_prefix(p) for p in self.ipc_prefixes]
        if isinstance(self.locarno_classes, list):
            with contextlib.suppress(ValidationError):  # reported by _validate_locarno_classes
                self.locarno_classes = list(dict.fromkeys(normalize_locarno(c) for c in self.locarno_classes))
        if isinstance(self.keywords, list):
            self.keywords = [k.strip() for k in self.keywords if isinstance(k, str) and k.strip()]

    def covers_ipc(self, code: str) -> bool:
        """Whether an IPC code (H01M 10/052) falls in one of the field's ranges (H01M, H01M 10)."""
        return any(ipc_in_prefix(code, prefix) for prefix in self.ipc_prefixes)

    def covers_locarno(self, code: str) -> bool:
        """Whether a design's Locarno code (13-03) falls in one of the field's classes (13) or
        subclasses (13-03)."""
        from ..fields import locarno_in_range

        return any(locarno_in_range(code, prefix) for prefix in self.locarno_classes or [])

    def matches_text(self, text: str) -> bool:
        return any(k in (text or "") for k in self.keywords)


class PreExamConfig(models.Model):
    """The channel's settings (one row): time limits in working days, the qualification's
    window, the ordinary channel's grant cycle to compare against, the region served."""

    formal_check_days = models.PositiveSmallIntegerField(_("formal check (working days)"), default=2,
                                                         validators=[MinValueValidator(1)])
    invention_days = models.PositiveSmallIntegerField(_("pre-examination of an invention (working days)"), default=7,
                                                      validators=[MinValueValidator(1)])
    utility_model_days = models.PositiveSmallIntegerField(
        _("pre-examination of a utility model (working days)"), default=5, validators=[MinValueValidator(1)])
    design_days = models.PositiveSmallIntegerField(_("pre-examination of a design (working days)"), default=5,
                                                   validators=[MinValueValidator(1)])
    reply_days = models.PositiveSmallIntegerField(_("reply to a correction notice (working days)"), default=10,
                                                  validators=[MinValueValidator(1)])
    cnipa_filing_days = models.PositiveSmallIntegerField(
        _("filing at CNIPA after qualification (working days)"), default=10, validators=[MinValueValidator(1)])
    filing_validity_months = models.PositiveSmallIntegerField(_("filing valid for (months)"), default=24,
                                                              validators=[MinValueValidator(1)])
    filing_renewal_days = models.PositiveSmallIntegerField(
        _("renewal of a filing opens (days before it expires)"), default=60, validators=[MinValueValidator(1)],
        help_text=_("From then on the organization may apply again and is reminded once; the new filing's "
                    "validity follows on from the current one's, so no day is lost."))
    ordinary_cycle_days = models.PositiveIntegerField(
        _("ordinary channel's invention grant cycle (days)"), default=472,
        help_text=_("What the statistics compare against: 15.5 months ≈ 472 days (CNIPA, 2023)."),
    )
    region_code_prefix = models.CharField(
        _("region code prefix"), max_length=6, default="15",
        help_text=_("The first digits of the administrative division code (GB/T 2260) served: 15 is Inner Mongolia."),
    )
    region_name = models.CharField(_("region name"), max_length=30, default="内蒙古自治区")
    center_name = models.CharField(_("center's name on letters"), max_length=100, default="内蒙古自治区知识产权保护中心")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pre-examination settings")
        verbose_name_plural = _("pre-examination settings")

    def __str__(self) -> str:
        return str(_("Pre-examination settings"))

    @classmethod
    def current(cls) -> "PreExamConfig":
        config = cls.objects.order_by("pk").first()
        return config if config is not None else cls.objects.create()

    def examination_days(self, patent_type: str) -> int:
        return {PatentType.INVENTION: self.invention_days, PatentType.UTILITY_MODEL: self.utility_model_days,
                PatentType.DESIGN: self.design_days}.get(patent_type, self.invention_days)


class FormalCheckItem(models.Model):
    """One line of the formal check's checklist (形式审查), e.g. "the claims are numbered"."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("check"), max_length=200)
    hint = models.CharField(_("what to fix when it fails"), max_length=300, blank=True)
    patent_types = models.JSONField(
        _("patent types"), default=list, blank=True,
        help_text=_("The types it applies to; empty means every type."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("formal check item")
        verbose_name_plural = _("formal check items")

    def __str__(self) -> str:
        return self.label

    def applies_to(self, patent_type: str) -> bool:
        return not self.patent_types or patent_type in self.patent_types


class NoticeTemplate(models.Model):
    """The text of a letter the center sends, in Django template language, so the center can
    reword it without a release; `{{ case.number }}`, `{{ detail.title }}`, `{{ text }}`,
    `{{ deadline }}`, `{{ config.center_name }}` … are filled in when the PDF is made."""

    kind = models.CharField(_("letter"), max_length=24, choices=NoticeKind.choices, unique=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.template import Context, Template

        for name in ("title", "body"):
            # Compiled and filled in once with nothing: a syntax error, an unknown tag or filter,
            # and an {% include %} of a template that does not exist would otherwise pass here and
            # then refuse every letter of this kind.
            try:
                Template(getattr(self, name)).render(Context({}))
            except Exception as exc:  # noqa: BLE001 — whatever the template engine objects to
                raise ValidationError({name: _("The template has an error: %(error)s") % {"error": exc}})


class AbnormalFilingRecord(models.Model):
    """A record of abnormal patent applications (非正常专利申请, 《关于规范申请专利行为的规定》
    CNIPA order 411, 2021) against an organization: it is flagged and may not use the channel."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="abnormal_filing_records", verbose_name=_("organization"))
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    name = models.CharField(_("name as recorded"), max_length=200)
    reason = models.TextField(_("reason"))
    recorded_on = models.DateField(_("recorded on"))
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("e.g. the CNIPA notice number"))
    active = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on"]
        verbose_name = _("abnormal filing record")
        verbose_name_plural = _("abnormal filing records")

    def __str__(self) -> str:
        return f"{self.name} ({self.recorded_on})"
