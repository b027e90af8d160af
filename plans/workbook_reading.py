"""Reading an uploaded plan workbook back into the loader's keyed rows (the form `read_folder` gives).

Two steps: each sheet's cells are parsed by its columns (`plans.workbook.SHEETS`: types, choices, lengths and the
ranges of `plans.models`), then the rows are checked against each other (codes given once, task numbers that
exist, years within the plan's, the same statistic for a continuation) and turned into the loader's rows. Every
problem is reported with its sheet, row and column; the file itself passes the checks of every upload first
(`plans.xlsx_uploads`).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from plans import rules as plan_rules
from plans import xlsx_uploads
from plans.models import District, Indicator, Plan, plan_code_problem, plan_years_problem
from plans.workbook import (
    BASELINE,
    BOOLEAN_DEFAULT,
    CELL_SHEET,
    FALSE,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    ITEM_COLUMNS,
    ITEM_SHEET,
    KEYS,
    OPTIONAL_SHEETS,
    PLAN_COLUMNS,
    PLAN_SHEET,
    PROJECT_SHEET,
    RULE_COLUMNS,
    RULE_SHEET,
    SHEETS,
    SLUG,
    TARGET,
    TASK_COLUMNS,
    TASK_SHEET,
    TEXT_SHEET,
    TEXT_TARGET_COLUMNS,
    TRUE,
)

MAX_BYTES = xlsx_uploads.MAX_BYTES


class BadWorkbook(Exception):
    """The workbook cannot be loaded; `errors` name the sheet, row and column of each problem."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def read_workbook(data: bytes) -> dict:
    """The rows of an uploaded plan workbook, in the form `read_folder` gives, or BadWorkbook."""
    sheets = _open(data)
    reader = _Reader()
    tables = {
        title: reader.table(title, sheets.get(title))
        for title in SHEETS
        if title in sheets or title not in OPTIONAL_SHEETS
    }
    if reader.errors:
        raise BadWorkbook(reader.errors)
    result = reader.build(tables)
    if reader.errors:
        raise BadWorkbook(reader.errors)
    return result


def continued_indicator(key):
    """The indicator a 延续指标 cell names ("<plan code>/<indicator code>"), or None."""
    plan_code, _slash, code = (key or "").partition("/")
    return Indicator.objects.filter(plan__code=plan_code, code=code).select_related("plan").first()


def _open(data):
    """{sheet title: rows of values}, after the checks every upload passes (plans.xlsx_uploads)."""
    try:
        workbook = xlsx_uploads.open_xlsx(data)
        sheets, total = {}, 0
        for sheet in workbook.worksheets:
            sheets[sheet.title] = xlsx_uploads.sheet_values(sheet, total)
            total += len(sheets[sheet.title])
        workbook.close()
    except xlsx_uploads.BadFile as bad:
        raise BadWorkbook([str(bad)]) from None
    except Exception:  # openpyxl raises many kinds of error on a broken package; all mean the same to the user
        raise BadWorkbook([_("无法读取该 Excel 文件，请在 Excel 中重新保存为 .xlsx 后上传。")]) from None
    return sheets


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


def _place(sheet, number):
    return _("工作表“%(sheet)s”第%(row)d行") % {"sheet": sheet, "row": number}


