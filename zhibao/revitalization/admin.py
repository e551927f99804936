"""Admin of revitalization: what the center configures (key industries, the grading settings) is
edited here; cases move only through their workflows (services), and the pool's rows through
the pool's services. Each area keeps its own section."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _

# --- the convertible pool and grading (可转化专利资源库, 分级分类) ------------------------------------
from .models import ContactRequest, GradingConfig, KeyIndustry, MarketEvaluation, PoolPatent


@admin.register(KeyIndustry)
class KeyIndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "ipc_prefixes", "keywords", "active", "order"]
    list_editable = ["active", "order"]


@admin.register(GradingConfig)
class GradingConfigAdmin(admin.ModelAdmin):
    """The one settings row; saving goes through grading_config_update (validated, version
    bumped, the regrade of the pool queued)."""

    list_display = ["__str__", "version", "evaluation_min_count", "updated_at"]
    readonly_fields = ["version", "updated_at"]
    fields = ["weights", "thresholds", "evaluation_min_count", "version", "updated_at"]

    def has_add_permission(self, request):
        return not GradingConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from zhibao.core.services.cases import WorkflowError

        from .services.pool import grading_config_update

        if not change:
            GradingConfig.current()
        try:
            config, job = grading_config_update(weights=obj.weights, thresholds=obj.thresholds,
                                                evaluation_min_count=obj.evaluation_min_count, actor=request.user)
        except WorkflowError as exc:  # the form validated the model already; a race or a rule only the service knows
            messages.error(request, exc.message)
            return
        obj.pk, obj.version = config.pk, config.version
        if job is not None:
            messages.info(request, _("Saved as version %(v)d: the pool is being regraded.") % {"v": config.version})


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PoolPatent)
class PoolPatentAdmin(_ReadOnly):
    list_display = ["__str__", "holder", "status", "grade", "score", "graded_version", "listed_at"]
    list_filter = ["status", "grade", "industries"]
    search_fields = ["patent__publication_number", "patent__title", "holder__name"]
    list_select_related = ["patent", "holder"]


@admin.register(MarketEvaluation)
class MarketEvaluationAdmin(_ReadOnly):
    list_display = ["pool_patent", "organization", "rating", "updated_at"]
    list_select_related = ["pool_patent__patent", "organization"]


@admin.register(ContactRequest)
class ContactRequestAdmin(_ReadOnly):
    list_display = ["pool_patent", "user", "organization", "created_at", "replied_at"]
    list_select_related = ["pool_patent__patent", "user", "organization"]


# --- technology demands and matching (技术需求, 供需对接) ------------------------------------------
from .models import Demand, Match  # noqa: E402


@admin.register(Demand)
class DemandAdmin(_ReadOnly):
    """Read only: a demand moves through its case's workflow, its matches through the services."""

    list_display = ["__str__", "organization", "state", "industry", "key_industry", "league", "deadline",
                    "published_at", "matched_at"]
    list_filter = ["state", "key_industry", "league"]
    search_fields = ["case__number", "title", "organization__name"]
    list_select_related = ["case", "organization", "industry", "key_industry", "league"]


@admin.register(Match)
class MatchAdmin(_ReadOnly):
    list_display = ["__str__", "rank", "score", "state", "pushed_by", "pushed_at", "demand_answer", "holder_answer"]
    list_filter = ["state", "demand_answer", "holder_answer"]
    search_fields = ["demand__case__number", "pool_patent__patent__publication_number"]
    list_select_related = ["demand__case", "pool_patent__patent", "pushed_by"]


# --- inventories (盘点) ------------------------------------------------------------------------
from .models import Inventory, InventoryItem  # noqa: E402


@admin.register(Inventory)
class InventoryAdmin(_ReadOnly):
    """Read only: an inventory moves through its case's workflow, its lines' decisions through the services."""

    list_display = ["__str__", "organization", "state", "source_name", "completed_at"]
    list_filter = ["state"]
    search_fields = ["case__number", "organization__name"]
    list_select_related = ["case", "organization"]


@admin.register(InventoryItem)
class InventoryItemAdmin(_ReadOnly):
    list_display = ["__str__", "patent", "unmatched_reason", "institution_decision", "center_decision"]
    list_filter = ["institution_decision", "center_decision"]
    search_fields = ["inventory__case__number", "number", "patent__publication_number"]
    list_select_related = ["inventory__case", "patent"]


# --- roadshows, deals and open licences (路演, 交易, 开放许可) ---------------------------------------
from .models import Deal, OpenLicence, OpenLicenceGrant, Roadshow, RoadshowRegistration  # noqa: E402


@admin.register(Roadshow)
class RoadshowAdmin(_ReadOnly):
    """Read only: operators announce, change and cancel roadshows on their pages (services.roadshows)."""

    list_display = ["title", "starts_at", "state", "key_industry", "organizer"]
    list_filter = ["state", "key_industry"]
    search_fields = ["title", "place"]


@admin.register(RoadshowRegistration)
class RoadshowRegistrationAdmin(_ReadOnly):
    list_display = ["roadshow", "organization", "attendees", "attended", "created_at"]
    list_filter = ["attended"]
    search_fields = ["roadshow__title", "organization__name"]
    list_select_related = ["roadshow", "organization"]


@admin.register(Deal)
class DealAdmin(_ReadOnly):
    """Read only: a deal moves through its case's workflow."""

    list_display = ["__str__", "kind", "state", "seller", "buyer", "amount", "signed_on", "recordal_number"]
    list_filter = ["state", "kind"]
    search_fields = ["case__number", "pool_patent__patent__publication_number", "seller__name", "buyer__name"]
    list_select_related = ["case", "pool_patent__patent", "seller", "buyer"]


@admin.register(OpenLicence)
class OpenLicenceAdmin(_ReadOnly):
    list_display = ["__str__", "holder", "fee_method", "lump_sum", "royalty_rate", "term_years", "state"]
    list_filter = ["state", "fee_method"]
    search_fields = ["case__number", "pool_patent__patent__publication_number", "holder__name"]
    list_select_related = ["case", "pool_patent__patent", "holder"]


@admin.register(OpenLicenceGrant)
class OpenLicenceGrantAdmin(_ReadOnly):
    list_display = ["__str__", "licensee", "granted_on", "ends_on"]
    search_fields = ["open_licence__case__number", "licensee__name"]
    list_select_related = ["open_licence__case", "licensee"]
