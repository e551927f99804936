"""The "patents.reindex" job: staff rebuild the search index from the database with a progress bar."""

from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_function, job_progress

from .engine import get_engine


@job_function("patents.reindex")
def reindex_job(job, *, publication_numbers: list[str] | None = None, deleted: bool = False,
                since: str | None = None, **params) -> dict:
    """Rebuild the whole index, bring the named patents in line after an edit or a delete, or
    (`since`, an ISO time) index every patent written after that time; progress is written at
    most once per batch (every 2,000 rows)."""
    import datetime as dt

    from ..models import Patent

    engine = get_engine()
    if since is not None:
        return {"indexed": engine.sync_since(dt.datetime.fromisoformat(since))}
    if publication_numbers is not None:
        if deleted:
            return {"removed": engine.delete(publication_numbers)}
        patents = list(Patent.objects.filter(publication_number__in=publication_numbers))
        missing = set(publication_numbers) - {p.publication_number for p in patents}
        indexed = engine.index_patents(patents)
        if missing:  # deleted again since the job was queued
            engine.delete(sorted(missing), commit=False)
        engine.commit()
        return {"indexed": indexed, "removed": len(missing)}

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 100
        job_progress(job, min(percent, 99), _("Indexed %(done)d of %(total)d patents") % {"done": done, "total": total})

    count = engine.rebuild(progress=progress)
    return {"indexed": count}
