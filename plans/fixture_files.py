"""Reading a plan folder of fixtures (plan.json, six CSV files and units.csv, the units' English names) into
keyed rows, one method per file.

The rows are the loader's one form of a plan (`figures.plan_loading.load_plan` writes them; `plans.workbook`
reads and writes the same rows as a workbook). Everything particular to a plan comes from its files: which
district is the province, the section and group of each file's indicators (plan.json `files`), and the metrics
of the district table with their sum tolerance (plan.json `district_table`). The 待核实 flag is not read here:
the loader sets it by `plans.review_flags`.
"""

import csv
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from plans import rules as plan_rules

WHOLE_NUMBER_KINDS = {"count", "range"}

# indicators.csv's optional metadata columns: {column: field}. A column the file does not have leaves the field as
# it is (empty for a new indicator), so metadata an administrator entered in the admin or the workbook stays.
METADATA_COLUMNS = {
    "definition": "definition",
    "scope": "scope",
    "data_source": "data_source",
    "responsible_office": "responsible_office",
    "notes": "notes",
}


def _read_csv(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _number(text):
    return Decimal(text) if text not in ("", None) else None


def _flag(text):
    return text.strip().lower() == "true"


class _FolderReader:
    """Reads a plan folder file by file, collecting targets and baselines keyed by cell so that two files
    never state one cell twice with different values."""

    def __init__(self, folder):
        self.folder = folder
        self.meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        self.base_year, self.target_year = self.meta["base_year"], self.meta["target_year"]
        self.province = self.meta["province"]
        self.files = self.meta.get("files", {})
        self.district_table = {
            row["indicator"]: (position, Decimal(row["sum_tolerance"]))
            for position, row in enumerate(self.meta.get("district_table", []), start=1)
        }
        self.indicators, self.text_targets, self.known = [], [], set()
        self.targets, self.baselines = {}, {}

    def add(self, cells, indicator, district, year, fields, source):
        key = (indicator, district, year)
        if key in cells and cells[key] != fields:
            raise ValueError(f"{source}: {key} 与已有的值 {cells[key]} 不一致")
        cells[key] = fields

    def in_district_table(self, code):
        """The district-table fields of an indicator: whether its districts must add up, within what, where."""
        position, tolerance = self.district_table.get(code, (None, Decimal(0)))
        return {"sum_check": position is not None, "sum_tolerance": tolerance, "district_order": position}

    def plan(self):
        meta = self.meta
        return {
            "code": meta["code"],
            "fields": {
                "name": meta["name"],
                "document_number": meta.get("document_number", ""),
                "base_year": self.base_year,
                "target_year": self.target_year,
                "review_levels": int(meta.get("review_levels", 1)),
            },
        }

    def districts(self):
        return [
            {
                "code": row["code"],
                "fields": {
                    "name": row["name_zh"],
                    "short_name": row["short_zh"],
                    "name_en": row["name_en"],
                    "slug": row["slug"],
                    "kind": row["kind"],
                    "order": int(row["order"]),
                },
            }
            for row in _read_csv(self.folder, "districts.csv")
        ]

    def tasks(self):
        return [
            {
                "number": int(row["number"]),
                "fields": {
                    "category": row["category_zh"],
                    "title": row["title_zh"],
                    "title_en": row["title_en"],
                    "confidence": row["confidence"],
                },
            }
            for row in _read_csv(self.folder, "tasks.csv")
        ]

    def task_items(self):
        return [
            {
                "number": int(row["number"]),
                "order": int(row["item_order"]),
                "fields": {
                    "content": row["content_zh"],
                    "quantitative_target": row["quantitative_target"],
                    "confidence": row["confidence"],
                },
            }
            for row in _read_csv(self.folder, "tasks_items.csv")
        ]

    def main_indicators(self):
        """The plan's main indicators, each with the province's baseline and final target."""
        about = self.files.get("indicators.csv", {})
        for row in _read_csv(self.folder, "indicators.csv"):
            self.indicators.append(
                {
                    "code": row["code"],
                    "fields": {
                        "group": row["group"],
                        "order": int(row["order"]),
                        "name": row["name_zh"],
                        "name_en": row["name_en"],
                        "unit": row["unit"],
                        "direction": row["direction"],
                        "decimals": int(row["decimals"]),
                        "min_value": _number(row["min_value"]),
                        "max_value": _number(row["max_value"]),
                        "whole_number": False,
                        "attribute": row["attribute"],
                        "section": about.get("section", ""),
                        "source_detail": about.get("source_detail", ""),
                        "cumulative": _flag(row["cumulative"]),
                        "is_main": about.get("is_main", False),
                        **self.in_district_table(row["code"]),
                        "confidence": row["confidence"],
                        **{field: row[column] or "" for column, field in METADATA_COLUMNS.items() if column in row},
                        # Optional too: true turns the outlier flags off for the indicator (figures/outliers.py).
                        **({"skip_outliers": _flag(row["skip_outliers"])} if "skip_outliers" in row else {}),
                    },
                }
            )
            self.add(
                self.baselines,
                row["code"],
                self.province,
                self.base_year,
                {"value": Decimal(row[f"baseline_{self.base_year}"]), "source": self.meta["name"]},
                "indicators.csv",
            )
            self.add(
                self.targets,
                row["code"],
                self.province,
                self.target_year,
                {
                    "value": Decimal(row[f"target_{self.target_year}"]),
                    "upper": None,
                    "operator": row["target_operator"],
                },
                "indicators.csv",
            )

        self.known.update(row["code"] for row in self.indicators)

    def district_targets(self):
        """Per-district baselines and targets, adding the indicators the main table does not have."""
        about = self.files.get("district_targets.csv", {})
        for row in _read_csv(self.folder, "district_targets.csv"):
            code = row["indicator_code"]
            if code not in self.known:
                self.known.add(code)
                self.indicators.append(
                    {
                        "code": code,
                        "fields": {
                            "group": about.get("group", ""),
                            "order": about.get("first_order", 0) + len(self.indicators),
                            "name": row["metric_zh"],
                            "name_en": "",
                            "unit": row["unit"],
                            "direction": "increase",
                            "decimals": 0 if row["unit"] == "个" else 2,
                            "min_value": Decimal(0),
                            "max_value": None,
                            "whole_number": row["unit"] == "个",
                            "attribute": "",
                            "section": about.get("section", ""),
                            "source_detail": about.get("source_detail", ""),
                            "cumulative": _flag(row["cumulative"]),
                            "is_main": False,
                            **self.in_district_table(code),
                            "confidence": "high",
                        },
                    }
                )
            value = Decimal(row["value"])
            if row["value_type"] == "baseline":
                self.add(
                    self.baselines,
                    code,
                    row["district_code"],
                    int(row["year"]),
                    {"value": value, "source": self.meta["name"]},
                    "district_targets.csv",
                )
            else:
                self.add(
                    self.targets,
                    code,
                    row["district_code"],
                    int(row["year"]),
                    {"value": value, "upper": None, "operator": row["operator"]},
                    "district_targets.csv",
                )

    def projects(self):
        """Key projects, as indicators where trackable, as text targets otherwise."""
        about = self.files.get("projects.csv", {})
        projects = _read_csv(self.folder, "projects.csv")
        for row in projects:
            if not _flag(row["trackable"]) or row["merge_into"]:
                continue
            kind = row["kind"]
            self.indicators.append(
                {
                    "code": row["code"],
                    "task_number": int(row["task_number"]) if row["task_number"] else None,
                    "fields": {
                        "group": row["project_zh"],
                        "order": about.get("first_order", 0) + len(self.indicators),
                        "name": row["target_zh"],
                        "name_en": "",
                        "unit": row["unit"],
                        "direction": row["direction"],
                        "decimals": 0 if kind in WHOLE_NUMBER_KINDS else 2,
                        "min_value": Decimal(1 if kind == "rank" else 0),
                        "max_value": Decimal(100) if row["unit"] == "%" else None,
                        "whole_number": kind in WHOLE_NUMBER_KINDS | {"rank"},
                        "attribute": "",
                        "section": row["section"],
                        "source_detail": row["source"],
                        "cumulative": _flag(row["cumulative"]),
                        "is_main": False,
                        **self.in_district_table(row["code"]),
                        "confidence": row["confidence"],
                    },
                }
            )
            self.known.add(row["code"])
        for row in projects:
            if not _flag(row["trackable"]):
                self.text_targets.append(
                    {
                        "code": row["code"],
                        "task_number": int(row["task_number"]) if row["task_number"] else None,
                        "same_as": row["merge_into"] or None,
                        "fields": {
                            "section": row["section"],
                            "source_detail": row["source"],
                            "project": row["project_zh"],
                            "text": row["target_zh"],
                            "value": row["value"],
                            "unit": row["unit"],
                            "year": int(row["year"]),
                            "kind": row["kind"],
                            "operator": row["operator"],
                            "direction": row["direction"],
                            "untracked_reason": row["untracked_reason"],
                            "confidence": row["confidence"],
                        },
                    }
                )
                continue
            code = row["merge_into"] or row["code"]
            if code not in self.known:
                raise ValueError(f"projects.csv {row['code']}: merge_into {code} 不是已知指标")
            upper = _number(row["value_max"]) if row["kind"] == "range" else None
            self.add(
                self.targets,
                code,
                self.province,
                int(row["year"]),
                {"value": Decimal(row["value_min"]), "upper": upper, "operator": row["operator"]},
                "projects.csv",
            )

    def english_units(self):
        """The English name of each unit (units.csv, optional), written on every indicator with that unit."""
        path = self.folder / "units.csv"
        english = {row["unit"]: row["unit_en"] for row in _read_csv(self.folder, "units.csv")} if path.exists() else {}
        for indicator in self.indicators:
            indicator["fields"]["unit_en"] = english.get(indicator["fields"]["unit"], "")

    def rules(self, district_codes):
        """The rules between indicators (rules.csv, optional: a folder without it leaves the plan's rules as they
        are), each checked by `plans.rules`; a bad one is a ValueError naming its line and column."""
        path = self.folder / "rules.csv"
        if not path.exists():
            return None
        indicators = {row["code"]: (row["fields"]["name"], row["fields"]["unit"]) for row in self.indicators}
        found, seen = [], set()
        for line, row in enumerate(_read_csv(self.folder, "rules.csv"), start=2):
            try:
                tolerance = Decimal(row["tolerance"] or 0)
            except InvalidOperation:
                tolerance = None
            problems, left, right = plan_rules.problems(
                left=row["left"],
                right=row["right"],
                operator=row["operator"],
                tolerance=tolerance,
                districts=row["districts"],
                indicators=indicators,
                known_districts=district_codes,
            )
            if row["code"] in seen:
                problems["code"] = "代码重复"
            if not row["reason"].strip():
                problems["reason"] = "须写明规则成立的理由"
            if row["weight"] not in plan_rules.WEIGHTS:
                problems["weight"] = f"须为{'或'.join(plan_rules.WEIGHTS)}"
            if problems:
                column, message = next(iter(problems.items()))
                raise ValueError(f"rules.csv 第{line}行 {column}：{message}")
            seen.add(row["code"])
            found.append(
                {
                    "code": row["code"],
                    "fields": {
                        "name": row["name"],
                        "left": plan_rules.side_text(left),
                        "operator": row["operator"],
                        "right": plan_rules.side_text(right),
                        "tolerance": tolerance,
                        "districts": row["districts"],
                        "weight": row["weight"],
                        "reason": row["reason"],
                    },
                }
            )
        return found


def read_folder(folder: Path) -> dict:
    """Turn a plan folder into keyed rows, applying the loading rules of the reference README (section 5)."""
    reader = _FolderReader(folder)
    data = {"plan": reader.plan(), "districts": reader.districts(), "tasks": reader.tasks()}
    data["task_items"] = reader.task_items()
    reader.main_indicators()
    reader.district_targets()
    reader.projects()
    reader.english_units()
    data["indicators"], data["text_targets"] = reader.indicators, reader.text_targets
    rules = reader.rules({row["code"] for row in data["districts"]})
    if rules is not None:
        data["rules"] = rules
    cells = {"targets": reader.targets, "baselines": reader.baselines}
    for name, by_cell in cells.items():
        data[name] = [{"indicator": i, "district": d, "year": y, "fields": f} for (i, d, y), f in by_cell.items()]
    return data
