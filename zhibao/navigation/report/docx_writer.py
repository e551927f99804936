"""The report as a Word document (python-docx): A4, Chinese fonts, real tables, a TOC field.

Chinese official documents set body text in 宋体 and headings in 黑体; both names are given
as the East Asian font (w:eastAsia) so Word on a Chinese system uses them, with Latin text in
Times New Roman / Arial. Headings use Word's built-in "Heading 1/2" styles so the TOC field,
the navigation pane and outline view work.
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .model import Bullets, Contents, Cover, Figure, Heading, Para, Report, Table

BODY_FONT, HEADING_FONT = "宋体", "黑体"
LATIN_BODY, LATIN_HEADING = "Times New Roman", "Arial"
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less 2.5 cm margins each side
HEADER_FILL = "D9E2F3"
GREY = RGBColor(0x66, 0x66, 0x66)
ALIGN = {"L": WD_ALIGN_PARAGRAPH.LEFT, "R": WD_ALIGN_PARAGRAPH.RIGHT, "C": WD_ALIGN_PARAGRAPH.CENTER}


def write_docx(report: Report, path: Path) -> None:
    """Lay the report's blocks out as a .docx at `path`."""
    doc = Document()
    _page_setup(doc, report.title)
    _styles(doc)
    doc.core_properties.title = report.title
    doc.core_properties.author = report.author
    doc.core_properties.language = "zh-CN"
    writers = {Cover: _cover, Contents: _contents, Heading: _heading, Para: _para, Bullets: _bullets,
               Figure: _figure, Table: _table}
    for index, block in enumerate(report.blocks):
        writers[type(block)](doc, block, report)
        if isinstance(block, Para) and index + 1 < len(report.blocks) and isinstance(report.blocks[index + 1], Figure):
            # A chart's lead-in sentence stays on the chart's page.
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
    doc.save(str(path))


# --- page and styles ----------------------------------------------------------------------------

def _page_setup(doc, title: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # python-docx's template is US Letter
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.different_first_page_header_footer = True  # the cover has no page number
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header.add_run(title)
    run.font.size = Pt(8)
    run.font.color.rgb = GREY
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页")


def _set_fonts(style_or_run, east_asian: str, latin: str) -> None:
    style_or_run.font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _styles(doc) -> None:
    styles = doc.styles
    # Mark East Asian text as Simplified Chinese, so Word applies Chinese line breaking (禁则)
    # and picks the Chinese proofing tools.
    for lang in doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang"):
        lang.set(qn("w:eastAsia"), "zh-CN")
    normal = styles["Normal"]
    _set_fonts(normal, BODY_FONT, LATIN_BODY)
    normal.font.size = Pt(10.5)  # 五号
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.3
    for level, size in ((1, 16), (2, 14)):  # 三号, 四号
        style = styles[f"Heading {level}"]
        _set_fonts(style, HEADING_FONT, LATIN_HEADING)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x68)
        style.paragraph_format.space_before = Pt(18 if level == 1 else 12)
        style.paragraph_format.space_after = Pt(8 if level == 1 else 6)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.page_break_before = level == 1
    caption = styles["Caption"]
    _set_fonts(caption, HEADING_FONT, LATIN_HEADING)
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.italic = False
    caption.font.color.rgb = RGBColor(0x22, 0x22, 0x22)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(3)
    caption.paragraph_format.space_after = Pt(6)
    cell = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell.base_style = normal
    cell.font.size = Pt(8.5)
    cell.paragraph_format.space_after = Pt(0)
    cell.paragraph_format.space_before = Pt(0)
    cell.paragraph_format.line_spacing = 1.0
    note = styles.add_style("Report Note", WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size = Pt(9)
    note.font.color.rgb = GREY


# --- blocks -------------------------------------------------------------------------------------

def _cover(doc, cover: Cover, report: Report) -> None:
    def line(text: str, size: float, *, bold: bool = False, before: float = 0, after: float = 6,
             font: str = HEADING_FONT) -> None:
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_before = Pt(before)
        paragraph.paragraph_format.space_after = Pt(after)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold
        _set_fonts(run, font, LATIN_HEADING)

    line(cover.center, 14, before=24)
    line(cover.title, 24, bold=True, before=150, after=12)
    line(cover.subtitle, 18, after=60)
    line(f"分析区域：{cover.region}", 12, font=BODY_FONT)
    if cover.snapshot:
        line(cover.snapshot, 12, font=BODY_FONT)
    line(cover.version, 12, font=BODY_FONT, after=170)
    line(cover.center, 14, bold=True)
    line(cover.date, 12, font=BODY_FONT)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc, _block: Contents, report: Report) -> None:
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("目　录")
    run.font.size = Pt(16)
    run.font.bold = True
    _set_fonts(run, HEADING_FONT, LATIN_HEADING)
    hint = doc.add_paragraph(style="Report Note")
    hint.add_run("（以下目录为 Word 目录域；在目录上右击并选择“更新域”即可显示页码。）")
    # The field's cached result is the plain list of headings, so the contents read correctly
    # before anyone updates the field (and in viewers that never do); updating replaces it
    # with Word's own page-numbered table of contents.
    headings = [b for b in report.blocks if isinstance(b, Heading)]
    for i, heading in enumerate(headings):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.74 * (heading.level - 1))
        paragraph.paragraph_format.space_after = Pt(2)
        if i == 0:
            _field_begin(paragraph, 'TOC \\o "1-2" \\h \\z \\u')
        run = paragraph.add_run(heading.text)
        run.font.bold = heading.level == 1
        if i == len(headings) - 1:
            _field_end(paragraph)


