from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RevitalizationConfig(AppConfig):
    name = "zhibao.revitalization"
    label = "revitalization"
    verbose_name = _("Stock-patent revitalization")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhibao.core.attachments.kinds import AttachmentKind, register_kind
        from zhibao.core.choices import Role
        from zhibao.core.registry import ServiceSpec, registry

        from .choices import (
            DEAL_CLOSED_STATES,
            DEMAND_CLOSED_STATES,
            INVENTORY_CLOSED_STATES,
            OPEN_LICENCE_CLOSED_STATES,
            DealState,
            DemandState,
            InventoryState,
            OpenLicenceState,
        )
        from .models import Deal, Demand, GradingConfig, Inventory, KeyIndustry, OpenLicence

        for model in (KeyIndustry, GradingConfig):
            auditlog.register(model)

        register_kind(AttachmentKind("rv_inventory_list", _("Patent list (Excel)"), ("xlsx",)))
        register_kind(AttachmentKind("rv_contract", _("Contract"), ("pdf", "docx")))
        register_kind(AttachmentKind("rv_evaluation_report", _("Patent evaluation report"), ("pdf",)))
        register_kind(AttachmentKind("rv_notice", _("Licence notice"), ("pdf",)))

        V, D, T, L = InventoryState, DemandState, DealState, OpenLicenceState
        registry.register(ServiceSpec(
            code="RVI", name=_("Patent inventory"),
            description=_("Universities and institutes list their patents, decide which enter the convertible "
                          "pool, and the center confirms."),
            entry_url_name="revitalization:inventory_new", model=Inventory, states=InventoryState,
            time_limits={V.SUBMITTED: 3, V.IN_REVIEW: 10},
            responsible_role={V.SUBMITTED: Role.OPERATOR, V.IN_REVIEW: Role.OPERATOR},
            closed_states=frozenset(INVENTORY_CLOSED_STATES), viewer_roles=frozenset({Role.LEADER}),
            icon="bi-list-check", order=30,
        ))
        registry.register(ServiceSpec(
            code="RVD", name=_("Technology demand"),
            description=_("Enterprises publish what technology they need; the center matches it with patents "
                          "of the convertible pool."),
            entry_url_name="revitalization:demand_new", model=Demand, states=DemandState,
            time_limits={D.SUBMITTED: 3},
            responsible_role={D.SUBMITTED: Role.OPERATOR},
            closed_states=frozenset(DEMAND_CLOSED_STATES), viewer_roles=frozenset({Role.LEADER}),
            icon="bi-megaphone", order=31,
        ))
        registry.register(ServiceSpec(
            code="RVT", name=_("Patent deal"),
            description=_("From an intent to a signed contract for the assignment or licence of a pool patent, "
                          "and its recordal at CNIPA."),
            entry_url_name="revitalization:pool", model=Deal, states=DealState,
            responsible_role={T.INTENT: Role.OPERATOR, T.NEGOTIATION: Role.OPERATOR},
            closed_states=frozenset(DEAL_CLOSED_STATES), viewer_roles=frozenset({Role.LEADER}),
            icon="bi-arrow-left-right", order=32,
        ))
        registry.register(ServiceSpec(
            code="RVL", name=_("Open licence declaration"),
            description=_("Declare an open licence for your patent (专利法 第五十条): any enterprise may then take "
                          "a licence at the stated fee in one step."),
            entry_url_name="revitalization:open_licence_new", model=OpenLicence, states=OpenLicenceState,
            time_limits={L.SUBMITTED: 5},
            responsible_role={L.SUBMITTED: Role.OPERATOR},
            closed_states=frozenset(OPEN_LICENCE_CLOSED_STATES), viewer_roles=frozenset({Role.LEADER}),
            icon="bi-unlock", order=33,
        ))

        # --- demands and matching (技术需求, 供需对接) ---
        from django.db.models.signals import post_delete, post_save

        from zhibao.core.sweeps import register_sweep
        from zhibao.patents.signals import patents_imported

        from .models import PoolPatent
        from .services import matching  # registers the revitalization.match_* jobs
        from .services.demands import demand_sweep

        register_sweep("revitalization_demands", demand_sweep)
        patents_imported.connect(matching.match_all_after_import, dispatch_uid="rv-match-all-after-import")
        post_save.connect(matching.pool_changed, sender=PoolPatent, dispatch_uid="rv-pool-changed-save")
        post_delete.connect(matching.pool_changed, sender=PoolPatent, dispatch_uid="rv-pool-changed-delete")

        # --- the convertible pool and grading (可转化专利资源库, 分级分类) ---
        from . import jobs as pool_jobs  # registers the revitalization.regrade job

        auditlog.register(PoolPatent, include_fields=["status", "modes", "asking_price", "description",
                                                      "contact_name", "contact_phone"])
        patents_imported.connect(pool_jobs.regrade_after_import, dispatch_uid="rv-regrade-after-import")
