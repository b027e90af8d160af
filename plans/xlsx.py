"""Cells, styles and page set-up for the workbooks planboard writes: text never taken for a formula."""

import unicodedata

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from plans import progress
from plans.text import UNWRITABLE, writable

# ---------------------------------------------------------------------------------------------------------------
# Cells and styles shared by the report and the template

# Text starting with these may be taken for a formula (or a DDE payload) by a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
TITLE_FONT = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def text_cell(sheet, value, **style):
    """A cell holding `value` as text, never as a formula, an error code or an illegal XML character."""
    cell = WriteOnlyCell(sheet, value=writable(value))
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        # Shown and kept as text even when someone edits the cell in Excel.
        cell.quotePrefix = True
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def cell(sheet, value, **style):
    if isinstance(value, Promise):
        value = str(value)  # lazy translations, such as an assessment's explanation
    if isinstance(value, str):
        return text_cell(sheet, value, **style)
    written = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(written, name, setting)
    return written


def safe_row(sheet, values):
    """A row of plain values, with strings made safe; cheap enough for a hundred thousand rows."""
    return [text_cell(sheet, v) if isinstance(v, str) and (v[:1] in FORMULA_STARTS or _odd(v)) else v for v in values]


def _odd(text):
    # Strings openpyxl would not keep as plain text: error codes like #N/A, or characters XML forbids.
    return text[:1] == "#" or UNWRITABLE.search(text) is not None


def header_cells(sheet, names):
    return [text_cell(sheet, str(name), font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP) for name in names]


def status_style(status):
    """Fill and font of a status cell: the dashboard's colours."""
    fill, ink = (progress.STATUS_COLOURS[status], progress.STATUS_TEXT_COLOURS[status])
    return {"fill": PatternFill("solid", fgColor=fill.lstrip("#").upper()), "font": Font(color=ink.lstrip("#").upper())}


def number_format(indicator):
    """Excel's format for the indicator's unit: percentages are stored as points (98.5), so '%' is literal."""
    decimals = indicator.shown_decimals
    digits = "0." + "0" * decimals if decimals else "0"
    if indicator.is_rate:
        return f'{digits}"%"'
    if suffix := unit_suffix(indicator):
        return f'#,##{digits}"{suffix}"'
    return f"#,##{digits}"


def unit_suffix(indicator):
    """The unit printed after a figure (106.55万人): 万人 and 年 in Chinese; in English the headers name the unit."""
    if indicator.unit in ("万人", "年") and indicator.display_unit == indicator.unit:
        return indicator.unit
    return ""


def width(value):
    """Columns are measured in Latin characters; CJK characters take two."""
    text = str(value if value is not None else "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def set_widths(sheet, rows, *, least=6, most=60):
    """Column widths that fit the longest value of each column (write-only sheets need them before rows)."""
    widths = {}
    for row in rows:
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, least), min(most, width(value) + 2))
    for index, size in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = size


def print_setup(sheet, title_rows):
    """Landscape, as wide as the page, the header rows repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows


def local_time(moment):
    """Excel has no time zones: write local wall-clock time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None
