from rest_framework import serializers

from ..models import Organization


class OrganizationBriefSerializer(serializers.Serializer):
    """An organization where another object names it (a case's organization, a deal's parties,
    a pool patent's holder, a demand's enterprise): the API's one brief shape of an organization."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    uscc = serializers.CharField(allow_null=True, help_text="统一社会信用代码 (null when none is recorded)")


class OrganizationSerializer(serializers.ModelSerializer):
    league = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    banner = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "kind", "kind_label", "name", "uscc", "address", "province", "city", "county", "league", "banner",
            "industry", "status", "status_label", "rejection_reason", "verified_at", "created_at",
        ]
        read_only_fields = ["province", "city", "county", "status", "rejection_reason", "verified_at", "created_at"]
        extra_kwargs = {"uscc": {"validators": []}}  # uniqueness is checked by the service's full_clean


class VerificationSubmitSerializer(serializers.Serializer):
    case = serializers.CharField(read_only=True)
    created = serializers.BooleanField(read_only=True)
