"""Serializers of the navigation API. Output serializers read the models and the selectors'
dicts; input serializers check only the shape of the input (types, lengths, bounds) — what is
allowed is the services' decision. Component names start with `Nav` (one schema for the whole API)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhibao.core.api.serializers import TransitionSerializer, UserBriefSerializer
from zhibao.core.services.cases import available_transitions

from ..choices import CONCLUSION_SECTIONS, ProjectState, Purpose, RunState
from ..models import NavigationProject, NavigationReport, Snapshot, SnapshotNode
from ..rules import may_work_on
from ..services.projects import MAX_CONCLUSION
from ..services.tree import MAX_IMPORT_BYTES, MAX_NAME, MAX_QUERY

BIGINT = 2**63 - 1
FIGURES_HELP = "The stored analytics (docs/navigation-analytics.md)."


# --- pieces ------------------------------------------------------------------------------------

class NavRegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class NavOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NavJobSerializer(serializers.Serializer):
    """The job that makes a run or a report (also at /api/v1/jobs/{id} for its owner)."""

    id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, running, succeeded or failed")
    progress = serializers.IntegerField(help_text="0–100")
    message = serializers.CharField()


class NavRunBriefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    state = serializers.ChoiceField(choices=RunState.choices)
    taken_at = serializers.DateTimeField(allow_null=True)


# --- projects ----------------------------------------------------------------------------------

class NavProjectSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="case.number", read_only=True)
    purpose = serializers.ChoiceField(choices=Purpose.choices, read_only=True)
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    state = serializers.ChoiceField(choices=ProjectState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    region = NavRegionSerializer(read_only=True)
    client = NavOrganizationSerializer(read_only=True, allow_null=True)
    lead = UserBriefSerializer(read_only=True)
    url = serializers.CharField(source="case.get_absolute_url", read_only=True)

    class Meta:
        model = NavigationProject
        fields = ["number", "title", "industry", "purpose", "purpose_label", "state", "state_label", "region",
                  "client", "lead", "created_at", "updated_at", "url"]


class NavProjectDetailSerializer(NavProjectSerializer):
    team = serializers.SerializerMethodField()
    gap_lq = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    strength_lq = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    node_count = serializers.SerializerMethodField()
    latest_run = serializers.SerializerMethodField()
    may_edit = serializers.SerializerMethodField(help_text="The caller is on the team and the project in progress.")
    transitions = serializers.SerializerMethodField()

    class Meta(NavProjectSerializer.Meta):
        fields = [*NavProjectSerializer.Meta.fields, "description", "scope_query", "team", "gap_lq", "strength_lq",
                  "min_node_patents", "node_count", "latest_run", "may_edit", "transitions"]

    @extend_schema_field(UserBriefSerializer(many=True))
    def get_team(self, project) -> list[dict]:
        return UserBriefSerializer(project.team.order_by("pk"), many=True).data

    def get_node_count(self, project) -> int:
        return project.nodes.count()

    @extend_schema_field(NavRunBriefSerializer(allow_null=True))
    def get_latest_run(self, project) -> dict | None:
        snapshot = project.snapshots.order_by("-number").first()
        return NavRunBriefSerializer(snapshot).data if snapshot else None

    def get_may_edit(self, project) -> bool:
        return project.is_editable and may_work_on(self.context["request"].user, project)

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, project) -> list[dict]:
        return TransitionSerializer(available_transitions(project, self.context["request"].user), many=True).data


class NavProjectWriteSerializer(serializers.Serializer):
    """A project's fields; on update, fields not sent keep their value."""

    title = serializers.CharField(max_length=200)
    industry = serializers.CharField(max_length=100)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    client = serializers.IntegerField(min_value=1, max_value=BIGINT, required=False, allow_null=True,
                                      help_text="The commissioning organization's id (optional).")
    region = serializers.CharField(max_length=6, required=False,
                                   help_text="GB/T 2260 code of the region analysed (default 150000, 内蒙古自治区).")
    scope_query = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                        help_text="ANDed to every branch's query, e.g. AD>=2005.")
    lead = serializers.IntegerField(min_value=1, max_value=BIGINT, required=False,
                                    help_text="An analyst's user id (default: you).")
    team = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=BIGINT), required=False,
                                 max_length=50, help_text="Analysts' user ids.")
    gap_lq = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    strength_lq = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    min_node_patents = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)


