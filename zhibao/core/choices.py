"""Statuses and kinds of the kernel, each with a translated label and a badge colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BadgedChoices(models.TextChoices):
    """Choices whose values each have a Bootstrap badge colour: a subclass returns them from
    `_badges()` ({value: colour}); a value not listed is "secondary"."""

    @property
    def badge(self) -> str:
        return self._badges().get(self.value, "secondary")

    @classmethod
    def _badges(cls) -> dict:
        return {}


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    LEAGUE = "league", _("League / city")
    COUNTY = "county", _("Banner / county")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")

    @property
    def badge(self) -> str:
        return {"queued": "secondary", "running": "primary", "succeeded": "success", "failed": "danger"}[self.value]


class Role(models.TextChoices):
    """Staff roles, each a django.contrib.auth Group named by its code.

    The three admins are kept apart on purpose (MLPS 2.0 三员分立): the system admin runs
    the platform, the security admin manages accounts and locks, the audit admin reads logs.
    """

    CLERK = "clerk", _("Workstation clerk")
    EXAMINER = "examiner", _("Examiner")
    OPERATOR = "operator", _("Operator")
    ANALYST = "analyst", _("Patent analyst")  # 专利导航 projects
    MEDIATOR = "mediator", _("Mediator")
    EXPERT = "expert", _("Expert")
    LEADER = "leader", _("Leader")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITADMIN = "auditadmin", _("Audit administrator")
