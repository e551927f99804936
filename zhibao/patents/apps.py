from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "zhibao.patents"
    label = "patents"
    verbose_name = _("Patent corpus")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import jobs  # noqa: F401  (registers the corpus's job functions)
        from .models import Collection, ImportPreset

        # Patents themselves come in by the hundred thousand from imports, whose Job and
        # report are their record; the curated objects get a change log.
        for model in (Collection, ImportPreset):
            auditlog.register(model)
