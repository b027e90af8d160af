"""Uploaded .xlsx files, opened safely and read within limits: the one home of the checks every upload passes
(the figures' upload in `figures.excel_files`, the plan workbook in `plans.workbook`).

Refused, each with one message for the person who uploaded it: more than 5 MB, anything but a plain zip package
(old .xls, password-protected files, renamed CSVs), zip bombs, macros, XML entity declarations (DOCTYPE/ENTITY),
merged cells, formulas, and sheets larger than a table of figures or a plan can be. The size of each sheet is
checked before a row is read: from the dimension its XML declares and from a count of its cells, so that a small
file with one cell at column XFD and another a million rows below is refused in milliseconds instead of growing
the server by gigabytes; and rows are read with hard bounds whatever the file declares.
"""

import io
import re
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# The widest sheet planboard reads has 25 columns (the plan workbook's 指标).
MAX_COLUMNS = 100
# Cells written in the file (empty styled ones too), and shared strings: a full 5,000-row table of figures has
# 45,000. openpyxl keeps the cells of one row and every shared string in memory; this bounds both (a file whose
# cells are all on one row costs about 45 MB to refuse: tests/figures/test_upload_limits.py, bench/README.md).
MAX_CELLS = 100_000
# A 5 MB upload that unpacks to more than this is a zip bomb, not a table of figures.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_PARTS = 500

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b")
CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
# Excel never writes a DTD; one in any part can only be there to expand entities (billion laughs, external files).
ENTITY_DECLARATION = re.compile(
    b"|".join(
        re.escape(word.encode(encoding))
        for word in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    )
)


class BadFile(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


def too_large():
    return BadFile(_("文件超过 %(mb)d MB，请拆分后再上传。") % {"mb": MAX_BYTES // (1024 * 1024)})


def too_many_rows():
    return BadFile(_("文件超过 %(rows)d 行，请拆分后再上传。") % {"rows": MAX_ROWS})


def open_xlsx(data):
    """An .xlsx opened in read-only mode, after checking it is one: a plain, unencrypted, macro-free, sane zip,
    without entity declarations or merged cells, whose sheets are no larger than the limits."""
    if len(data) > MAX_BYTES:
        raise too_large()
    if data.startswith(OLE_MAGIC):
        # Password-protected workbooks are OLE containers with an EncryptionInfo stream; so are old .xls files.
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise BadFile(_("文件设置了打开密码，请取消密码后再上传。"))
        raise BadFile(_("这是旧版 Excel（.xls）文件，请另存为 .xlsx 后上传。"))
    if not data.startswith(b"PK\x03\x04"):
        raise BadFile(_("文件不是有效的 .xlsx 文件（可能是改了扩展名的 CSV 或其他文件），请在 Excel 中另存为 .xlsx。"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
        names = {part.filename.lower() for part in parts}
        if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
            raise BadFile(_("文件解压后过大（可能是压缩炸弹），已拒绝。"))
        types = archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        if any(n.endswith("vbaproject.bin") for n in names) or b"macroEnabled" in types:
            raise BadFile(_("文件含有宏，请另存为不含宏的 .xlsx 后上传。"))
        for part in parts:
            if _found(archive, part, ENTITY_DECLARATION):
                raise BadFile(_("文件含有 XML 实体声明（DOCTYPE/ENTITY），可能是恶意文件，已拒绝。"))
            if part.filename.lower() == "xl/sharedstrings.xml" and _count(archive, part, SHARED_STRING) > MAX_CELLS:
                raise _too_many_cells()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise BadFile(_("文件已损坏，无法读取。")) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error on a broken package; all mean the same to the user
        raise BadFile(_("无法读取该 Excel 文件，请在 Excel 中重新保存为 .xlsx 后上传。")) from None
    for sheet in workbook.worksheets:
        _check_size(archive, sheet)
    return workbook


def _check_size(archive, sheet):
    """Refuse a sheet larger than a table can be, before any of its rows is read."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0  # as the sheet's <dimension> declares them
    if rows > MAX_ROWS + 1:
        raise too_many_rows()
    if columns > MAX_COLUMNS:
        raise _too_many_columns(sheet, columns)
    try:
        part = archive.getinfo(sheet._worksheet_path.lstrip("/"))
    except KeyError:
        raise BadFile(_("文件已损坏，无法读取。")) from None
    if _count(archive, part, CELL) > MAX_CELLS:
        raise _too_many_cells()
    if _found(archive, part, MERGE_CELL):
        raise BadFile(_("工作表“%(sheet)s”有合并单元格，请取消合并后再上传。") % {"sheet": sheet.title})


def _too_many_columns(sheet, columns):
    words = {"sheet": sheet.title, "columns": MAX_COLUMNS, "last": get_column_letter(min(columns, 16384))}
    return BadFile(_("工作表“%(sheet)s”超过 %(columns)d 列（用到 %(last)s 列），请删除多余的列后再上传。") % words)


def _too_many_cells():
    return BadFile(_("文件的单元格超过 %(cells)d 个，请拆分后再上传。") % {"cells": MAX_CELLS})


def _chunks(archive, part):
    """The part's bytes in 64 KB chunks, each with the end of the one before (a match may straddle two)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 16):
            yield tail, tail + chunk
            tail = chunk[-64:]


def _found(archive, part, pattern):
    return any(pattern.search(text) for _tail, text in _chunks(archive, part))


def _count(archive, part, pattern):
    # A match ending inside the previous chunk's tail was counted with that chunk.
    return sum(1 for tail, text in _chunks(archive, part) for m in pattern.finditer(text) if m.end() > len(tail))


def sheet_values(sheet, rows_so_far=0):
    """The sheet's values as lists (text stripped, trailing empty rows dropped), refusing formulas (only typed
    values are taken) and more rows or columns than the limits. Reads at most MAX_ROWS + 1 rows (the header) of
    MAX_COLUMNS + 1 cells, whatever the file declares; `rows_so_far` counts the rows of the sheets before."""
    lines = []
    rows = sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS + 1)
    for number, row in enumerate(rows, start=1):
        if rows_so_far + number > MAX_ROWS + 1:
            raise too_many_rows()
        values = []
        for position, read in enumerate(row, start=1):
            if read.data_type == "f":
                raise BadFile(
                    _("工作表“%(sheet)s”%(cell)s是公式，请复制后“粘贴为数值”再上传。")
                    % {"sheet": sheet.title, "cell": f"{get_column_letter(position)}{number}"}
                )
            value = read.value
            values.append(value.strip() if isinstance(value, str) else value)
        if values[MAX_COLUMNS:] and values[MAX_COLUMNS] not in (None, ""):
            raise _too_many_columns(sheet, MAX_COLUMNS + 1)
        lines.append(values)
    while lines and not any(v not in (None, "") for v in lines[-1]):
        lines.pop()
    # Every row as wide as the sheet: its declared width, or its last filled column if the declaration is short.
    used = max((i + 1 for line in lines for i, v in enumerate(line) if v not in (None, "")), default=0)
    width = max(used, min(sheet.max_column or 0, MAX_COLUMNS))
    return [line[:width] for line in lines]
