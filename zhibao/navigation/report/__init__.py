"""The patent navigation report (专利导航分析报告) as Word and PDF, from plain dicts.

    build_report(context, out_dir=..., progress=...) -> ReportFiles

`context` is the snapshot's data (docs/navigation-analytics.md) plus the project, the analyst's
conclusions and the maps; nothing here touches the database, so the navigation job, a
benchmark and a test all call it the same way. The report follows the outline of GB/T 39551
(专利导航指南): project and data, technology breakdown, trends and life cycle, applicants,
technology, regional position with gap and strength branches, legal status, key patents,
conclusions. The layers:

* sections/ — reads the context, draws the charts (charts.py, maps.py) and lists the blocks
  (model.py) chapter by chapter;
* docx_writer.py, pdf_writer.py — lay the same blocks out, so both files say the same.
"""

from .build import ReportFiles, build_report
from .fonts import ReportError, ReportFontMissing

__all__ = ["ReportError", "ReportFiles", "ReportFontMissing", "build_report"]
