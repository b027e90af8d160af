"""Reading figure files: the long format of `import_values`, and uploads, with their safety checks."""

import csv
import io
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from figures import access
from figures.excel_template import META_SHEET, TEMPLATE_COLUMNS, TEMPLATE_HEADER_ROW, TEMPLATE_INPUTS, TEMPLATE_MARK
from plans.models import District

# Every upload's limits and safety checks have one home; BadFile and the limits are named here for the figures' code.
from plans.xlsx_uploads import MAX_BYTES, MAX_ROWS, BadFile, open_xlsx, sheet_values, too_large, too_many_rows

LONG_COLUMNS = ["indicator", "district", "year", "value", "note", "source", "confirm", "reason", "measures"]
REQUIRED_COLUMNS = ["indicator", "district", "year", "value"]
# The long format's header may use the Chinese names as well as the codes; the import page lists them.
LONG_HEADERS = {
    "indicator": "指标",
    "district": "地区",
    "year": "年份",
    "value": "数值",
    "note": "说明",
    "source": "数据来源",
    "confirm": "确认大幅变动",
    "reason": "原因分析",
    "measures": "整改措施",
}
HEADER_CODES = {**{name: name for name in LONG_COLUMNS}, **{header: name for name, header in LONG_HEADERS.items()}}

# ---------------------------------------------------------------------------------------------------------------
# Reading files: the long format of `import_values`, and uploads (the template or the long format)


def read_long_table(file, filename):
    """Yield (row number, {column: value}) from a long-format CSV or XLSX with a header row.

    Row numbers name one table, so a workbook must hold it on one sheet (the upload page reads several)."""
    if filename.lower().endswith(".csv"):
        lines = _csv_lines(file.read())
    else:
        sheets = {}
        for sheet in load_workbook(file, read_only=True, data_only=True).worksheets:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            if any(value not in (None, "") for row in rows for value in row):
                sheets[sheet.title] = rows
        if len(sheets) > 1:
            raise BadFile(
                _("工作簿有多个工作表（%(sheets)s），请每个文件只放一个工作表，或在网页上传。")
                % {"sheets": "、".join(sheets)}
            )
        lines = next(iter(sheets.values()), [])
    header = _long_header(lines[0] if lines else None)
    yield from _long_rows(header, lines[1:], start=2)


MAX_CSV_CELL = 128 * 1024


