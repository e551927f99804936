"""The "revitalization.regrade" job: regrade every listed pool patent with the current grading
settings, in batches, with progress. Queued when the settings change
(services.pool.grading_config_update, the settings page, the admin, the API) and after each
corpus import (a patent's legal status, claims, citations or family may have changed)."""

from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress

from .services.pool import REGRADE_JOB


def regrade_after_import(sender, report, **kwargs) -> None:
    """patents_imported: the corpus changed under the pool; queue one regrade (debounced)."""
    from .models import PoolPatent
    from .services.pool import regrade_queue

    if PoolPatent.objects.listed().exists():
        regrade_queue(reason=_("after an import"))


@job_function(REGRADE_JOB)
def regrade_job(job, **params) -> dict:
    from .models import GradingConfig
    from .services.pool import pool_regrade

    config = GradingConfig.current()

    def progress(done: int, total: int) -> None:
        job_progress(job, int(done * 99 / max(total, 1)),
                     _("Regraded %(done)d of %(total)d pool patents") % {"done": done, "total": total})

    job_progress(job, 0, _("Regrading the pool with settings version %(v)d") % {"v": config.version})
    count = pool_regrade(config=config, progress=progress)
    return {"regraded": count, "version": config.version}
