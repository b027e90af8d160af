"""Reading a plan folder of fixtures (plan.json and six CSV files) into keyed rows, one method per file."""

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

from plans.models import NEEDS_REVIEW

WHOLE_NUMBER_KINDS = {"count", "range"}


def _read_csv(folder, name):
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _number(text):
    return Decimal(text) if text not in ("", None) else None


def _flag(text):
    return text.strip().lower() == "true"


def _section(source):
    match = re.match(r"(专栏\d+|附件\d+)", source)
    return match.group(1) if match else source


class _FolderReader:
    """Reads a plan folder file by file, collecting targets and baselines keyed by cell so that two files
    never state one cell twice with different values."""

    def __init__(self, folder):
        self.folder = folder
        self.meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        self.base_year, self.target_year = self.meta["base_year"], self.meta["target_year"]
        self.province = self.meta["province"]
        self.indicators, self.text_targets, self.known = [], [], set()
        self.targets, self.baselines = {}, {}

    def add(self, cells, indicator, district, year, fields, source):
        key = (indicator, district, year)
        if key in cells and cells[key] != fields:
            raise ValueError(f"{source}: {key} 与已有的值 {cells[key]} 不一致")
        cells[key] = fields

    def plan(self):
        meta = self.meta
        return {
            "code": meta["code"],
            "fields": {
                "name": meta["name"],
                "document_number": meta.get("document_number", ""),
                "base_year": self.base_year,
                "target_year": self.target_year,
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
                    "needs_review": row["confidence"] in NEEDS_REVIEW,
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
                    "needs_review": row["confidence"] in NEEDS_REVIEW,
                },
            }
            for row in _read_csv(self.folder, "tasks_items.csv")
        ]

    def main_indicators(self):
        """专栏1: the main indicators, each with the province's baseline and final target."""
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
                        "section": "专栏1",
                        "source_detail": "专栏1 主要指标",
                        "cumulative": _flag(row["cumulative"]),
                        "confidence": row["confidence"],
                        "needs_review": row["confidence"] in NEEDS_REVIEW,
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
        """附件2: per-district baselines and targets, adding the indicators 专栏1 does not have."""
        for row in _read_csv(self.folder, "district_targets.csv"):
            code = row["indicator_code"]
            if code not in self.known:
                self.known.add(code)
                self.indicators.append(
                    {
                        "code": code,
                        "fields": {
                            "group": "分地区目标",
                            "order": 100 + len(self.indicators),
                            "name": row["metric_zh"],
                            "name_en": "",
                            "unit": row["unit"],
                            "direction": "increase",
                            "decimals": 0 if row["unit"] == "个" else 2,
                            "min_value": Decimal(0),
                            "max_value": None,
                            "whole_number": row["unit"] == "个",
                            "attribute": "",
                            "section": "附件2",
                            "source_detail": "附件2 分地区目标表",
                            "cumulative": _flag(row["cumulative"]),
                            "confidence": "high",
                            "needs_review": False,
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
        """专栏2–9 and 附件3–4: key projects, as indicators where trackable, as text targets otherwise."""
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
                        "order": 200 + len(self.indicators),
                        "name": row["target_zh"],
                        "name_en": "",
                        "unit": row["unit"],
                        "direction": row["direction"],
                        "decimals": 0 if kind in WHOLE_NUMBER_KINDS else 2,
                        "min_value": Decimal(1 if kind == "rank" else 0),
                        "max_value": Decimal(100) if row["unit"] == "%" else None,
                        "whole_number": kind in WHOLE_NUMBER_KINDS | {"rank"},
                        "attribute": "",
                        "section": _section(row["source"]),
                        "source_detail": row["source"],
                        "cumulative": _flag(row["cumulative"]),
                        "confidence": row["confidence"],
                        "needs_review": row["confidence"] in NEEDS_REVIEW,
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
                            "section": _section(row["source"]),
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
                            "needs_review": row["confidence"] in NEEDS_REVIEW,
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


def read_folder(folder: Path) -> dict:
    """Turn a plan folder into keyed rows, applying the loading rules of the reference README (section 5)."""
    reader = _FolderReader(folder)
    data = {"plan": reader.plan(), "districts": reader.districts(), "tasks": reader.tasks()}
    data["task_items"] = reader.task_items()
    reader.main_indicators()
    reader.district_targets()
    reader.projects()
    data["indicators"], data["text_targets"] = reader.indicators, reader.text_targets
    cells = {"targets": reader.targets, "baselines": reader.baselines}
    for name, by_cell in cells.items():
        data[name] = [{"indicator": i, "district": d, "year": y, "fields": f} for (i, d, y), f in by_cell.items()]
    return data