class _Reader:
    def __init__(self):
        self.errors = []

    def error(self, sheet, row, column, message):
        self.errors.append(_located(sheet, row, column, message))

    # -----------------------------------------------------------------------------------------------------------
    # Cells, sheet by sheet

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

    # -----------------------------------------------------------------------------------------------------------
    # Rows against each other, and the loader's rows

    def build(self, tables):
        plan_rows = tables[PLAN_SHEET]
        if len(plan_rows) != 1:
            self.error(PLAN_SHEET, 2, None, _("须有且只有一行规划。"))
            return None
        plan = self.plan(*plan_rows[0])
        tasks, items = tables[TASK_SHEET], tables[ITEM_SHEET]
        task_numbers = self.tasks(tasks, items)
        indicators = [(INDICATOR_SHEET, *r) for r in tables[INDICATOR_SHEET]]
        indicators += [(PROJECT_SHEET, *r) for r in tables[PROJECT_SHEET]]
        codes = self.indicators(indicators, task_numbers, plan)
        cells = tables[CELL_SHEET]
        self.cells(cells, codes, plan)
        texts = tables[TEXT_SHEET]
        self.text_targets(texts, task_numbers)
        rules = self.rules(tables[RULE_SHEET], indicators) if RULE_SHEET in tables else None
        if self.errors:
            return None
        return {
            # A workbook without the sheet says nothing of rules: the plan's stay as they are.
            **({"rules": rules} if rules is not None else {}),
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
                    # An empty 延续指标 cell ends a continuation; a workbook without the column says nothing of it.
                    **({"continues": r["continues"] or None} if "continues" in r else {}),
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

    def plan(self, number, plan, where):
        """The 规划 row: its years (plans.models.plan_years_problem) and its code."""
        problem = plan_years_problem(plan["base_year"], plan["target_year"])
        if problem:
            self.error(PLAN_SHEET, number, where["target_year"], problem)
        if not SLUG.match(plan["code"] or ""):
            self.error(PLAN_SHEET, number, where["code"], _("代码只能含字母、数字、连字符和下划线。"))
        elif problem := plan_code_problem(plan["code"]):
            self.error(PLAN_SHEET, number, where["code"], problem)
        if plan.get("review_levels") is None:
            plan["review_levels"] = 1  # workbooks from before the column, or left empty
        elif plan["review_levels"] not in (1, 2):
            self.error(PLAN_SHEET, number, where["review_levels"], _("审核层级须为 1 或 2。"))
        return plan

    def tasks(self, tasks, items):
        """Task numbers given once, items of tasks that exist; the task numbers."""
        self.unique(TASK_SHEET, tasks, lambda r: r["number"])
        task_numbers = {r["number"] for _n, r, _w in tasks}
        self.unique(ITEM_SHEET, items, lambda r: (r["number"], r["order"]))
        for number, row, where in items:
            if row["number"] not in task_numbers:
                self.error(ITEM_SHEET, number, where["number"], _("任务中没有序号 %(number)s。") % row)
        return task_numbers

    def indicators(self, indicators, task_numbers, plan):
        """Codes given once over both indicator sheets, tasks that exist, bounds in order, continuations; the
        codes."""
        codes, continued = {}, {}
        for sheet, number, row, where in indicators:
            self.code(sheet, number, row, where, codes)
            self.task(sheet, number, row, where, task_numbers)
            low, high = row["min_value"], row["max_value"]
            if low is not None and high is not None and low > high:
                self.error(sheet, number, where["max_value"], _("合理上限不能小于合理下限。"))
            if row.get("continues") in continued:
                message = _("与%(place)s延续同一指标：一个指标只能被一个指标延续。")
                self.error(sheet, number, where["continues"], message % {"place": continued[row["continues"]]})
            elif row.get("continues"):
                continued[row["continues"]] = _place(sheet, number)
                self.continues(sheet, number, row, where, plan)
        return codes

    def cells(self, cells, codes, plan):
        """Targets and baselines: once each, of indicators and districts that exist, in the plan's years."""
        base_year, target_year = plan["base_year"], plan["target_year"]
        districts = set(District.objects.values_list("code", flat=True))
        self.unique(CELL_SHEET, cells, lambda r: (r["type"], r["indicator"], r["district"], r["year"]))
        for number, row, where in cells:
            if row["indicator"] not in codes:
                message = _("指标中没有代码 %(code)s。") % {"code": row["indicator"]}
                self.error(CELL_SHEET, number, where["indicator"], message)
            if row["district"] not in districts:
                message = _("没有行政区划代码为 %(code)s 的地区。") % {"code": row["district"]}
                self.error(CELL_SHEET, number, where["district"], message)
            year = row["year"]
            if year is not None and base_year and target_year and not base_year <= year <= target_year:
                self.error(CELL_SHEET, number, where["year"], _("年份须在基期年份与目标年份之间。"))
            if row["type"] == BASELINE and year is not None and year != base_year:
                self.error(CELL_SHEET, number, where["year"], _("基期值的年份须为基期年份。"))
            if row["upper"] is not None and row["value"] is not None and row["upper"] < row["value"]:
                self.error(CELL_SHEET, number, where["upper"], _("上限不能小于数值。"))

    def text_targets(self, texts, task_numbers):
        """Codes given once, tasks that exist, and a restated target that restates none itself."""
        text_codes = {}
        for number, row, where in texts:
            self.code(TEXT_SHEET, number, row, where, text_codes)
        for number, row, where in texts:
            self.task(TEXT_SHEET, number, row, where, task_numbers)
            same_as = row["same_as"] or None
            if same_as and (same_as not in text_codes or same_as == row["code"]):
                self.error(TEXT_SHEET, number, where["same_as"], _("文字目标中没有代码 %(code)s。") % {"code": same_as})
            elif same_as and next(r for _n, r, _w in texts if r["code"] == same_as)["same_as"]:
                self.error(TEXT_SHEET, number, where["same_as"], _("所指的文字目标本身不能再指向其他目标。"))

    def rules(self, rules, indicators):
        """Rules between the workbook's indicators, each checked by `plans.rules` (sides, units, operator,
        tolerance, districts, whether it can hold); the loader's rows, their sides written the one way."""
        self.unique(RULE_SHEET, rules, lambda r: r.get("code"))
        units = {r.get("code"): (r.get("name"), r.get("unit")) for _s, _n, r, _w in indicators}
        known = set(District.objects.values_list("code", flat=True))
        found = []
        for number, row, where in rules:
            if len(row) < len(where):
                continue  # a cell that could not be read, said already
            if not SLUG.match(row["code"] or ""):
                self.error(RULE_SHEET, number, where["code"], _("代码只能含字母、数字、连字符和下划线。"))
            row["tolerance"] = row["tolerance"] if row["tolerance"] is not None else Decimal(0)
            problems, left, right = plan_rules.problems(
                left=row["left"],
                right=row["right"],
                operator=row["operator"],
                tolerance=row["tolerance"],
                districts=row["districts"],
                indicators=units,
                known_districts=known,
            )
            for name, message in problems.items():
                self.error(RULE_SHEET, number, where[name], message)
            fields = _fields(row, RULE_COLUMNS)
            fields.update(left=plan_rules.side_text(left), right=plan_rules.side_text(right))
            found.append({"code": row["code"], "fields": fields})
        return found

    def unique(self, title, rows, key):
        seen = {}
        for number, row, where in rows:
            value = key(row)
            if value in seen:
                name = next(iter(where))
                self.error(title, number, where[name], _("与第%(row)d行重复。") % {"row": seen[value]})
            seen[value] = number

    def task(self, sheet, number, row, where, task_numbers):
        if row["task_number"] is not None and row["task_number"] not in task_numbers:
            message = _("任务中没有序号 %(number)s。") % {"number": row["task_number"]}
            self.error(sheet, number, where["task_number"], message)

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
            message = Indicator(plan=stated, code=row["code"], continues=earlier, **fields).continuation_problem()
        if message:
            self.error(sheet, number, where["continues"], message)

    def code(self, sheet, number, row, where, seen):
        code = row["code"]
        if not SLUG.match(code or ""):
            self.error(sheet, number, where["code"], _("代码只能含字母、数字、连字符和下划线。"))
        elif code in seen:
            self.error(sheet, number, where["code"], _("代码与%(place)s重复。") % {"place": seen[code]})
        else:
            seen[code] = _place(sheet, number)


def _fields(row, columns, keys=KEYS):
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
            if not number.is_finite() or number != number.to_integral_value():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ValueError(_("须为整数。")) from None
        return _in_range(int(number), column, model)
    if column.kind == "decimal":
        if empty:
            return None
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(_("须为数值。")) from None
        if not number.is_finite():
            raise ValueError(_("须为数值。"))
        if number.as_tuple().exponent < -4:
            try:
                number = number.quantize(Decimal("0.0001"))
            except InvalidOperation:  # more digits than any column holds
                raise ValueError(_("须为数值。")) from None
        return _in_range(number, column, model)
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


def _in_range(number, column, model):
    """The number, if its model field's validators (plans.models: the range it may take, the digits its column
    holds) take it."""
    # Baselines share the cell sheet's columns with targets: their value is held to a target value's range.
    try:
        field = model._meta.get_field(column.name)
    except FieldDoesNotExist:
        return number
    try:
        field.run_validators(number)
    except ValidationError as invalid:
        raise ValueError(" ".join(invalid.messages)) from None
    return number


def _text(raw):
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _max_length(model, name):
    try:
        return model._meta.get_field(name).max_length
    except Exception:  # a row key, such as a baseline's source, that is not a field of this sheet's model
        return 200 if name == "source" else None
