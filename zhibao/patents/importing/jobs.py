"""The import as a core Job: the upload page and `import-patents --background` queue it."""

from pathlib import Path

from django.core.files import File
from django.utils.translation import gettext as _

from zhibao.core.models import Job
from zhibao.core.services.jobs import job_function, job_progress

from .services import ImportReport, import_upload_discard, patents_import


@job_function("patents.import")
def patents_import_job(job: Job, *, path: str, format: str = "auto", preset: str = "", mapping: dict | None = None,
                       source_name: str = "", discard_upload: bool = False) -> dict:
    """Run `patents_import` for the job; the rejected rows become the job's result file, so
    the owner downloads them through core's permission-checked job download."""

    def progress(report: ImportReport, fraction: float) -> None:
        job_progress(job, min(int(fraction * 100), 99), _(
            "%(read)s rows read: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(rejected)s rejected"
        ) % {"read": report.rows_read, "created": report.created, "updated": report.updated,
             "unchanged": report.unchanged, "rejected": report.rejected})

    report = patents_import(path=path, fmt=format, preset=preset, mapping=mapping, source_name=source_name,
                            progress=progress)
    if report.rejected_file:
        rejected = Path(report.rejected_file)
        with open(rejected, "rb") as fh:
            stem = Path(report.source_file).stem or "import"
            name = job.result_file.storage.save(f"jobs/{stem}-rejected{rejected.suffix}", File(fh))
        Job.objects.filter(pk=job.pk).update(result_file=name)
        rejected.unlink(missing_ok=True)
        report.rejected_file = name
    if discard_upload:
        import_upload_discard(path=path)
    return report.as_dict()
