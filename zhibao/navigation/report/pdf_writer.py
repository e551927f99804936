"""The report as a PDF (fpdf2) with the CJK font embedded through zhibao.core.pdf.

The font is subset and embedded with a ToUnicode map, so the PDF prints the same on a
machine without Chinese fonts and its text extracts as Chinese (search, copy, pypdf).
Chapters and sections become PDF bookmarks and the contents page lists them with page
numbers; figure and table captions are kept on the page of what they caption.
"""

import math
import re
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import WrapMode

from zhibao.core.pdf import add_cjk_font, cjk_output_producer

from .model import Bullets, Contents, Cover, Figure, Heading, Para, Report, Table

FAMILY = "cjk"
MARGIN = 20.0  # mm
NAVY = (31, 58, 104)
GREY = (102, 102, 102)
HEADER_FILL = (217, 226, 243)
TOC_LINE = {0: 8.0, 1: 6.4}  # mm per contents entry, by level
TOC_TITLE = 17.0  # mm taken by the word 目录 at the top of the contents
# Chinese prose breaks between any two characters; fpdf2's default (break at spaces, justify)
# would push a long run without spaces to the next line and stretch the spaces before it.
PROSE = {"align": "L", "wrapmode": WrapMode.CHAR, "new_x": "LMARGIN", "new_y": "NEXT"}


class ReportPDF(FPDF):
    """A4 portrait with the report's title in the running head and the page number at the foot."""

    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.body_from = 10**6  # no running head on the cover and the contents
        self.fresh = True  # nothing written on the current page yet (a chapter need not break)
        self.following: list = []  # the next blocks, for keeping a heading with what it introduces
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=18)
        # identity codes: the text must extract as Chinese in pypdf too, not only in viewers
        self.bold = add_cjk_font(self, FAMILY, bold=True, identity_codes=True)

    def add_page(self, *args, **kwargs):
        super().add_page(*args, **kwargs)
        self.fresh = True

    def header(self):
        if self.page < self.body_from:
            return
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        self.set_y(10)
        self.cell(0, 5, self.report_title, align="R")
        self.set_draw_color(180, 180, 180)
        self.line(MARGIN, 15.5, self.w - MARGIN, 15.5)
        self.set_y(MARGIN)
        self.set_text_color(0, 0, 0)

    def footer(self):
        if self.page == 1:
            return
        self.set_y(-13)
        self.set_font(FAMILY, size=8.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"第 {self.page_no()} 页", align="C")
        self.set_text_color(0, 0, 0)

    def style(self, size: float, *, bold: bool = False, colour=(0, 0, 0)) -> None:
        self.set_font(FAMILY, style="B" if bold and self.bold else "", size=size)
        self.set_text_color(*colour)


def write_pdf(report: Report, path: Path) -> int:
    """Lay the report's blocks out as a PDF at `path`; returns the number of pages."""
    pdf = ReportPDF(report.title)
    pdf.set_title(report.title)
    pdf.set_author(report.author)
    pdf.set_creator("zhibao")
    pdf.set_lang("zh-CN")
    writers = {Cover: _cover, Contents: _contents, Heading: _heading, Para: _para, Bullets: _bullets,
               Figure: _figure, Table: _table}
    for index, block in enumerate(report.blocks):
        pdf.following = report.blocks[index + 1: index + 3]
        writers[type(block)](pdf, block, report)
    pdf.output(str(path), output_producer_class=cjk_output_producer())
    return pdf.pages_count


