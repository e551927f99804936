from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreExamConfig(AppConfig):
    name = "zhibao.pre_exam"
    label = "pre_exam"
    verbose_name = _("Patent pre-examination")

    def ready(self) -> None:
        from zhibao.patents.signals import patents_imported

        from . import jobs  # registers pre_exam.ipc_suggest_train

        patents_imported.connect(jobs.retrain_after_import, dispatch_uid="pre-exam-retrain-after-import")
