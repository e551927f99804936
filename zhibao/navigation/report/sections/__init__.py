"""The chapters of a navigation report, in the order of GB/T 39551-2020's report outline.

Each builder reads the context through `Ctx`, draws its charts and appends blocks to the
`Report`; nothing here knows about Word or PDF.
"""

from .applicants import chapter_applicants
from .base import Ctx
from .closing import chapter_conclusions, chapter_key_patents, chapter_legal
from .overview import chapter_breakdown, chapter_project, cover
from .region import chapter_region
from .technology import chapter_technology
from .trends import chapter_trends

# (builder, what the progress bar says when it is done)
CHAPTERS = [
    (chapter_project, "第1章 项目概况与数据说明"),
    (chapter_breakdown, "第2章 产业与技术分解"),
    (chapter_trends, "第3章 专利申请趋势与技术生命周期"),
    (chapter_applicants, "第4章 申请人分析"),
    (chapter_technology, "第5章 技术构成分析"),
    (chapter_region, "第6章 区域分布与区域定位"),
    (chapter_legal, "第7章 法律状态与运营"),
    (chapter_key_patents, "第8章 重点专利"),
    (chapter_conclusions, "第9章 结论与建议"),
]

__all__ = ["CHAPTERS", "Ctx", "cover"]
