"""build_report: context in, a .docx and a .pdf out, with progress reported on the way."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils import translation

from .charts import Charts
from .docx_writer import write_docx
from .fonts import ReportError, chart_rc, cjk_font
from .model import Report
from .pdf_writer import write_pdf
from .sections import CHAPTERS, Ctx, cover

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class ReportFiles:
    """What build_report made: the two documents, how many charts they hold, the PDF's pages."""

    docx_path: Path
    pdf_path: Path
    chart_count: int
    page_count: int


def build_report(context: dict, *, out_dir: Path, progress: Progress | None = None) -> ReportFiles:
    """Write the navigation report for `context` into `out_dir` as DOCX and PDF.

    The charts are drawn once, as PNG files under `out_dir/charts/`, and embedded in both
    documents. `progress(pct, message)` is called (in Chinese, for the job's progress bar) as
    each chapter and each document is finished. Raises ReportFontMissing (a ReportError) before
    any work when the server has no Chinese font, and ReportError when `context` has no project.
    """
    if not isinstance(context, dict) or not context.get("project"):
        raise ReportError("报告数据不完整：缺少项目信息（context['project']）。")
    started = time.perf_counter()
    report_progress = progress or (lambda pct, message: None)
    cjk_font()  # fail before drawing anything
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    version = context.get("version", 1)
    docx_path = out_dir / f"navigation-report-v{version}.docx"
    pdf_path = out_dir / f"navigation-report-v{version}.pdf"

    # The report is Chinese whatever the requesting user's language: labels come from the
    # platform's translated choices (法律状态, 专利类型), read under the Chinese locale.
    with translation.override("zh-hans"):
        report_progress(2, "正在准备报告数据")
        charts = Charts(out_dir / "charts", rc=chart_rc())
        ctx = Ctx(context, charts)
        title = ctx.project.get("title") or "专利导航分析报告"
        report = Report(title=title, author=ctx.center_name)
        cover(ctx, report)
        for index, (chapter, label) in enumerate(CHAPTERS, 1):
            chapter(ctx, report)
            report_progress(5 + round(70 * index / len(CHAPTERS)), f"已完成{label}")
        write_docx(report, docx_path)
        report_progress(85, "已生成 Word 文档")
        page_count = write_pdf(report, pdf_path)
        report_progress(100, "已生成 PDF 文档，报告完成")
    logger.info("navigation report v%s: %d charts, %d pages in %.1f s", version, charts.count, page_count,
                time.perf_counter() - started)
    return ReportFiles(docx_path=docx_path, pdf_path=pdf_path, chart_count=charts.count, page_count=page_count)
