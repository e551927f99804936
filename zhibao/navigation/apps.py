from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NavigationConfig(AppConfig):
    name = "zhibao.navigation"
    label = "navigation"
    verbose_name = _("Patent navigation")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from zhibao.core.attachments.kinds import AttachmentKind, register_kind
        from zhibao.core.choices import Role
        from zhibao.core.registry import ServiceSpec, registry

        from .choices import PROJECT_CLOSED_STATES, ProjectState
        from .models import BreakdownNode, NavigationProject

        auditlog.register(NavigationProject, exclude_fields=["updated_at"])
        auditlog.register(BreakdownNode, exclude_fields=["updated_at"])
        register_kind(AttachmentKind("nav_report", _("Navigation report"), ("docx", "pdf")))
        register_kind(AttachmentKind("nav_tree", _("Technology breakdown (Excel)"), ("xlsx",)))

        registry.register(ServiceSpec(
            code="NAV", name=_("Patent navigation"),
            description=_("Patent landscape analysis of an industry (GB/T 39551-2020): a technology breakdown "
                          "tree, analytics on the center's corpus, gap and strength branches of the region, and "
                          "a Word/PDF report."),
            entry_url_name="navigation:project_new", model=NavigationProject, states=ProjectState,
            responsible_role={ProjectState.ACTIVE: Role.ANALYST},
            closed_states=frozenset(PROJECT_CLOSED_STATES), viewer_roles=frozenset({Role.LEADER}),
            icon="bi-compass", order=40,
        ))

        from . import jobs  # noqa: F401 (registers navigation.run and navigation.report)
