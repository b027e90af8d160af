"""A published plan as open data: its indicators with their metadata, its targets and its approved figures, as rows,
CSV files and a Frictionless Data Package (README, "Publishing a plan's figures").

What leaves here is fixed by the column lists below and nothing else: approved figures only (never a draft, a
submitted or a returned one, never a demo figure), and no name of a person, no note, comment, reason or measure of
a figure, no internal note of an indicator. Numbers are written as the plan prints them (`plain`: 57.88, 99), the
exact stored value. A figure of an indicator continuing an earlier plan's is read where it is stored
(`Observation.objects.shown_in`) and published under this plan's indicator.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from figures.models import Observation
from plans.chains import showing
from plans.explanations import plain
from plans.models import Attribute, Direction, District, Indicator, Plan, Target

# (column, Table Schema type, description): what each CSV holds, in order. The datapackage's schemas are these.
INDICATOR_COLUMNS = (
    ("code", "string", "指标代码"),
    ("name", "string", "指标名称"),
    ("name_en", "string", "英文名称"),
    ("unit", "string", "单位"),
    ("direction", "string", "方向：increase 越高越好，decrease 越低越好"),
    ("attribute", "string", "属性：约束性或预期性；空为规划原文未载明"),
    ("definition", "string", "指标解释"),
    ("scope", "string", "统计口径"),
    ("data_source", "string", "数据来源"),
    ("responsible_office", "string", "责任处室"),
    ("section", "string", "规划中的出处"),
    ("group", "string", "分组"),
    ("decimals", "integer", "小数位数"),
    ("cumulative", "boolean", "是否为自基期年起的累计值"),
    ("needs_review", "boolean", "复原内容待核实"),
)
FIGURE_COLUMNS = (
    ("indicator", "string", "指标代码"),
    ("district", "string", "行政区划代码"),
    ("district_name", "string", "地区"),
    ("year", "integer", "年份"),
    ("value", "number", "审核通过的数值"),
)
TARGET_COLUMNS = (
    ("indicator", "string", "指标代码"),
    ("district", "string", "行政区划代码"),
    ("district_name", "string", "地区"),
    ("year", "integer", "目标年份"),
    ("operator", "string", "运算符：空为达到，≥、>、≤、<"),
    ("value", "number", "目标值（区间目标的下限）"),
    ("upper", "number", "区间目标的上限"),
)
CONSTRAINTS = {
    ("indicators", "code"): {"required": True, "unique": True},
    ("indicators", "direction"): {"required": True, "enum": list(Direction.values)},
    ("indicators", "attribute"): {"enum": [a for a in Attribute.values if a]},
    ("figures", "indicator"): {"required": True},
    ("figures", "district"): {"required": True},
    ("figures", "year"): {"required": True},
    ("figures", "value"): {"required": True, "minimum": 0},
    ("targets", "operator"): {"enum": ["≥", ">", "≤", "<"]},
}
TABLES = {"indicators": INDICATOR_COLUMNS, "figures": FIGURE_COLUMNS, "targets": TARGET_COLUMNS}


def published_plan_or_404(code):
    """A plan anyone may read: only one its administrator published (`Plan.published`)."""
    return get_object_or_404(Plan, code=code, published=True)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    district: District
    year: int
    value: object  # Decimal


class OpenPlan:
    """Everything a published plan shows: four queries (indicators, districts, figures, targets), and one per link
    of a `continues` chain."""

    def __init__(self, plan, *, indicator=None):
        self.plan = plan
        indicators = Indicator.objects.filter(plan=plan).order_by("order", "code")
        if indicator is not None:
            indicators = indicators.filter(pk=indicator.pk)
        self.indicators = list(indicators)
        districts = {d.pk: d for d in District.objects.all()}
        by_id = {i.pk: i for i in self.indicators}
        shown_as = showing(self.indicators)  # {id the figures are stored on: this plan's indicator id}
        rows = (
            Observation.objects.shown_in(plan)
            .approved()
            .filter(is_demo=False, indicator__in=list(shown_as))
            .order_by()
            .values_list("indicator_id", "district_id", "year", "value")
        )
        self.figures = sorted(
            (Figure(by_id[shown_as[i]], districts[d], year, value) for i, d, year, value in rows),
            key=lambda f: (f.indicator.order, f.indicator.code, f.district.order, f.district.code, f.year),
        )
        self.targets = list(
            Target.objects.filter(indicator__in=self.indicators)
            .select_related("district")
            .order_by("indicator__order", "indicator__code", "district__order", "year")
        )
        for target in self.targets:
            target.indicator = by_id[target.indicator_id]

    def tables(self):
        """Each indicator as the open page shows it: (indicator, the province's final target or None, the years with
        figures, [(district, [value or None per year])])."""
        figures, years = {}, {}
        for f in self.figures:
            figures.setdefault(f.indicator.pk, {}).setdefault(f.district, {})[f.year] = f.value
            years.setdefault(f.indicator.pk, set()).add(f.year)
        finals = {}
        for target in self.targets:
            if target.district.is_province:
                finals[target.indicator_id] = target  # the latest, targets being in year order
        result = []
        for indicator in self.indicators:
            shown_years = sorted(years.get(indicator.pk, ()))
            by_district = figures.get(indicator.pk, {})
            rows = [
                (district, [by_district[district].get(year) for year in shown_years])
                for district in sorted(by_district, key=lambda d: (d.order, d.code))
            ]
            result.append((indicator, finals.get(indicator.pk), shown_years, rows))
        return result

    def rows(self, table):
        """The rows of one of `TABLES`, as the CSV writes them."""
        if table == "indicators":
            return [
                [
                    i.code,
                    i.name,
                    i.name_en,
                    i.unit,
                    i.direction,
                    i.attribute,
                    i.definition,
                    i.scope,
                    i.data_source,
                    i.responsible_office,
                    i.section,
                    i.group,
                    i.decimals,
                    _boolean(i.cumulative),
                    _boolean(i.needs_review),
                ]
                for i in self.indicators
            ]
        if table == "figures":
            return [[f.indicator.code, f.district.code, f.district.name, f.year, plain(f.value)] for f in self.figures]
        return [
            [t.indicator.code, t.district.code, t.district.name, t.year, t.operator, plain(t.value), plain(t.upper)]
            for t in self.targets
        ]

    def csv(self, table):
        return to_csv([name for name, _type, _about in TABLES[table]], self.rows(table))


def to_csv(header, rows):
    """UTF-8 CSV text, a header row first; a cell that a spreadsheet would run as a formula is written as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def _safe(cell):
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _boolean(value):
    return "true" if value else "false"