def _csv_lines(data):
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadFile(_("CSV 文件须为 UTF-8 编码（在 Excel 中另存为“CSV UTF-8”）。")) from None
    # The csv module's own field limit is process-wide and other libraries raise it (frictionless sets it to
    # sys.maxsize on import), so a cell's size is checked here; the file itself is at most MAX_BYTES.
    refused = BadFile(_("CSV 文件格式有误：某个单元格超过 %(kb)d KB，或引号没有成对。") % {"kb": MAX_CSV_CELL // 1024})
    try:
        lines = list(csv.reader(io.StringIO(data)))
    except csv.Error:
        raise refused from None  # a field over the csv module's limit: a stray quote swallowing the rest of the file
    if any(len(cell) > MAX_CSV_CELL for line in lines for cell in line):
        raise refused
    return lines


def _long_header(first_line):
    if not first_line:
        raise BadFile(_("文件是空的。"))
    written = [str(value or "").strip() for value in first_line]
    header = [HEADER_CODES.get(name.lower(), HEADER_CODES.get(name, name)) for name in written]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadFile(
            _("缺少列：%(columns)s。") % {"columns": "、".join(f"{LONG_HEADERS[name]}（{name}）" for name in missing)}
        )
    extra = [name for name in header if name and name not in LONG_COLUMNS]
    if extra:
        raise BadFile(_("无法识别的列：%(columns)s。") % {"columns": "、".join(extra)})
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise BadFile(
            _("列重复：%(columns)s。")
            % {"columns": "、".join(f"{LONG_HEADERS[name]}（{name}）" for name in duplicated)}
        )
    return header


def _long_rows(header, lines, *, start):
    for number, line in enumerate(lines, start=start):
        if not any(value not in (None, "") for value in line):
            continue
        _no_cells_beyond(line, len(header), number)
        yield number, {name: value for name, value in zip(header, line, strict=False) if name}


def _no_cells_beyond(line, columns, number, sheet=""):
    for index, value in enumerate(line[columns:], start=columns + 1):
        if value not in (None, ""):
            raise BadFile(
                _("%(sheet)s第%(row)d行%(column)s列在表头之外有内容：多出的列不能导入。")
                % {"sheet": sheet, "row": number, "column": get_column_letter(index)}
            )


@dataclass
class Sheet:
    """The filled rows of one sheet of an upload, ready for `pipeline.check_rows`."""

    title: str
    rows: list  # [(row number, {field: value})]
    columns: dict  # {field: (column letter, header)}, to name the cell an error is about

    def locate(self, number, name, message):
        letter, header = self.columns.get(name) or self.columns.get("value")
        return _("工作表“%(sheet)s”第%(row)d行%(column)s列（%(header)s）：%(message)s") % {
            "sheet": self.title,
            "row": number,
            "column": letter,
            "header": header,
            "message": message,
        }


def read_upload(data, filename, *, plan, user):
    """The sheets of an uploaded file, or BadFile saying what is wrong with the file as a whole."""
    name = PurePath(filename).name.lower()
    if len(data) > MAX_BYTES:
        raise too_large()
    shown = PurePath(filename).name[:200]
    if name.endswith(".csv"):
        lines = _csv_lines(data)
        _check_row_count(len(lines))
        header = _long_header(lines[0] if lines else None)
        return [_long_sheet(shown, header, lines)]
    if name.endswith((".xlsm", ".xltm", ".xlsb", ".xlam")):
        raise BadFile(_("不接受含宏的文件（%(name)s），请另存为 .xlsx 后上传。") % {"name": shown})
    if not name.endswith(".xlsx"):
        raise BadFile(_("只接受 .xlsx 或 .csv 文件。"))
    workbook = open_xlsx(data)
    contents, total = {}, 0
    for sheet in workbook.worksheets:
        contents[sheet.title] = sheet_values(sheet, total)
        total += len(contents[sheet.title])
    workbook.close()
    if not contents:
        raise BadFile(_("文件中没有工作表（只有图表），请把数据放在工作表中。"))
    if META_SHEET in contents:
        return _template_sheets(contents, plan=plan, user=user)
    return _long_sheets(contents)


def _long_sheets(contents):
    """Every sheet of a long-format workbook, each with its own header row; blank sheets are skipped. A sheet
    that cannot be read refuses the whole file, naming the sheet."""
    sheets = []
    for title, lines in contents.items():
        if not lines:
            continue
        try:
            header = _long_header(lines[0])
        except BadFile as bad:
            if len(contents) == 1:
                raise
            raise BadFile(_("工作表“%(sheet)s”：%(problem)s") % {"sheet": title, "problem": bad}) from None
        sheets.append(_long_sheet(title, header, lines))
    if not sheets:
        raise BadFile(_("文件是空的。"))
    return sheets


def _long_sheet(title, header, lines):
    """The rows below the header line; errors name each column as the file's header writes it."""
    rows = list(_long_rows(header, lines[1:], start=2))
    columns = {
        name: (get_column_letter(index), str(written).strip())
        for index, (name, written) in enumerate(zip(header, lines[0], strict=False), start=1)
        if name
    }
    return Sheet(title, rows, columns)


def _check_row_count(count):
    if count > MAX_ROWS + 1:
        raise too_many_rows()


def _template_sheets(contents, *, plan, user):
    meta = contents.pop(META_SHEET)
    if not meta or meta[0][:1] != [TEMPLATE_MARK]:
        raise BadFile(_("文件中的“%(sheet)s”工作表不是本系统生成的。") % {"sheet": META_SHEET})
    settings = {line[0]: line[1:] for line in meta[1:] if line and line[0] in ("plan", "year")}
    if (settings.get("plan") or [None])[0] != plan.code:
        raise BadFile(_("这是另一个规划的填报表，请下载当前规划的模板。"))
    year = (settings.get("year") or [None])[0]
    mapping = {line[1]: str(line[2]) for line in meta[1:] if len(line) >= 3 and line[0] == "sheet"}
    districts = {d.code: d for d in District.objects.filter(code__in=mapping.values())}
    allowed = {d.pk for d in access.upload_districts(user)}
    sheets = []
    for title, lines in contents.items():
        code = mapping.get(title)
        if code is None:
            raise BadFile(_("工作表“%(sheet)s”不是模板中的工作表，请勿增加或重命名工作表。") % {"sheet": title})
        district = districts.get(code)
        if district is None:
            raise BadFile(_("工作表“%(sheet)s”对应的地区“%(code)s”不存在。") % {"sheet": title, "code": code})
        if district.pk not in allowed:
            raise BadFile(
                _("工作表“%(sheet)s”是%(district)s的填报表，您无权填报该地区的数据。")
                % {"sheet": title, "district": district.name}
            )
        sheets.append(_template_sheet_rows(title, lines, district, year))
    if len({s.rows[0][1]["district"] for s in sheets if s.rows}) < len([s for s in sheets if s.rows]):
        raise BadFile(_("同一地区出现在多个工作表中。"))
    return sheets


def _template_sheet_rows(title, lines, district, year):
    expected = [header for _f, header in TEMPLATE_COLUMNS]
    header = [str(v or "") for v in (lines[TEMPLATE_HEADER_ROW - 1] if len(lines) >= TEMPLATE_HEADER_ROW else [])]
    while header and not header[-1]:
        header.pop()
    if header != expected:
        missing = [h for h in expected if h not in header]
        extra = [h for h in header if h not in expected]
        problem = []
        if missing:
            problem.append(_("缺少列：%(columns)s") % {"columns": "、".join(missing)})
        if extra:
            problem.append(_("多出列：%(columns)s") % {"columns": "、".join(h or _("（空白）") for h in extra)})
        if not problem:
            problem.append(_("列的顺序被改动"))
        raise BadFile(
            _("工作表“%(sheet)s”第%(row)d行的列与模板不一致（%(problem)s），请使用下载的模板。")
            % {"sheet": title, "row": TEMPLATE_HEADER_ROW, "problem": "；".join(problem)}
        )
    fields = [f for f, _h in TEMPLATE_COLUMNS]
    rows = []
    for number, line in enumerate(lines[TEMPLATE_HEADER_ROW:], start=TEMPLATE_HEADER_ROW + 1):
        _no_cells_beyond(line, len(fields), number, sheet=_("工作表“%(sheet)s”") % {"sheet": title})
        row = dict(zip(fields, line, strict=False))
        if all(row.get(name) in (None, "") for name in TEMPLATE_INPUTS if name != "source"):
            continue  # an indicator left blank is simply not reported this time (a source alone says nothing)
        row.update(district=district.code, year=year)
        rows.append((number, row))
    columns = {f: (get_column_letter(i), h) for i, (f, h) in enumerate(TEMPLATE_COLUMNS, start=1)}
    columns["year"] = columns["district"] = columns["value"]
    return Sheet(title, rows, columns)
