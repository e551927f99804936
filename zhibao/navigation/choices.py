"""States and kinds of patent navigation (专利导航, GB/T 39551-2020), each with a badge colour."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhibao.core.choices import BadgedChoices


class ProjectState(BadgedChoices):
    """A navigation project: the analysts build the tree, run it and write the report while it
    is active; completing it needs a report; a completed project may be reopened for a new
    version and is archived when nobody works on it any more."""

    ACTIVE = "active", pgettext_lazy("navigation state", "In progress")
    COMPLETED = "completed", pgettext_lazy("navigation state", "Completed")
    ARCHIVED = "archived", pgettext_lazy("navigation state", "Archived")
    CANCELLED = "cancelled", pgettext_lazy("navigation state", "Cancelled")

    @classmethod
    def _badges(cls) -> dict:
        return {"active": "primary", "completed": "success", "archived": "light", "cancelled": "secondary"}


PROJECT_CLOSED_STATES = (ProjectState.COMPLETED, ProjectState.ARCHIVED, ProjectState.CANCELLED)


class Purpose(BadgedChoices):
    """What the navigation is for (GB/T 39551-2020 names these kinds of navigation)."""

    INDUSTRY_PLANNING = "industry_planning", _("Industry planning")  # 区域/产业规划类
    ENTERPRISE_OPERATION = "enterprise_operation", _("Enterprise operation")  # 企业经营类
    RD = "rd", _("R&D activity")  # 研发活动类
    TALENT = "talent", _("Talent management")  # 人才管理类
    OTHER = "other", _("Other")


class RunState(BadgedChoices):
    """A snapshot (one run of a project) or a report being made by the worker."""

    QUEUED = "queued", pgettext_lazy("navigation run", "Queued")
    RUNNING = "running", pgettext_lazy("navigation run", "Running")
    READY = "ready", pgettext_lazy("navigation run", "Ready")
    FAILED = "failed", pgettext_lazy("navigation run", "Failed")

    @classmethod
    def _badges(cls) -> dict:
        return {"queued": "secondary", "running": "info", "ready": "success", "failed": "danger"}


class Verdict(BadgedChoices):
    """The region's position in a technology branch (location quotient, see analytics.py)."""

    GAP = "gap", pgettext_lazy("navigation verdict", "Gap")
    STRENGTH = "strength", pgettext_lazy("navigation verdict", "Strength")
    NEUTRAL = "neutral", pgettext_lazy("navigation verdict", "Neutral")

    @classmethod
    def _badges(cls) -> dict:
        return {"gap": "danger", "strength": "success", "neutral": "secondary"}


# The report's closing sections the analyst writes in the browser before generating it
# (GB/T 39551-2020 §7: 结论与建议). Key → heading.
CONCLUSION_SECTIONS = (
    ("summary", _("Summary")),
    ("industry", _("Industry and technology")),
    ("technology", _("Technology findings")),
    ("applicants", _("Applicants and competitors")),
    ("region", _("The region's position")),
    ("recommendations", _("Recommendations")),
)