class NavProjectCreateSerializer(NavProjectWriteSerializer):
    idempotency_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class NavConclusionSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class NavConclusionsSerializer(serializers.Serializer):
    sections = NavConclusionSectionSerializer(many=True)


def conclusions_data(project) -> dict:
    texts = project.conclusions or {}
    return {"sections": [{"key": key, "title": str(title), "text": texts.get(key, "")}
                         for key, title in CONCLUSION_SECTIONS]}


class NavConclusionsWriteSerializer(serializers.Serializer):
    sections = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=MAX_CONCLUSION + 1000, trim_whitespace=False),
        help_text="Section key → text; sections not sent keep their text. Keys: "
                  + ", ".join(key for key, _title in CONCLUSION_SECTIONS))

    def validate_sections(self, value):
        if len(value) > len(CONCLUSION_SECTIONS) * 2:
            raise serializers.ValidationError(_("Too many sections."))
        return value


# --- the tree ----------------------------------------------------------------------------------

class NavNodeSerializer(serializers.Serializer):
    """A branch as the tree reads it (depth first, siblings by position)."""

    id = serializers.IntegerField(source="node_id")
    key = serializers.CharField(help_text="The branch's place: 1, 1.2, 1.2.3 …")
    name = serializers.CharField()
    description = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True, help_text="The parent branch's id (null for a root).")
    parent_key = serializers.CharField(allow_null=True)
    depth = serializers.IntegerField(help_text="1 for a root")
    position = serializers.IntegerField(help_text="0-based place among its siblings")
    query = serializers.CharField()


def node_rows(nodes: list[dict]) -> list[dict]:
    """tree_nodes' dicts with the parent's id and the place among siblings."""
    ids = {n["key"]: n["node_id"] for n in nodes}
    return [{**n, "parent": ids.get(n["parent_key"]) if n["parent_key"] else None,
             "position": int(n["key"].rsplit(".", 1)[-1]) - 1} for n in nodes]


class NavNodeCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_NAME * 2)
    parent = serializers.IntegerField(min_value=1, max_value=BIGINT, required=False, allow_null=True,
                                      help_text="The parent branch's id; none for a root.")
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    query = serializers.CharField(max_length=MAX_QUERY * 2, required=False, allow_blank=True, default="")


class NavNodeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_NAME * 2, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    query = serializers.CharField(max_length=MAX_QUERY * 2, required=False, allow_blank=True)


class NavNodeMoveSerializer(serializers.Serializer):
    parent = serializers.IntegerField(min_value=1, max_value=BIGINT, allow_null=True,
                                      help_text="The new parent branch's id; null to make it a root.")
    position = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, allow_null=True,
                                        help_text="0-based place among the new siblings (default: last).")


class NavNodeDeletedSerializer(serializers.Serializer):
    deleted = serializers.IntegerField(help_text="Branches deleted (the branch and its sub-branches).")


class NavQueryTestSerializer(serializers.Serializer):
    query = serializers.CharField(max_length=MAX_QUERY * 2, allow_blank=True,
                                  help_text="A query in the corpus query language (TIAB=钕铁硼 AND IPC=H01F …).")


class NavQueryHitSerializer(serializers.Serializer):
    publication_number = serializers.CharField()
    title = serializers.CharField()
    first_applicant = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)


class NavQueryResultSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as run: with the project's scope ANDed.")
    count = serializers.IntegerField()
    sample = NavQueryHitSerializer(many=True)


class _TrueUnlessSent(serializers.BooleanField):
    default_empty_html = serializers.empty  # a multipart form without the field gets the default (True)


class NavTreeImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The workbook (.xlsx): one column per level, then 说明 and 检索式.")
    replace = _TrueUnlessSent(required=False, default=True,
                              help_text="Remove the current tree first (default); false adds the rows to it.")

    def validate_file(self, value):
        if value.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError(_("The file is larger than %(n)d MB.")
                                              % {"n": MAX_IMPORT_BYTES // (1024 * 1024)})
        return value


class NavRejectedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row number in the workbook (1 is the header).")
    reason = serializers.CharField()


class NavTreeImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    replaced = serializers.IntegerField(help_text="Branches removed first (replace).")
    rejected = NavRejectedRowSerializer(many=True)
    nodes = NavNodeSerializer(many=True, help_text="The tree after the import.")


# --- runs (snapshots) --------------------------------------------------------------------------

def job_data(job) -> dict | None:
    if job is None:
        return None
    return {"id": job.pk, "status": job.status, "progress": job.progress, "message": job.message}


class NavRunSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=RunState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    taken_by = UserBriefSerializer(read_only=True)
    job = serializers.SerializerMethodField()

    class Meta:
        model = Snapshot
        fields = ["number", "state", "state_label", "taken_by", "created_at", "taken_at", "scope_query",
                  "corpus_size", "total", "took_ms", "error", "job"]

    @extend_schema_field(NavJobSerializer(allow_null=True))
    def get_job(self, snapshot) -> dict | None:
        return job_data(snapshot.job)


class NavRunNodeSerializer(serializers.ModelSerializer):
    node = serializers.IntegerField(source="node_id", allow_null=True,
                                    help_text="The live branch's id (null when it was deleted since).")

    class Meta:
        model = SnapshotNode
        fields = ["key", "name", "depth", "total", "node"]


class NavRunDetailSerializer(NavRunSerializer):
    tree = serializers.ListField(child=serializers.DictField(), read_only=True,
                                 help_text="The tree as it was run (name, query and effective query per branch).")
    nodes = serializers.SerializerMethodField()
    figures = serializers.DictField(source="analytics", read_only=True, help_text=FIGURES_HELP)

    class Meta(NavRunSerializer.Meta):
        fields = [*NavRunSerializer.Meta.fields, "tree", "nodes", "figures"]

    @extend_schema_field(NavRunNodeSerializer(many=True))
    def get_nodes(self, snapshot) -> list[dict]:
        return NavRunNodeSerializer(snapshot.node_sets.order_by("pk"), many=True).data


class NavRunNodeDetailSerializer(NavRunNodeSerializer):
    summary = serializers.SerializerMethodField(
        help_text="The branch's row of the run's `figures.nodes`: region share, location quotient, verdict.")
    figures = serializers.DictField(source="analytics", read_only=True, help_text=FIGURES_HELP)

    class Meta(NavRunNodeSerializer.Meta):
        fields = [*NavRunNodeSerializer.Meta.fields, "summary", "figures"]

    def get_summary(self, node) -> dict | None:
        rows = (node.snapshot.analytics or {}).get("nodes") or []
        return next((row for row in rows if isinstance(row, dict) and row.get("key") == node.key), None)


class NavRunPatentSerializer(serializers.Serializer):
    publication_number = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    first_applicant = serializers.CharField(allow_null=True)
    application_date = serializers.DateField(allow_null=True)
    patent_type = serializers.CharField(allow_null=True)
    legal_status = serializers.CharField(allow_null=True)


class NavCompareRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    depth = serializers.IntegerField()
    before = serializers.IntegerField(allow_null=True, help_text="Patents in run a (null: a new branch)")
    after = serializers.IntegerField(allow_null=True, help_text="Patents in run b (null: a branch gone)")
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    added_sample = serializers.ListField(child=serializers.CharField())
    removed_sample = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=[("new", "new"), ("kept", "kept"), ("gone", "gone")])


class NavCompareSerializer(serializers.Serializer):
    a = serializers.IntegerField()
    b = serializers.IntegerField()
    rows = NavCompareRowSerializer(many=True)


class NavCompareQuerySerializer(serializers.Serializer):
    a = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The earlier run's number")
    b = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The later run's number")


# --- reports -----------------------------------------------------------------------------------

class NavReportSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=RunState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    run = serializers.IntegerField(source="snapshot.number", read_only=True)
    created_by = UserBriefSerializer(read_only=True)
    docx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    job = serializers.SerializerMethodField()

    class Meta:
        model = NavigationReport
        fields = ["version", "state", "state_label", "run", "created_by", "created_at", "chart_count", "page_count",
                  "error", "docx_url", "pdf_url", "job"]

    def get_docx_url(self, report) -> str | None:
        return reverse("core:attachment_download", args=[report.docx_id]) if report.docx_id else None

    def get_pdf_url(self, report) -> str | None:
        return reverse("core:attachment_download", args=[report.pdf_id]) if report.pdf_id else None

    @extend_schema_field(NavJobSerializer(allow_null=True))
    def get_job(self, report) -> dict | None:
        return job_data(report.job)


class NavReportRequestSerializer(serializers.Serializer):
    run = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True,
                                   help_text="The run (snapshot number) to report on; default: the latest ready run.")
