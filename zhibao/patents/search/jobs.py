"""The "patents.reindex" job: staff rebuild the search index from the database with a progress bar."""

from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress

from .engine import get_engine


@job_function("patents.reindex")
def reindex_job(job, **params) -> dict:
    """Rebuild the whole index; progress is written at most once per batch (every 2,000 rows)."""

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        job_progress(job, min(percent, 99), _("Indexed %(done)d of %(total)d patents") % {"done": done, "total": total})

    count = get_engine().rebuild(progress=progress)
    return {"indexed": count}
