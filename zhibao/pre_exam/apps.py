from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreExamConfig(AppConfig):
    name = "zhibao.pre_exam"
    label = "pre_exam"
    verbose_name = _("Patent pre-examination")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers pre_exam.ipc_suggest_train)
