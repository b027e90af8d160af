"""A plan as one workbook: written from, and read into, the loader's keyed rows (the form `read_folder` gives).

Sheets and columns are listed once in `SHEETS`; the writer and the reader both follow it, so a workbook that
was downloaded, corrected and uploaded again reads back to the same rows. Columns marked `out` (the 待核实 flag
and its reason, district names) are written for the reader's eye and ignored on upload: the loader sets the
flag by `plans.review_flags`. Bad workbooks are refused with the sheet, row and column of every problem.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from plans import review_flags, xlsx
from plans.models import (
    Attribute,
    Confidence,
    Direction,
    District,
    Indicator,
    Operator,
    Plan,
    Target,
    Task,
    TaskItem,
    TextTarget,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_UNPACKED = 50 * 1024 * 1024
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
TRUE, FALSE = "是", "否"
TARGET, BASELINE = "目标", "基期值"


@dataclass(frozen=True)
class Column:
    header: str
    name: str  # the field, or the row key (code, number, order, indicator, district, year...)
    kind: str = "text"  # text, int, decimal, bool, choice, out
    required: bool = False
    choices: tuple = ()
    optional: bool = False  # the header may be absent (workbooks from before the column existed)


def _values(choices):
    return tuple(choices.values)


CONFIDENCE = Column("复原可信度", "confidence", "choice", True, _values(Confidence))
FLAG = Column("待核实", "needs_review", "out")
REASON = Column("待核实原因", "review_reason", "out")

PLAN_COLUMNS = (
    Column("代码", "code", required=True),
    Column("名称", "name", required=True),
    Column("文号", "document_number"),
    Column("基期年份", "base_year", "int", True),
    Column("目标年份", "target_year", "int", True),
    Column("快于预期阈值", "ahead_ratio", "decimal", True),
    Column("符合预期阈值", "on_track_ratio", "decimal", True),
    Column("大幅变动比例", "large_move_share", "decimal", True),
    Column("大幅变动百分点", "large_move_points", "decimal", True),
)
INDICATOR_COLUMNS = (
    Column("代码", "code", required=True),
    Column("排序", "order", "int", True),
    Column("分组", "group"),
    Column("名称", "name", required=True),
    Column("英文名称", "name_en"),
    Column("单位", "unit"),
    Column("方向", "direction", "choice", True, _values(Direction)),
    Column("小数位数", "decimals", "int", True),
    Column("合理下限", "min_value", "decimal"),
    Column("合理上限", "max_value", "decimal"),
    Column("只取整数", "whole_number", "bool"),
    Column("属性", "attribute", "choice", False, _values(Attribute)),
    Column("指标解释", "definition"),
    Column("出处", "section", required=True),
    Column("出处详情", "source_detail"),
    Column("累计值", "cumulative", "bool"),
    Column("所属任务", "task_number", "int"),
    Column("主要指标", "is_main", "bool"),
    Column("分地区加总校核", "sum_check", "bool"),
    Column("加总容差", "sum_tolerance", "decimal", True),
    Column("分地区表列序", "district_order", "int"),
    # "<plan code>/<indicator code>" of the earlier plan's indicator this one continues (README, "Figures two plans
    # share"): the two share their figures.
    Column("延续指标", "continues", optional=True),
    Column("英文单位", "unit_en", optional=True),
    CONFIDENCE,
    FLAG,
    REASON,
)
CELL_COLUMNS = (
    Column("指标代码", "indicator", required=True),
    Column("地区代码", "district", required=True),
    Column("地区", "district_name", "out"),
    Column("年份", "year", "int", True),
    Column("类型", "type", "choice", True, (TARGET, BASELINE)),
    Column("运算符", "operator", "choice", False, _values(Operator)),
    Column("数值", "value", "decimal", True),
    Column("上限", "upper", "decimal"),
    Column("来源", "source"),
)
TASK_COLUMNS = (
    Column("序号", "number", "int", True),
    Column("类别", "category", required=True),
    Column("任务", "title"),
    Column("英文名称", "title_en"),
    Column("责任单位", "department"),
    CONFIDENCE,
    FLAG,
    REASON,
)
ITEM_COLUMNS = (
    Column("任务序号", "number", "int", True),
    Column("排序", "order", "int", True),
    Column("内容", "content", required=True),
    Column("量化目标", "quantitative_target"),
    CONFIDENCE,
    FLAG,
    REASON,
)
TEXT_TARGET_COLUMNS = (
    Column("代码", "code", required=True),
    Column("出处", "section", required=True),
    Column("出处详情", "source_detail"),
    Column("重点项目", "project"),
    Column("目标表述", "text", required=True),
    Column("数值", "value"),
    Column("单位", "unit"),
    Column("年份", "year", "int", True),
    Column("类型", "kind", required=True),
    Column("运算符", "operator", "choice", False, _values(Operator)),
    Column("方向", "direction", "choice", False, _values(Direction)),
    Column("不量化跟踪的原因", "untracked_reason"),
    Column("所属任务", "task_number", "int"),
    Column("同一目标", "same_as"),
    CONFIDENCE,
    FLAG,
    REASON,
)

# Sheet title, columns, the model its text lengths are checked against. Indicators are split over two sheets:
# the plan's main and district-table indicators, and the key projects' (both read into the same rows).
PLAN_SHEET, INDICATOR_SHEET, CELL_SHEET, TASK_SHEET, ITEM_SHEET, PROJECT_SHEET, TEXT_SHEET = (
    "规划",
    "指标",
    "分地区目标",
    "任务",
    "任务内容",
    "重点项目",
    "文字目标",
)
SHEETS = {
    PLAN_SHEET: (PLAN_COLUMNS, Plan),
    INDICATOR_SHEET: (INDICATOR_COLUMNS, Indicator),
    CELL_SHEET: (CELL_COLUMNS, Target),
    TASK_SHEET: (TASK_COLUMNS, Task),
    ITEM_SHEET: (ITEM_COLUMNS, TaskItem),
    PROJECT_SHEET: (INDICATOR_COLUMNS, Indicator),
    TEXT_SHEET: (TEXT_TARGET_COLUMNS, TextTarget),
}
# Row keys, not model fields.
KEYS = {"code", "number", "indicator", "district", "type", "task_number", "same_as", "source", "continues"}
BOOLEAN_DEFAULT = False


# ---------------------------------------------------------------------------------------------------------------
# Writing


def write_workbook(data) -> bytes:
    """The plan's rows as an .xlsx, one sheet per kind of row, every text cell kept as text."""
    names = dict(District.objects.values_list("code", "short_name"))
    rows = {
        PLAN_SHEET: [{"code": data["plan"]["code"], **data["plan"]["fields"]}],
        INDICATOR_SHEET: [],
        PROJECT_SHEET: [],
        CELL_SHEET: [],
        TASK_SHEET: [_flagged("tasks", {"number": r["number"], **r["fields"]}) for r in data["tasks"]],
        ITEM_SHEET: [
            _flagged("task_items", {"number": r["number"], "order": r["order"], **r["fields"]})
            for r in data["task_items"]
        ],
        TEXT_SHEET: [
            _flagged(
                "text_targets",
                {"code": r["code"], "task_number": r["task_number"], "same_as": r["same_as"], **r["fields"]},
            )
            for r in data["text_targets"]
        ],
    }
    for r in data["indicators"]:
        row = _flagged(
            "indicators",
            {"code": r["code"], "task_number": r.get("task_number"), "continues": r.get("continues"), **r["fields"]},
        )
        main = row.get("is_main") or row.get("sum_check")
        rows[INDICATOR_SHEET if main else PROJECT_SHEET].append(row)
    for kind, label in (("baselines", BASELINE), ("targets", TARGET)):
        for r in data[kind]:
            rows[CELL_SHEET].append(
                {
                    "indicator": r["indicator"],
                    "district": r["district"],
                    "district_name": names.get(r["district"], ""),
                    "year": r["year"],
                    "type": label,
                    **r["fields"],
                }
            )
    workbook = Workbook(write_only=True)
    for title, (columns, _model) in SHEETS.items():
        sheet = workbook.create_sheet(title)
        values = [[_out(row.get(c.name), c) for c in columns] for row in rows[title]]
        xlsx.set_widths(sheet, [[c.header for c in columns], *values], most=40)
        sheet.freeze_panes = "B2"
        sheet.append(xlsx.header_cells(sheet, [c.header for c in columns]))
        for line in values:
            sheet.append([xlsx.cell(sheet, value) for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _flagged(kind, row):
    found = review_flags.reasons(kind, row)
    return dict(row, needs_review=bool(found), review_reason="；".join(found))


def _out(value, column):
    if value is None:
        return None
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, Decimal):
        # Decimals are stored with four places; Excel holds doubles, which keep four places exactly enough.
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Reading


class BadWorkbook(Exception):
    """The workbook cannot be loaded; `errors` name the sheet, row and column of each problem."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def _located(sheet, row, column, message):
    if column is None:
        return _("工作表“%(sheet)s”：%(message)s") % {"sheet": sheet, "message": message}
    letter, header = column
    return _("工作表“%(sheet)s”第%(row)d行%(column)s列（%(header)s）：%(message)s") % {
        "sheet": sheet,
        "row": row,
        "column": letter,
        "header": header,
        "message": message,
    }


def read_workbook(data: bytes) -> dict:
    """The rows of an uploaded plan workbook, in the form `read_folder` gives, or BadWorkbook."""
    sheets = _open(data)
    reader = _Reader()
    tables = {title: reader.table(title, sheets.get(title)) for title in SHEETS}
    if reader.errors:
        raise BadWorkbook(reader.errors)
    result = reader.build(tables)
    if reader.errors:
        raise BadWorkbook(reader.errors)
    return result


def _open(data):
    if len(data) > MAX_BYTES:
        raise BadWorkbook([_("文件超过 %(mb)d MB，请拆分后再上传。") % {"mb": MAX_BYTES // (1024 * 1024)}])
    if not data.startswith(b"PK\x03\x04"):
        raise BadWorkbook([_("只接受 .xlsx 文件。")])
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise BadWorkbook([_("文件已损坏，无法读取。")]) from None
    if sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise BadWorkbook([_("文件解压后过大（可能是压缩炸弹），已拒绝。")])
    if any(part.filename.lower().endswith("vbaproject.bin") for part in parts):
        raise BadWorkbook([_("文件含有宏，请另存为不含宏的 .xlsx 后上传。")])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets, total = {}, 0
        for sheet in workbook.worksheets:
            sheets[sheet.title] = [list(row) for row in sheet.iter_rows(values_only=True)]
            total += len(sheets[sheet.title])
            if total > MAX_ROWS:
                raise BadWorkbook([_("文件超过 %(rows)d 行，请拆分后再上传。") % {"rows": MAX_ROWS}])
        workbook.close()
    except BadWorkbook:
        raise
    except Exception:  # openpyxl raises many kinds of error on a broken package; all mean the same to the user
        raise BadWorkbook([_("无法读取该 Excel 文件，请在 Excel 中重新保存为 .xlsx 后上传。")]) from None
    return sheets


class _Reader:
    def __init__(self):
        self.errors = []

    def error(self, sheet, row, column, message):
        self.errors.append(_located(sheet, row, column, message))

    def table(self, title, lines):
        """[(row number, {name: value}, {name: (letter, header)})] of one sheet, each cell parsed."""
        if lines is None:
            self.error(title, 0, None, _("缺少此工作表。"))
            return []
        columns, model = SHEETS[title]
        header = [str(v).strip() if v is not None else "" for v in (lines[0] if lines else [])]
        positions = {}
        for column in columns:
            if column.header in header:
                positions[column.name] = (header.index(column.header), column)
            elif column.kind != "out" and not column.optional:
                self.error(title, 1, None, _("缺少列“%(header)s”。") % {"header": column.header})
        if any(c.kind != "out" and not c.optional and c.name not in positions for c in columns):
            return []
        rows = []
        for number, line in enumerate(lines[1:], start=2):
            if not any(v not in (None, "") for v in line):
                continue
            row, where = {}, {}
            for name, (index, column) in positions.items():
                if column.kind == "out":
                    continue
                where[name] = (get_column_letter(index + 1), column.header)
                raw = line[index] if index < len(line) else None
                try:
                    row[name] = _parse(raw, column, model)
                except ValueError as problem:
                    self.error(title, number, where[name], str(problem))
            rows.append((number, row, where))
        return rows

    def unique(self, title, rows, key):
        seen = {}
        for number, row, where in rows:
            value = key(row)
            if value in seen:
                name = next(iter(where))
                self.error(title, number, where[name], _("与第%(row)d行重复。") % {"row": seen[value]})
            seen[value] = number

    def build(self, tables):
        plan_rows = tables[PLAN_SHEET]
        if len(plan_rows) != 1:
            self.error(PLAN_SHEET, 2, None, _("须有且只有一行规划。"))
            return None
        number, plan, where = plan_rows[0]
        if plan["target_year"] is not None and plan["base_year"] is not None:
            if plan["target_year"] <= plan["base_year"]:
                self.error(PLAN_SHEET, number, where["target_year"], _("目标年份须晚于基期年份。"))
        if not SLUG.match(plan["code"] or ""):
            self.error(PLAN_SHEET, number, where["code"], _("代码只能含字母、数字、连字符和下划线。"))
        base_year, target_year = plan["base_year"], plan["target_year"]

        tasks = tables[TASK_SHEET]
        self.unique(TASK_SHEET, tasks, lambda r: r["number"])
        task_numbers = {r["number"] for _n, r, _w in tasks}
        items = tables[ITEM_SHEET]
        self.unique(ITEM_SHEET, items, lambda r: (r["number"], r["order"]))
        for number, row, where in items:
            if row["number"] not in task_numbers:
                self.error(ITEM_SHEET, number, where["number"], _("任务中没有序号 %(number)s。") % row)
        indicators = [(INDICATOR_SHEET, *r) for r in tables[INDICATOR_SHEET]]
        indicators += [(PROJECT_SHEET, *r) for r in tables[PROJECT_SHEET]]
        codes = {}
        for sheet, number, row, where in indicators:
            self.code(sheet, number, row, where, codes)
            if row["task_number"] is not None and row["task_number"] not in task_numbers:
                self.error(
                    sheet,
                    number,
                    where["task_number"],
                    _("任务中没有序号 %(number)s。") % {"number": row["task_number"]},
                )
            low, high = row["min_value"], row["max_value"]
            if low is not None and high is not None and low > high:
                self.error(sheet, number, where["max_value"], _("合理上限不能小于合理下限。"))
            if row.get("continues"):
                self.continues(sheet, number, row, where, plan)
        districts = set(District.objects.values_list("code", flat=True))
        cells = tables[CELL_SHEET]
        self.unique(CELL_SHEET, cells, lambda r: (r["type"], r["indicator"], r["district"], r["year"]))
        for number, row, where in cells:
            if row["indicator"] not in codes:
                self.error(
                    CELL_SHEET, number, where["indicator"], _("指标中没有代码 %(code)s。") % {"code": row["indicator"]}
                )
            if row["district"] not in districts:
                self.error(
                    CELL_SHEET,
                    number,
                    where["district"],
                    _("没有行政区划代码为 %(code)s 的地区。") % {"code": row["district"]},
                )
            year = row["year"]
            if year is not None and base_year and target_year and not base_year <= year <= target_year:
                self.error(CELL_SHEET, number, where["year"], _("年份须在基期年份与目标年份之间。"))
            if row["type"] == BASELINE and year is not None and year != base_year:
                self.error(CELL_SHEET, number, where["year"], _("基期值的年份须为基期年份。"))
            if row["upper"] is not None and row["value"] is not None and row["upper"] < row["value"]:
                self.error(CELL_SHEET, number, where["upper"], _("上限不能小于数值。"))
        texts = tables[TEXT_SHEET]
        text_codes = {}
        for number, row, where in texts:
            self.code(TEXT_SHEET, number, row, where, text_codes)
        for number, row, where in texts:
            if row["task_number"] is not None and row["task_number"] not in task_numbers:
                self.error(
                    TEXT_SHEET,
                    number,
                    where["task_number"],
                    _("任务中没有序号 %(number)s。") % {"number": row["task_number"]},
                )
            same_as = row["same_as"] or None
            if same_as and (same_as not in text_codes or same_as == row["code"]):
                self.error(TEXT_SHEET, number, where["same_as"], _("文字目标中没有代码 %(code)s。") % {"code": same_as})
            elif same_as and next(r for _n, r, _w in texts if r["code"] == same_as)["same_as"]:
                self.error(TEXT_SHEET, number, where["same_as"], _("所指的文字目标本身不能再指向其他目标。"))
        if self.errors:
            return None
        return {
            "plan": {"code": plan["code"], "fields": _fields(plan, PLAN_COLUMNS)},
            "districts": [],
            "tasks": [{"number": r["number"], "fields": _fields(r, TASK_COLUMNS)} for _n, r, _w in tasks],
            "task_items": [
                {"number": r["number"], "order": r["order"], "fields": _fields(r, ITEM_COLUMNS, KEYS | {"order"})}
                for _n, r, _w in items
            ],
            "indicators": [
                {
                    "code": r["code"],
                    "task_number": r["task_number"],
                    "continues": r.get("continues") or None,
                    "fields": _fields(r, INDICATOR_COLUMNS),
                }
                for _s, _n, r, _w in indicators
            ],
            "targets": [_cell(r, ("value", "upper", "operator")) for _n, r, _w in cells if r["type"] == TARGET],
            "baselines": [_cell(r, ("value", "source")) for _n, r, _w in cells if r["type"] == BASELINE],
            "text_targets": [
                {
                    "code": r["code"],
                    "task_number": r["task_number"],
                    "same_as": r["same_as"] or None,
                    "fields": _fields(r, TEXT_TARGET_COLUMNS),
                }
                for _n, r, _w in texts
            ],
        }

    def continues(self, sheet, number, row, where, plan):
        """The 延续指标 cell: an indicator of an earlier plan in the database, of the same statistic."""
        earlier = continued_indicator(row["continues"])
        if earlier is None:
            message = _("没有指标“%(key)s”（应写作“规划代码/指标代码”）。") % {"key": row["continues"]}
        else:
            fields = {name: row[name] for name in ("name", "unit", "direction", "decimals", "cumulative")}
            # The plan as the workbook states it (its id if it is loaded already): the one rule judges it.
            stated = Plan(
                pk=Plan.objects.filter(code=plan["code"]).values_list("pk", flat=True).first(),
                code=plan["code"],
                base_year=plan["base_year"],
                target_year=plan["target_year"],
            )
            message = Indicator(plan=stated, continues=earlier, **fields).continuation_problem()
        if message:
            self.error(sheet, number, where["continues"], message)

    def code(self, sheet, number, row, where, seen):
        code = row["code"]
        if not SLUG.match(code or ""):
            self.error(sheet, number, where["code"], _("代码只能含字母、数字、连字符和下划线。"))
        elif code in seen:
            self.error(sheet, number, where["code"], _("代码与%(place)s重复。") % {"place": seen[code]})
        else:
            seen[code] = _("工作表“%(sheet)s”第%(row)d行") % {"sheet": sheet, "row": number}


def continued_indicator(key):
    """The indicator a 延续指标 cell names ("<plan code>/<indicator code>"), or None."""
    plan_code, _slash, code = (key or "").partition("/")
    return Indicator.objects.filter(plan__code=plan_code, code=code).select_related("plan").first()


def continuation_key(indicator):
    """What the 延续指标 cell says for an indicator that continues another, else None."""
    earlier = indicator.continues
    return f"{earlier.plan.code}/{earlier.code}" if earlier else None


def _fields(row, columns, keys=KEYS):
    # An optional column the workbook lacks leaves the stored field as it is.
    return {c.name: row[c.name] for c in columns if c.kind != "out" and c.name not in keys and c.name in row}


def _cell(row, names):
    fields = {name: row[name] for name in names}
    if "operator" in fields:
        fields["operator"] = fields["operator"] or ""
    else:
        fields["source"] = fields["source"] or ""
    return {"indicator": row["indicator"], "district": row["district"], "year": row["year"], "fields": fields}


def _parse(raw, column, model):
    if isinstance(raw, str):
        raw = raw.strip()
    empty = raw is None or raw == ""
    if empty and column.required:
        raise ValueError(_("不能为空。"))
    if column.kind == "int":
        if empty:
            return None
        try:
            number = Decimal(str(raw))
            if number != number.to_integral_value():
                raise InvalidOperation
            return int(number)
        except (InvalidOperation, ValueError):
            raise ValueError(_("须为整数。")) from None
    if column.kind == "decimal":
        if empty:
            return None
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(_("须为数值。")) from None
        if not number.is_finite():
            raise ValueError(_("须为数值。"))
        return number.quantize(Decimal("0.0001")) if number.as_tuple().exponent < -4 else number
    if column.kind == "bool":
        if empty:
            return BOOLEAN_DEFAULT
        text = str(raw).strip().lower()
        if text in (TRUE, "true", "1", "yes"):
            return True
        if text in (FALSE, "false", "0", "no"):
            return False
        raise ValueError(_("须填“是”或“否”。"))
    text = "" if empty else _text(raw)
    if column.kind == "choice":
        if text not in column.choices and not (empty and not column.required):
            allowed = "、".join(c or _("（空）") for c in column.choices)
            raise ValueError(_("须为以下之一：%(values)s。") % {"values": allowed})
        return text
    if column.name not in KEYS or column.name in ("code", "source"):
        limit = _max_length(model, column.name)
        if limit and len(text) > limit:
            raise ValueError(_("不能超过 %(count)d 个字符。") % {"count": limit})
    return text


def _text(raw):
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _max_length(model, name):
    try:
        return model._meta.get_field(name).max_length
    except Exception:  # a row key, such as a baseline's source, that is not a field of this sheet's model
        return 200 if name == "source" else None


FILE_NAME = gettext_lazy("规划工作簿")