def data_package(plan, urls):
    """The plan's Frictionless Data Package descriptor (datapackage.json): three tabular CSV resources whose typed
    schemas are the column lists above; `urls` maps each table to the path of its CSV, relative to the
    descriptor."""
    return {
        "profile": "tabular-data-package",
        "name": package_name(plan.code),
        "title": plan.name,
        "description": f"《{plan.name}》{plan.period}：指标说明、分地区目标与审核通过的数据。",
        "resources": [
            {
                "name": table,
                "path": urls[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(table),
            }
            for table in TABLES
        ],
    }


def package_name(code):
    """The plan code as a Data Package name, which frictionless allows only lower-case letters, digits, '-' and '.'
    in: lower-cased, anything else as '-'."""
    return re.sub(r"[^-a-z0-9.]", "-", code.lower())


def _schema(table):
    fields = []
    for name, kind, about in TABLES[table]:
        field = {"name": name, "type": kind, "description": about}
        constraints = CONSTRAINTS.get((table, name))
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema = {"fields": fields}
    if table == "indicators":
        schema["primaryKey"] = ["code"]
    else:
        schema["primaryKey"] = ["indicator", "district", "year"]
        schema["foreignKeys"] = [{"fields": ["indicator"], "reference": {"resource": "indicators", "fields": ["code"]}}]
    return schema
