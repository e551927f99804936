"""Letters as PDF, made in-process with fpdf2 and a Chinese font embedded (decision 15).

Any service that issues a letter or notice (pre-examination letters, open-licence notices …)
lays it out here the same way: the center's name, the title, the case number, the body in
paragraphs, then the center's name and the date where the seal goes. The font is subset and
embedded, so the letter prints the same on a machine without Chinese fonts.
"""

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from .services.cases import WorkflowError

# Where Debian/Ubuntu (fonts-noto-cjk), CentOS/Kylin (google-noto-sans-cjk) and the WQY package
# put a CJK font; ZHIBAO_PDF_FONT overrides. (path, index of the Simplified Chinese face in a .ttc)
FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


def font_path() -> tuple[Path, int] | None:
    """The CJK font and face to embed: ZHIBAO_PDF_FONT (`path#index`) or the first installed candidate."""
    configured = getattr(settings, "ZHIBAO_PDF_FONT", "")
    if configured:
        path, _sep, index = configured.partition("#")
        return (Path(path), int(index or 0)) if Path(path).is_file() else None
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return Path(path), index
    return None


def font_required() -> tuple[Path, int]:
    """The font, or the refusal a step that issues a letter gives without one (nothing is stored)."""
    found = font_path()
    if found is None:
        raise WorkflowError("no_font", _(
            "No Chinese font for PDF letters on this server: install fonts-noto-cjk or set ZHIBAO_PDF_FONT."),
            status=503)
    return found


def simple_letter_pdf(*, title: str, body: str, center_name: str, case_number: str | None = None,
                      issued_on: dt.date) -> bytes:
    """A one-column A4 letter as PDF bytes: `body` is plain text, one paragraph a line."""
    from fpdf import FPDF

    path, index = font_required()
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(center_name)
    pdf.set_creator("zhibao")
    pdf.set_auto_page_break(auto=True, margin=20)
    options = {"collection_font_number": index} if path.suffix.lower() == ".ttc" else {}
    pdf.add_font("cjk", fname=str(path), **options)
    pdf.add_page()
    pdf.set_margins(22, 20, 22)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, center_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=18)
    pdf.cell(0, 14, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    if case_number:
        pdf.cell(0, 6, f"{_('Case number')}：{case_number}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    for paragraph in body.split("\n"):
        pdf.multi_cell(0, 7.5, paragraph if paragraph.strip() else " ", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.cell(0, 8, center_name, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, f"{issued_on.year}年{issued_on.month}月{issued_on.day}日", align="R", new_x="LMARGIN",
             new_y="NEXT")
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()
