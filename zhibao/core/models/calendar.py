from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An administrator's override of one day: a holiday or a make-up working day (调休).

    chinese-calendar knows the State Council's published holidays only up to the last
    year it was released for; for later years (and for local decisions) the center's
    administrator enters the days here, and these rows win over the package.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True, help_text=_("e.g. Spring Festival"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays the administrator has entered completely in CalendarDay.

    Until a year unknown to chinese-calendar is marked here, deadlines running into it
    are computed from weekends plus the entered days, and the admin is warned.
    """

    year = models.PositiveIntegerField(_("year"), unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("confirmed holiday year")
        verbose_name_plural = _("confirmed holiday years")

    def __str__(self) -> str:
        return str(self.year)
