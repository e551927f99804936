"""可转化专利资源库: putting patents into the pool and grading them.

`pool_add` is what a completed inventory calls for each pooled line (and what an operator may
call for a patent offered outside an inventory); `pool_patent_grade` computes a pool patent's
score, grade, explanation and key industries from grading.py with the current settings.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from ..choices import PoolStatus
from ..grading import facts_of, grade_patent
from ..models import GradingConfig, KeyIndustry, PoolPatent


def pool_patent_grade(pool_patent: PoolPatent, *, config: GradingConfig | None = None, industries=None,
                      today=None) -> PoolPatent:
    """Grade one pool patent and save the result (score, grade, parts, industries, version)."""
    config = config or GradingConfig.current()
    industries = list(industries) if industries is not None else list(KeyIndustry.objects.filter(active=True))
    ratings = list(pool_patent.evaluations.values_list("rating", flat=True)) if pool_patent.pk else []
    # The explanation is stored in the platform's language, like every stored message (decision 8).
    with translation.override(settings.LANGUAGE_CODE):
        graded = grade_patent(facts_of(pool_patent.patent, ratings), industries=industries, weights=config.weights,
                              thresholds=config.thresholds, today=today or timezone.localdate(),
                              evaluation_min_count=config.evaluation_min_count)
    pool_patent.score, pool_patent.grade, pool_patent.score_parts = graded.score, graded.grade, graded.parts
    pool_patent.graded_version, pool_patent.graded_at = config.version, timezone.now()
    pool_patent.save(update_fields=["score", "grade", "score_parts", "graded_version", "graded_at", "updated_at"])
    by_code = {i.code: i for i in industries}
    pool_patent.industries.set([by_code[c] for c in graded.industries])
    return pool_patent


@transaction.atomic
def pool_add(*, patent, holder, actor, source_item=None) -> tuple[PoolPatent, bool]:
    """Put a corpus patent into the pool for its holder, graded; (pool patent, created). A patent
    already in the pool is relisted if it was withdrawn and keeps its listing otherwise (one
    holder offers a patent: the pool has it once)."""
    existing = PoolPatent.objects.select_for_update().filter(patent=patent).first()
    if existing is not None:
        if existing.status != PoolStatus.LISTED and existing.holder_id == holder.pk:
            existing.status = PoolStatus.LISTED
            existing.source_item = source_item or existing.source_item
            existing.save(update_fields=["status", "source_item", "updated_at"])
        return existing, False
    pool_patent = PoolPatent.objects.create(patent=patent, holder=holder, source_item=source_item)
    return pool_patent_grade(pool_patent), True
