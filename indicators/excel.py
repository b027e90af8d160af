"""Excel (and CSV) files in and out of planboard."""

import csv
import io

from openpyxl import load_workbook

LONG_COLUMNS = ["indicator", "district", "year", "value", "note", "source", "confirm"]
REQUIRED_COLUMNS = ["indicator", "district", "year", "value"]


class BadFile(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


def read_long_table(file, filename):
    """Yield (row number, {column: value}) from a long-format CSV or XLSX with a header row."""
    if filename.lower().endswith(".csv"):
        text = file.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(text)))
    else:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
        lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    if not lines:
        raise BadFile("文件是空的。")
    header = [str(cell or "").strip().lower() for cell in lines[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadFile(f"缺少列：{'、'.join(missing)}。")
    extra = [name for name in header if name and name not in LONG_COLUMNS]
    if extra:
        raise BadFile(f"无法识别的列：{'、'.join(extra)}。")
    for number, line in enumerate(lines[1:], start=2):
        if any(cell not in (None, "") for cell in line):
            yield number, dict(zip(header, line, strict=False))