def _heading(doc, heading: Heading, report: Report) -> None:
    doc.add_heading(heading.text, level=heading.level)


def _para(doc, para: Para, report: Report) -> None:
    if para.kind == "body":
        paragraph = doc.add_paragraph(para.text)
        paragraph.paragraph_format.first_line_indent = Pt(21)  # two characters, the Chinese paragraph indent
    else:
        paragraph = doc.add_paragraph(para.text, style="Report Note")


def _bullets(doc, bullets: Bullets, report: Report) -> None:
    for item in bullets.items:
        doc.add_paragraph(item, style="List Bullet")


def _figure(doc, figure: Figure, report: Report) -> None:
    doc.add_picture(str(figure.path), width=Cm(TEXT_WIDTH_CM * figure.width))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.space_after = Pt(0)
    doc.add_paragraph(figure.caption, style="Caption")
    if figure.note:
        doc.add_paragraph(figure.note, style="Report Note")


def _table(doc, table: Table, report: Report) -> None:
    caption = doc.add_paragraph(table.caption, style="Caption")
    caption.paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=len(table.rows) + 1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(c.weight for c in table.columns) or 1
    widths = [Cm(TEXT_WIDTH_CM * c.weight / total) for c in table.columns]
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width  # w:gridCol, which LibreOffice and WPS read; Word reads each cell's w:tcW
    size = Pt(table.font_size)
    # The style's id, set straight on each cell paragraph: assigning by name makes python-docx
    # search the styles part for every one of thousands of cells.
    style_id = doc.styles["Table Text"].style_id
    for r, row in enumerate(grid.rows):
        cells = row.cells  # one lookup per row: python-docx walks the XML on every access
        values = [c.title for c in table.columns] if r == 0 else table.rows[r - 1]
        for c, cell in enumerate(cells):
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            paragraph._p.style = style_id
            run = paragraph.add_run(str(values[c]) if c < len(values) else "")
            run.font.size = size
            if r == 0:
                run.font.bold = True
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _shade(cell, HEADER_FILL)
            else:
                paragraph.alignment = ALIGN.get(table.columns[c].align, WD_ALIGN_PARAGRAPH.LEFT)
    _repeat_header(grid.rows[0])
    if table.note:
        doc.add_paragraph(table.note, style="Report Note")
    else:
        spacer = doc.add_paragraph()
        spacer.paragraph_format.space_after = Pt(2)


# --- XML helpers python-docx has no API for -------------------------------------------------------

def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    """Mark the row as a header row: Word repeats it at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _fld_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def _field_begin(paragraph, instruction: str) -> None:
    paragraph.add_run()._r.append(_fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_fld_char("separate"))


def _field_end(paragraph) -> None:
    paragraph.add_run()._r.append(_fld_char("end"))


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A one-run field (PAGE) with a cached result Word replaces when it lays the page out."""
    _field_begin(paragraph, instruction)
    paragraph.add_run(placeholder)
    _field_end(paragraph)
