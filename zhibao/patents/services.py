"""Writes to single patents outside an import: a curator corrects a record or removes one.

The database is the system of record and web processes never write the search index (one
writer at a time, docs/decisions.md §14), so every change queues a "patents.reindex" job for
the numbers it touched; the worker brings the index in line within seconds.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from zhibao.core.services.jobs import job_start

from .models import Patent


def patents_reindex_queue(*, publication_numbers: list[str], user=None, deleted: bool = False):
    """Queue the job that re-reads these patents into the index (or drops them when deleted)."""
    numbers = sorted(set(publication_numbers))
    if not numbers:
        return None
    title = (_("Remove %(count)d patents from the search index") if deleted
             else _("Update %(count)d patents in the search index")) % {"count": len(numbers)}
    return job_start(name="patents.reindex", title=title, owner=user,
                     params={"publication_numbers": numbers, "deleted": deleted})


def patent_save(*, patent: Patent, user=None) -> Patent:
    """Validate and save a corrected patent, then queue its reindex."""
    patent.full_clean()
    with transaction.atomic():
        # The stored hash no longer describes the row: the next import of this record rewrites it.
        patent.content_hash = ""
        patent.save()
        patents_reindex_queue(publication_numbers=[patent.publication_number], user=user)
    return patent


def patent_delete(*, patent: Patent, user=None) -> None:
    with transaction.atomic():
        number = patent.publication_number
        patent.delete()
        patents_reindex_queue(publication_numbers=[number], user=user, deleted=True)
