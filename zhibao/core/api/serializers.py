from django.contrib.auth import get_user_model
from rest_framework import serializers

from ..models import Case, CaseEvent, Job, Notification


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    entry_url = serializers.CharField()
    states = serializers.SerializerMethodField()
    time_limits = serializers.DictField(child=serializers.IntegerField(), help_text="Working days allowed per state")

    def get_states(self, spec) -> list[dict[str, str]]:
        return [{"value": v, "label": str(label)} for v, label in spec.states.choices]


class UserBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]


class MeSerializer(serializers.ModelSerializer):
    mobile = serializers.CharField(source="masked_mobile", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), source="sorted_roles", read_only=True)
    organizations = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name", "email", "mobile", "roles", "organizations"]

    def get_organizations(self, user) -> list[dict]:
        return [
            {"id": m.organization_id, "name": m.organization.name, "role": m.role, "status": m.organization.status}
            for m in user.memberships.select_related("organization")
        ]


class CaseSerializer(serializers.ModelSerializer):
    service_name = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True)
    organization = serializers.SerializerMethodField()
    applicant = UserBriefSerializer(read_only=True)
    assignee = UserBriefSerializer(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Case
        fields = [
            "number", "service", "service_name", "title", "organization", "applicant", "status", "status_label",
            "assignee", "assignee_role", "submitted_at", "closed_at", "deadline", "overdue", "last_event_at", "url",
        ]

    def get_organization(self, case) -> dict | None:
        if case.organization is None:
            return None
        return {"id": case.organization_id, "name": case.organization.name}


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    style = serializers.CharField()
    comment = serializers.ChoiceField(choices=["required", "optional", "none"])
    target = serializers.CharField()
    target_label = serializers.CharField()


class CaseDetailSerializer(CaseSerializer):
    transitions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "transitions"]

    def get_transitions(self, case) -> list[dict]:
        from ..services.cases import available_transitions

        return TransitionSerializer(available_transitions(case.detail, self.context["request"].user), many=True).data

    get_transitions.__annotations__["return"] = list[dict]


class CaseEventSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    transition_label = serializers.CharField(read_only=True)
    to_state_label = serializers.CharField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "transition", "transition_label", "from_state", "to_state", "to_state_label", "actor",
                  "comment", "payload", "created_at"]


class TransitionRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    payload = serializers.DictField(required=False, default=dict, help_text="Service-specific details (≤ 10 KB)")

    def validate_payload(self, value):
        import json

        from django.utils.translation import gettext as _

        if len(json.dumps(value, ensure_ascii=False)) > 10_000:
            raise serializers.ValidationError(_("The details are too long (10 KB at most)."))
        return value


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "url", "case", "created_at", "read_at"]


class NotificationReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                max_length=1000,
                                help_text="Notification ids; omit to mark every notification read")


class JobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "name", "title", "status", "progress", "message", "result", "error", "created_at",
                  "started_at", "finished_at", "download_url"]

    def get_download_url(self, job) -> str | None:
        from django.urls import reverse

        return reverse("core:job_download", args=[job.pk]) if job.result_file else None
