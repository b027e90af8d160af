"""Word (.docx) building blocks for reports that print like government documents: fonts, headings, tables with
repeating headers and status colours, numbered captions, pictures, placeholders for the official to write."""

import io
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from plans import progress
from plans.text import writable

BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian)
HEADING_FONT = ("Times New Roman", "黑体")
HEADER_FILL = "DDE3EA"
PLACEHOLDER = gettext_noop("【待撰写】")


class Numbers:
    """Tables and figures numbered in the order they appear."""

    def __init__(self):
        self.counts = Counter()

    def caption(self, document, kind, text):
        self.counts[kind] += 1
        label = _("%(kind)s%(number)d %(text)s") % {"kind": kind, "number": self.counts[kind], "text": text}
        return document.add_paragraph(writable(label), style="Caption")


def _fonts(style, fonts, *, size=None, bold=None, colour=None):
    latin, east_asian = fonts
    style.font.name = latin
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = colour or RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts_element = rpr.find(qn("w:rFonts"))
    if fonts_element is None:
        fonts_element = OxmlElement("w:rFonts")
        rpr.insert(0, fonts_element)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts_element.set(qn(attribute), latin)
    fonts_element.set(qn("w:eastAsia"), east_asian)
    # The theme fonts of the default template would override the names above.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts_element.attrib.pop(qn(attribute), None)


def set_up(document, title):
    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, size=12)
    normal = styles["Normal"]
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)
    _fonts(styles["Title"], HEADING_FONT, size=20, bold=False)
    _fonts(styles["Subtitle"], BODY_FONT, size=14)
    styles["Subtitle"].font.italic = False
    _fonts(styles["Heading 1"], HEADING_FONT, size=16, bold=False)
    _fonts(styles["Heading 2"], HEADING_FONT, size=14, bold=False)
    _fonts(styles["Heading 3"], HEADING_FONT, size=12, bold=False)
    _fonts(styles["Caption"], BODY_FONT, size=10.5, bold=False)
    for name in ("Title", "Subtitle", "Caption"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
    # The Title style's bottom border belongs to Word's default look, not to a government report.
    title_ppr = styles["Title"].element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.5)
    _page_number(section.footer.paragraphs[0])
    properties = document.core_properties
    properties.title = title
    properties.author = "planboard"
    properties.language = "zh-CN"


def _page_number(paragraph):
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def paragraph(document, text, *, style=None, indent=True, bold_lead=None):
    added = document.add_paragraph(style=style)
    if indent:
        added.paragraph_format.first_line_indent = Pt(24)
    if bold_lead:
        added.add_run(writable(bold_lead)).bold = True
    added.add_run(writable(text))
    return added


def placeholder(document, text):
    """A paragraph for the official to write, marked so it cannot be missed (yellow, 【待撰写】)."""
    added = document.add_paragraph()
    added.paragraph_format.first_line_indent = Pt(24)
    run = added.add_run(writable(_(PLACEHOLDER) + text))
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return added


def table(document, header, rows, *, widths=None, status_column=None, statuses=None, size=10.5, left=(1,)):
    """A grid table whose header row repeats on every page; `statuses` colour the `status_column` cells."""
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = grid.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, header, strict=True):
        _cell_text(cell, text, size=size, bold=True, centre=True)
        _shade(cell, HEADER_FILL)
    for index, row in enumerate(rows):
        cells = grid.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, text, size=size, centre=column not in left)
            if statuses is not None and column == status_column and statuses[index] in progress.STATUS_COLOURS:
                _status_cell(cell, statuses[index])
    if widths:
        # Word reads the cells' widths, LibreOffice the grid's: set both.
        grid.autofit = False
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = Cm(width)
        for row in grid.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return grid


def _repeat_header(row):
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell_text(cell, text, *, size, bold=False, centre=False):
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = 1.0
    paragraph.paragraph_format.first_line_indent = None
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(writable(str(text)))
    run.font.size = Pt(size)
    run.bold = bold


def _shade(cell, fill):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _status_cell(cell, status):
    """The status's colour and the text colour that reads on it, as on the pages and in the Excel report."""
    _shade(cell, progress.STATUS_COLOURS[status].lstrip("#").upper())
    ink = RGBColor.from_string(progress.STATUS_TEXT_COLOURS[status].lstrip("#").upper())
    for run in cell.paragraphs[0].runs:
        run.font.color.rgb = ink


def picture(document, png, caption):
    document.add_picture(io.BytesIO(png), width=Cm(15.5))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.numbers.caption(document, _("图"), caption)
