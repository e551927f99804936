from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhibao.core"
    label = "core"
    verbose_name = _("Platform kernel")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
