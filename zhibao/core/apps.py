from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhibao.core"
    label = "core"
    verbose_name = _("Platform kernel")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers system checks)
        from .reference import ensure_reference_data

        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="zhibao-reference-data")

        from auditlog.registry import auditlog

        from .models import Attachment, CalendarDay, CalendarYear, Case

        for model in (Case, CalendarDay, CalendarYear, Attachment):
            auditlog.register(model)