def _cover(pdf: ReportPDF, cover: Cover, report: Report) -> None:
    pdf.add_page()
    pdf.style(13)
    pdf.set_y(38)
    pdf.cell(0, 8, cover.center, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(0.8)
    pdf.line(MARGIN + 30, 52, pdf.w - MARGIN - 30, 52)
    pdf.set_line_width(0.2)
    pdf.set_y(92)
    pdf.style(24, bold=True, colour=NAVY)
    pdf.multi_cell(0, 13, cover.title, align="C", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.style(17)
    pdf.cell(0, 10, cover.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(150)
    pdf.style(12)
    for line in (f"分析区域：{cover.region}", cover.snapshot, cover.version):
        if line:
            pdf.cell(0, 8, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(232)
    pdf.style(14, bold=True)
    pdf.cell(0, 9, cover.center, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.style(12)
    pdf.cell(0, 8, cover.date, align="C", new_x="LMARGIN", new_y="NEXT")


def _contents(pdf: ReportPDF, _block: Contents, report: Report) -> None:
    pdf.add_page()
    # fpdf2 renders the contents at the end, into pages reserved now, so their number must be
    # known up front: lay the entries out in advance exactly as _render_toc will (one line each).
    pages, y = 1, pdf.t_margin + TOC_TITLE
    for heading in report.headings:
        height = TOC_LINE[min(heading.level - 1, 1)]
        if y + height > pdf.page_break_trigger:
            pages, y = pages + 1, pdf.t_margin
        y += height
    pdf.insert_toc_placeholder(_render_toc, pages=pages)
    pdf.body_from = pdf.page
    pdf.fresh = True


def _render_toc(pdf: ReportPDF, outline) -> None:
    pdf.set_x(pdf.l_margin)  # rendered last: x is wherever the final page left it
    pdf.style(16, bold=True)
    pdf.cell(0, TOC_TITLE - 3, "目　录", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for section in outline:
        level = min(section.level, 1)
        height = TOC_LINE[level]
        pdf.style(11 if level == 0 else 10, bold=level == 0)
        indent = 8 * level
        number = str(section.page_number)
        link = pdf.add_link(page=section.page_number)
        name_w = min(pdf.get_string_width(section.name) + 1.5, pdf.epw - indent - 20)
        number_w = pdf.get_string_width(number) + 1
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(name_w, height, section.name, link=link)
        gap = pdf.epw - indent - name_w - number_w
        pdf.set_text_color(150, 150, 150)
        dots = "." * max(0, int((gap - 2) / max(pdf.get_string_width("."), 0.1)))
        pdf.cell(gap, height, dots, align="R")
        pdf.set_text_color(0, 0, 0)
        pdf.cell(number_w, height, number, align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: ReportPDF, heading: Heading, report: Report) -> None:
    if heading.level == 1:
        if not pdf.fresh:
            pdf.add_page()
        pdf.start_section(heading.text, level=0)
        pdf.style(16, bold=True, colour=NAVY)
        pdf.multi_cell(0, 10, heading.text, **PROSE)
        pdf.set_draw_color(*NAVY)
        pdf.line(MARGIN, pdf.get_y() + 0.5, pdf.w - MARGIN, pdf.get_y() + 0.5)
        pdf.ln(4)
    else:
        # A section heading moves on with what it introduces: the next paragraph, and the chart
        # after that when the paragraph is only its short lead-in (Word's "keep with next").
        if pdf.will_page_break(min(10 + _keep_height(pdf, pdf.following), pdf.h - 2 * MARGIN - 20)):
            pdf.add_page()
        else:
            pdf.ln(2)
        pdf.start_section(heading.text, level=1)
        pdf.style(12.5, bold=True, colour=NAVY)
        pdf.multi_cell(0, 8, heading.text, **PROSE)
        pdf.ln(1)
    pdf.set_text_color(0, 0, 0)
    pdf.fresh = False


# Chinese line-breaking rules (禁则): these never start a line, these never end one.
NO_LINE_START = set("，。、；：？！）》」』】〕”’%‰·…—,.;:?!)]}")
NO_LINE_END = set("（《「『【〔“‘([{")
# A run of Latin letters, digits and their joiners is one unbreakable token (GB/T, 2020—2024, 12.5%).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,/:%+\-_=]*|\s+|.", re.DOTALL)


def wrap_cjk(pdf: FPDF, text: str, width: float) -> str:
    """Break `text` into lines no wider than `width` at the current font, by the 禁则 rules.

    fpdf2 breaks either at spaces (a Chinese sentence has none, so the whole run jumps to the
    next line) or anywhere (a line may then start with "，" or split "2024"). The result keeps
    its own line breaks, so multi_cell lays it out without breaking it again.
    """
    lines = []
    for paragraph in text.split("\n"):
        tokens = TOKEN.findall(paragraph)
        start = len(lines)  # whitespace opening the paragraph is its indent; elsewhere it is dropped
        line: list[str] = []
        used = 0.0
        for token in tokens:
            token_width = pdf.get_string_width(token)
            if line and used + token_width > width and not token.isspace():
                carry: list[str] = []
                if token in NO_LINE_START and len(line) > 1:
                    carry.insert(0, line.pop())  # take the previous character along
                while len(line) > 1 and line[-1] in NO_LINE_END:
                    carry.insert(0, line.pop())
                lines.append("".join(line).rstrip())
                line = carry
                used = sum(pdf.get_string_width(t) for t in line)
            if not line and token.isspace() and len(lines) > start:
                continue
            line.append(token)
            used += token_width
        lines.append("".join(line).rstrip())
    return "\n".join(lines)


def _prose(pdf: ReportPDF, height: float, text: str, width: float = 0) -> None:
    width = width or pdf.epw
    # 0.6 mm of slack: fpdf2 adds the cell margins and rounds widths its own way.
    pdf.multi_cell(width, height, wrap_cjk(pdf, text, width - 2 * pdf.c_margin - 0.6), **PROSE)


def _block_height(pdf: ReportPDF, block) -> float:
    """Roughly how tall a block will be (mm), for keeping a heading with it."""
    if isinstance(block, Para):
        per_line = max(1, int(pdf.epw / (10.5 * 0.3528)))
        return 6.4 * math.ceil((len(block.text) + 2) / per_line) + 1.5
    if isinstance(block, Figure):
        return pdf.epw * block.width * block.aspect + 9
    return 22.0


def _keep_height(pdf: ReportPDF, following: list) -> float:
    if not following:
        return 0.0
    height = _block_height(pdf, following[0])
    if (isinstance(following[0], Para) and height <= 3 * 6.4 + 1.5 and len(following) > 1
            and isinstance(following[1], Figure)):
        height += _block_height(pdf, following[1])
    return height


def _para(pdf: ReportPDF, para: Para, report: Report) -> None:
    if para.kind == "body":
        pdf.style(10.5)
        # Two ideographic spaces: the first-line indent of a Chinese paragraph.
        _prose(pdf, 6.4, "\u3000\u3000" + para.text)
        pdf.ln(1.5)
    else:
        pdf.style(8.5 if para.kind == "note" else 10.5, colour=GREY)
        _prose(pdf, 5 if para.kind == "note" else 6.4, para.text)
        pdf.ln(1.5)
    pdf.set_text_color(0, 0, 0)
    pdf.fresh = False


def _bullets(pdf: ReportPDF, bullets: Bullets, report: Report) -> None:
    pdf.style(10.5)
    for item in bullets.items:
        pdf.set_x(MARGIN + 4)
        _prose(pdf, 6.4, f"• {item}", pdf.epw - 4)
    pdf.ln(1.5)
    pdf.fresh = False


def _figure(pdf: ReportPDF, figure: Figure, report: Report) -> None:
    width = pdf.epw * figure.width
    height = width * figure.aspect
    limit = pdf.h - 2 * MARGIN - 25
    if height > limit:  # a tall chart shrinks to the page rather than being cut
        width, height = width * limit / height, limit
    if pdf.will_page_break(height + 9 + (6 if figure.note else 0)):
        pdf.add_page()
    x = MARGIN + (pdf.epw - width) / 2
    y = pdf.get_y()
    pdf.image(str(figure.path), x=x, y=y, w=width, h=height)
    pdf.set_y(y + height + 1)
    pdf.style(9, bold=True)
    pdf.multi_cell(0, 5.5, figure.caption, align="C", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    if figure.note:
        pdf.style(8, colour=GREY)
        pdf.multi_cell(0, 4.5, figure.note, align="C", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.fresh = False


def _table(pdf: ReportPDF, table: Table, report: Report) -> None:
    if pdf.will_page_break(22):  # caption, heading row and a first row together
        pdf.add_page()
    pdf.style(9, bold=True)
    pdf.multi_cell(0, 5.5, table.caption, align="C", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)
    pdf.style(table.font_size)
    size_mm = table.font_size * 0.3528
    heading = FontFace(emphasis="BOLD" if pdf.bold else None, fill_color=HEADER_FILL, size_pt=table.font_size)
    with pdf.table(col_widths=[c.weight for c in table.columns], width=pdf.epw,
                   text_align=[{"L": "LEFT", "R": "RIGHT", "C": "CENTER"}[c.align] for c in table.columns],
                   headings_style=heading, line_height=size_mm * 1.45, padding=(0.9, 1.2),
                   repeat_headings=1, wrapmode=WrapMode.WORD, v_align="MIDDLE",
                   borders_layout="ALL") as grid:
        head = grid.row()
        for column in table.columns:
            head.cell(column.title, align="CENTER")
        for values in table.rows:
            row = grid.row()
            for value in values:
                row.cell(str(value))
    if table.note:
        pdf.ln(1)
        pdf.style(8, colour=GREY)
        _prose(pdf, 4.5, table.note)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    pdf.fresh = False
