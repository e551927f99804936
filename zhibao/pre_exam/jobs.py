"""The "pre_exam.ipc_suggest_train" job: retrain the IPC suggestion model from the corpus
(queued after an import; staff may start it by hand), with progress, saving the model."""

from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress, job_start

JOB_NAME = "pre_exam.ipc_suggest_train"


def retrain_after_import(sender, report, **kwargs) -> None:
    """The corpus changed: queue one retrain (a second import while one waits adds nothing)."""
    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job

    if not Job.objects.filter(name=JOB_NAME, status=JobStatus.QUEUED).exists():
        job_start(name=JOB_NAME, title=_("Retrain the IPC suggestion after an import"))


@job_function(JOB_NAME)
def ipc_suggest_train_job(job, **params) -> dict:
    from .suggest import corpus_watermark, model_path, suggester_for_corpus

    total = corpus_watermark()["count"]

    def progress(stage: str, done: int, of: int) -> None:
        if stage == "read":
            job_progress(job, min(40, int(done * 40 / max(total, 1))),
                         _("Read %(done)d of %(total)d patents") % {"done": done, "total": total})
        else:
            job_progress(job, 40 + int(done * 59 / max(of, 1)),
                         _("Training: pass %(done)d of %(total)d") % {"done": done, "total": of})

    model = suggester_for_corpus(progress=progress)
    if model is None:
        return {"trained": False, "patents": 0}
    return {"trained": True, "path": str(model_path()), **{k: v for k, v in model.meta.items() if k != "watermark"}}


GRANT_MATCH_JOB = "pre_exam.grant_match"


def grant_match_after_import(sender, report, **kwargs) -> None:
    """New or changed patents may be the grants of cases filed at CNIPA: match them in a job."""
    from zhibao.core.choices import JobStatus
    from zhibao.core.models import Job

    if not Job.objects.filter(name=GRANT_MATCH_JOB, status=JobStatus.QUEUED).exists():
        job_start(name=GRANT_MATCH_JOB, title=_("Match granted patents with pre-examination cases"))


@job_function(GRANT_MATCH_JOB)
def grant_match_job(job, **params) -> dict:
    from .services.grants import grant_match

    job_progress(job, 10, _("Matching the cases filed at CNIPA with the corpus"))
    return {"granted": grant_match()}
