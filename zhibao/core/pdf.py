"""Letters as PDF, made in-process with fpdf2 and a Chinese font embedded (decision 15).

Any service that issues a letter or notice (pre-examination letters, open-licence notices …)
lays it out here the same way: the center's name, the title, the case number, the body in
paragraphs, then the center's name and the date where the seal goes. The font is subset and
embedded, so the letter prints the same on a machine without Chinese fonts.
"""

import datetime as dt
import functools
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


def bold_font_path(path: Path) -> Path | None:
    """The bold sibling of a regular font file (NotoSansCJK-Bold.ttc next to -Regular), if installed."""
    if "Regular" not in path.name:
        return None
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None


def add_cjk_font(pdf, family: str = "cjk", *, bold: bool = False, identity_codes: bool = False) -> bool:
    """Embed the CJK font in an FPDF document as `family` (style "" and, if asked and found, "B").

    fpdf2 parses the whole font file (~0.35 s for the 19 MB Noto .ttc) and subsets it on output,
    so call this once per document. Returns whether a bold face was embedded: without one,
    callers set headings in the regular face.

    `identity_codes` makes the text extractable by every PDF library, not only by viewers (see
    CidCodes). Such a document is written with `output(..., output_producer_class=
    cjk_output_producer())` and must not justify text: fpdf2 then writes spaces as code 32.
    """
    path, index = font_required()
    options = {"collection_font_number": index} if path.suffix.lower() == ".ttc" else {}
    pdf.add_font(family, fname=str(path), **options)
    bold_path = bold_font_path(path) if bold else None
    if bold_path is not None:
        pdf.add_font(family, style="B", fname=str(bold_path), **options)
    if identity_codes:
        cid_codes = _identity_classes()[0]
        for font in pdf.fonts.values():
            if getattr(font, "is_cid_keyed", False) and not isinstance(font.subset, cid_codes):
                font.subset = cid_codes(font)
    return bold_path is not None


def _cid(glyph) -> int:
    # the same rule fpdf2's output uses to find a glyph's CID in a CID-keyed CFF font
    name = glyph.glyph_name
    return int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else glyph.glyph_id


@functools.cache
def _identity_classes():
    """CidCodes and CjkOutputProducer, defined on first use so fpdf2 loads only when a PDF is made."""
    from fpdf.fonts import SubsetMap
    from fpdf.output import OutputProducer, PDFContentStream, PDFFont
    from fpdf.syntax import Name

    class CidCodes(SubsetMap):
        """Character codes equal to the glyphs' CIDs, for CID-keyed CFF fonts (Noto Sans CJK).

        fpdf2 numbers the glyphs it uses 1, 2, 3 … and writes an embedded CMap from those codes
        to the font's CIDs as the font's /Encoding. Viewers read that fine, but text extractors
        such as pypdf only understand a named encoding and read the 2-byte codes one byte at a
        time: "\x00内\x00蒙…", and garbage once a document uses more than 255 glyphs. With
        codes equal to CIDs the mapping is the identity, so CjkOutputProducer can name it
        /Identity-H, the standard encoding every reader knows.
        """

        def __init__(self, font):
            super().__init__(font)
            # .notdef is never written (a missing character is skipped) and has no real CID
            self._char_id_per_glyph = {glyph: _cid(glyph) for glyph in self._char_id_per_glyph
                                       if glyph is not None and glyph.glyph_name != ".notdef"}

        def pick_glyph(self, glyph):
            if glyph is None:
                return None
            code = self._char_id_per_glyph.get(glyph)
            if code is None:
                code = self._char_id_per_glyph[glyph] = _cid(glyph)
            return code

    class CjkOutputProducer(OutputProducer):
        """Writes the fonts whose codes are CIDs (CidCodes) with the /Identity-H encoding."""

        def _add_fonts(self, *args, **kwargs):
            objects = super()._add_fonts(*args, **kwargs)
            identity = {f"MPDFAA+{font.name}" for font in self.fpdf.fonts.values()
                        if isinstance(getattr(font, "subset", None), CidCodes)}
            for obj in self.pdf_objs:
                # the embedded code→CID CMap stays in the file, unreferenced: fpdf2 has numbered it
                if (isinstance(obj, PDFFont) and obj.subtype == "Type0" and str(obj.base_font) in identity
                        and isinstance(obj.encoding, PDFContentStream)):
                    obj.encoding = Name("Identity-H")
            return objects

    return CidCodes, CjkOutputProducer


def cjk_output_producer():
    """The `output_producer_class` for FPDF.output of a document made with identity_codes=True."""
    return _identity_classes()[1]


def simple_letter_pdf(*, title: str, body: str, center_name: str, case_number: str | None = None,
                      issued_on: dt.date) -> bytes:
    """A one-column A4 letter as PDF bytes: `body` is plain text, one paragraph a line."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(center_name)
    pdf.set_creator("zhibao")
    pdf.set_auto_page_break(auto=True, margin=20)
    add_cjk_font(pdf, "cjk")
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
