"""What the center configures for revitalization: the region's key industries and the
grading model's weights and thresholds. Data, not code: staff edit them in the admin."""

import contextlib

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhibao.patents.ipc_ranges import (
    ipc_in_prefix,
    normalize_ipc_prefix,
    validate_ipc_prefixes,
    validate_keywords,
)


class KeyIndustry(models.Model):
    """One of the region's key industries (乳业, 牧草, 稀土, 新能源, 煤化工, 生物医药 …), defined by
    IPC ranges and keywords: a patent fits it when an IPC code falls in a range or its title or
    abstract names a keyword. Grading rewards the fit; the pool and demands filter by it."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    ipc_prefixes = models.JSONField(_("IPC ranges"), default=list, validators=[validate_ipc_prefixes],
                                    help_text=_("IPC prefixes of the industry, e.g. [\"A23C\", \"C12N 1\"]."))
    keywords = models.JSONField(_("keywords"), default=list, blank=True, validators=[validate_keywords],
                                help_text=_("Words of titles and abstracts in the industry, e.g. [\"乳酸菌\", \"奶酪\"]."))
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("key industry")
        verbose_name_plural = _("key industries")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if isinstance(self.ipc_prefixes, list):
            with contextlib.suppress(ValidationError):  # the validator reports a bad range, once
                self.ipc_prefixes = [normalize_ipc_prefix(p) for p in self.ipc_prefixes]
        if isinstance(self.keywords, list):
            self.keywords = [k.strip() for k in self.keywords if isinstance(k, str) and k.strip()]

    def covering_ipc(self, codes) -> list[str]:
        """The codes among `codes` that fall in one of the industry's ranges."""
        return [c for c in codes if any(ipc_in_prefix(c, p) for p in self.ipc_prefixes)]

    def keywords_in(self, text: str) -> list[str]:
        return [k for k in self.keywords if k in (text or "")]


def default_weights() -> dict:
    from ..grading import DEFAULT_WEIGHTS

    return dict(DEFAULT_WEIGHTS)


def default_thresholds() -> dict:
    return {"A": 80, "B": 65, "C": 50}


class GradingConfig(models.Model):
    """The grading model (分级分类), one row: a weight per factor (the factors are fixed in
    grading.py, each scoring 0–1; the weights say how many of the 100 points each is worth) and
    the score each grade starts at. Saving a change bumps `version` and queues a regrade."""

    weights = models.JSONField(_("weights"), default=default_weights,
                               help_text=_("Points per factor; they are scaled to add up to 100."))
    thresholds = models.JSONField(_("grade thresholds"), default=default_thresholds,
                                  help_text=_("The lowest score of grades A, B and C; below C is D."))
    evaluation_min_count = models.PositiveSmallIntegerField(
        _("market evaluations needed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Below this many enterprise ratings the market factor counts as neutral (0.5)."))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grading settings")
        verbose_name_plural = _("grading settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "GradingConfig":
        config = cls.objects.order_by("pk").first()
        return config if config is not None else cls.objects.create()

    def clean(self) -> None:
        from ..grading import FACTORS

        if not isinstance(self.weights, dict) or set(self.weights) - set(FACTORS):
            raise ValidationError({"weights": _("Weights are {factor: points} for the factors %(names)s.")
                                   % {"names": ", ".join(FACTORS)}})
        if any(not isinstance(v, int | float) or v < 0 for v in self.weights.values()) or not any(
                self.weights.values()):
            raise ValidationError({"weights": _("Each weight is a number ≥ 0, and at least one is above 0.")})
        t = self.thresholds if isinstance(self.thresholds, dict) else {}
        try:
            a, b, c = (float(t[k]) for k in ("A", "B", "C"))
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"thresholds": _("Give the lowest score of A, B and C, e.g. {\"A\": 80, \"B\": 65, \"C\": 50}.")})
        if not 100 >= a > b > c >= 0:
            raise ValidationError({"thresholds": _("Thresholds must fall: 100 ≥ A > B > C ≥ 0.")})
