"""专利导航 (GB/T 39551-2020): a navigation project (a case of service NAV), its technology
breakdown tree (技术分解表), the dated snapshots its runs take and the reports made from them.

A run freezes the tree (names and queries as they were), each node's patent set and every
analytic figure into a Snapshot, so a report always says which data it was made from, two runs
can be compared, and the dashboard reads stored figures instead of asking the engine again.
"""

import zlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from . import rules as r
from .choices import ProjectState, Purpose, RunState

P = ProjectState


class NavigationProject(ConcurrentTransitionMixin, models.Model):
    """One navigation: the industry and purpose, the team, the region it positions, an optional
    scope every node's query is narrowed by (e.g. ``AD>=2005``), the thresholds of the gap and
    strength reading, and the conclusions the analysts write for the report."""

    case = models.OneToOneField("core.Case", on_delete=models.PROTECT, related_name="navigation_project")
    title = models.CharField(_("title"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices, default=Purpose.INDUSTRY_PLANNING)
    description = models.TextField(_("description"), blank=True)
    client = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="navigation_projects", verbose_name=_("commissioned by"))
    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+", default="150000",
                               verbose_name=_("region analysed"))
    scope_query = models.CharField(_("scope of every query"), max_length=500, blank=True, help_text=_(
        "Added with AND to every node's query, e.g. AD>=2005 or TYPE=invention."))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("project lead"))
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="navigation_projects", blank=True,
                                  verbose_name=_("team"))
    # Location quotient thresholds (analytics.verdict): below gap_lq a branch is a gap (短板),
    # from strength_lq on a strength; branches with fewer patents than min_node_patents are not read.
    gap_lq = models.DecimalField(_("gap below LQ"), max_digits=4, decimal_places=2, default=0.5)
    strength_lq = models.DecimalField(_("strength from LQ"), max_digits=4, decimal_places=2, default=1.5)
    min_node_patents = models.PositiveIntegerField(_("minimum patents to judge a branch"), default=20)
    conclusions = models.JSONField(_("conclusions"), default=dict, blank=True)
    state = FSMField(_("state"), default=P.ACTIVE, choices=P.choices, protected=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("navigation project")
        verbose_name_plural = _("navigation projects")

    def __str__(self) -> str:
        return f"{self.case.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.state == P.ACTIVE

    @property
    def state_badge(self) -> str:
        return P(self.state).badge

    @transition(field=state, source=P.ACTIVE, target=P.COMPLETED, permission=r.project_lead,
                conditions=[lambda p: p.reports.filter(state=RunState.READY).exists()],
                custom={"label": _("Complete"), "style": "success", "comment": "optional"})
    def complete(self, *, actor, comment="", payload=None) -> None:
        """Completed with its latest report; the tree and conclusions are then read-only."""

    @transition(field=state, source=P.COMPLETED, target=P.ACTIVE, permission=r.project_lead,
                custom={"label": _("Reopen for a new version"), "style": "outline-primary", "comment": "required"})
    def reopen(self, *, actor, comment="", payload=None) -> None:
        """A new version: earlier snapshots and reports stay as they were."""

    @transition(field=state, source=P.COMPLETED, target=P.ARCHIVED, permission=r.project_lead,
                custom={"label": _("Archive"), "style": "outline-secondary", "comment": "optional"})
    def archive(self, *, actor, comment="", payload=None) -> None:
        pass

    @transition(field=state, source=P.ACTIVE, target=P.CANCELLED, permission=r.project_lead,
                custom={"label": _("Cancel the project"), "style": "outline-danger", "comment": "required"})
    def cancel(self, *, actor, comment="", payload=None) -> None:
        pass


class BreakdownNode(models.Model):
    """A branch of the technology breakdown tree: a Chinese name, a description and a query in
    the corpus query language. Children refine their parent; a node's patents are the union of
    its own query's and its descendants' hits (analytics.effective_queries)."""

    project = models.ForeignKey(NavigationProject, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
                               verbose_name=_("parent branch"))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    query = models.TextField(_("search query"), blank=True, max_length=2000)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("technology branch")
        verbose_name_plural = _("technology branches")

    def __str__(self) -> str:
        return self.name


class Snapshot(models.Model):
    """One run of a project: the tree as it was, each node's patent set and every figure, dated.
    Numbered per project (第 1 版, 第 2 版 …)."""

    project = models.ForeignKey(NavigationProject, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField(_("run"))
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("run by"))
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    taken_at = models.DateTimeField(_("data as of"), null=True, blank=True)
    # The tree as given to the analytics: [{"key", "name", "description", "parent_key", "depth", "query",
    # "effective_query", "node_id"}] (docs: analytics.py).
    tree = models.JSONField(_("tree"), default=list)
    scope_query = models.CharField(_("scope"), max_length=500, blank=True)
    corpus_size = models.PositiveIntegerField(_("patents in the corpus"), default=0)
    total = models.PositiveIntegerField(_("patents in the project"), default=0)
    # project_analytics without the per-node results and patent sets (those are on SnapshotNode).
    analytics = models.JSONField(_("figures"), default=dict, blank=True)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(_("error"), blank=True)
    took_ms = models.FloatField(_("took (ms)"), default=0)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="nav_snapshot_number")]
        verbose_name = _("navigation snapshot")
        verbose_name_plural = _("navigation snapshots")

    def __str__(self) -> str:
        return f"{self.project.title} #{self.number}"

    @property
    def state_badge(self) -> str:
        return RunState(self.state).badge


class SnapshotNode(models.Model):
    """One branch of a snapshot: its patent set (publication numbers, compressed) and figures."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="node_sets")
    key = models.CharField(_("key"), max_length=50)  # "1.2.3": the branch's place in the tree
    node = models.ForeignKey(BreakdownNode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    depth = models.PositiveSmallIntegerField(_("level"), default=1)
    total = models.PositiveIntegerField(_("patents"), default=0)
    numbers_blob = models.BinaryField(_("publication numbers"), default=b"")
    analytics = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["snapshot", "pk"]
        constraints = [models.UniqueConstraint(fields=["snapshot", "key"], name="nav_snapshot_node_key")]
        verbose_name = _("snapshot branch")
        verbose_name_plural = _("snapshot branches")

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    @staticmethod
    def pack(numbers) -> bytes:
        return zlib.compress("\n".join(sorted(numbers)).encode(), 6)

    @property
    def publication_numbers(self) -> list[str]:
        raw = bytes(self.numbers_blob or b"")
        return zlib.decompress(raw).decode().split("\n") if raw else []


class NavigationReport(models.Model):
    """A navigation report (Word and PDF) made from one snapshot, versioned per project."""

    project = models.ForeignKey(NavigationProject, on_delete=models.CASCADE, related_name="reports")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("made by"))
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    conclusions = models.JSONField(_("conclusions"), default=dict, blank=True)  # as they were when made
    # Stored as attachments of the project's case: downloaded through the permission-checked view.
    docx = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("Word"))
    pdf = models.ForeignKey("core.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                            verbose_name=_("PDF"))
    chart_count = models.PositiveSmallIntegerField(_("charts"), default=0)
    page_count = models.PositiveSmallIntegerField(_("pages"), default=0)
    job = models.ForeignKey("core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="nav_report_version")]
        verbose_name = _("navigation report")
        verbose_name_plural = _("navigation reports")

    def __str__(self) -> str:
        return f"{self.project.title} v{self.version}"

    @property
    def state_badge(self) -> str:
        return RunState(self.state).badge
