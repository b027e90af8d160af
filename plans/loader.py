"""Load a plan folder from `fixtures/` into the database, following the reference README's loading rules.

Loading is a sync: every row has a stable key (division code, indicator code, task number, ...). Missing rows
are created; rows that differ from the fixture are reported and overwritten only when `force` is set, so that
an administrator's correction is never lost silently.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from figures import standings
from figures.models import Observation, ObservationStatus
from plans.models import NEEDS_REVIEW, District, Indicator, Plan, Target, Task, TaskItem, TextTarget

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
SYSTEM_USERNAME = "system"
WHOLE_NUMBER_KINDS = {"count", "range"}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)

    @property
    def changed_anything(self):
        return bool(self.created or self.overwritten)


def plan_folders():
    return sorted(p.parent for p in FIXTURES_DIR.glob("*/plan.json"))


def system_user():
    """The account that imports and the plan's own figures are recorded under."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_superuser": True, "first_name": "系统"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load_plan(folder: Path, *, force=False) -> SyncReport:
    data = read_folder(Path(folder))
    report = SyncReport()
    with transaction.atomic():
        sync = _Sync(report, force)
        plan = sync.row(Plan, {"code": data["plan"]["code"]}, data["plan"]["fields"], "规划")
        districts = {
            row["code"]: sync.row(District, {"code": row["code"]}, row["fields"], f"地区 {row['code']}")
            for row in data["districts"]
        }
        tasks = {}
        for row in data["tasks"]:
            tasks[row["number"]] = sync.row(
                Task, {"plan": plan, "number": row["number"]}, row["fields"], f"任务 {row['number']}"
            )
        for row in data["task_items"]:
            key = {"task": tasks[row["number"]], "order": row["order"]}
            sync.row(TaskItem, key, row["fields"], f"任务内容 {row['number']}.{row['order']}")
        indicators = {}
        for row in data["indicators"]:
            fields = dict(row["fields"], task=tasks.get(row.get("task_number")))
            indicators[row["code"]] = sync.row(
                Indicator, {"plan": plan, "code": row["code"]}, fields, f"指标 {row['code']}"
            )
        for row in data["targets"]:
            key = {
                "indicator": indicators[row["indicator"]],
                "district": districts[row["district"]],
                "year": row["year"],
            }
            sync.row(Target, key, row["fields"], f"目标 {row['indicator']} {row['district']} {row['year']}")
        baseline_defaults = {
            "status": ObservationStatus.APPROVED,
            "entered_by": system_user(),
            "entered_at": timezone.now(),
            "approved_by": system_user(),
            "approved_at": timezone.now(),
        }
        for row in data["baselines"]:
            key = {
                "indicator": indicators[row["indicator"]],
                "district": districts[row["district"]],
                "year": row["year"],
            }
            label = f"基期值 {row['indicator']} {row['district']} {row['year']}"
            sync.row(Observation, key, row["fields"], label, defaults=baseline_defaults)
        text_targets = {}
        # A text target that restates another for a later year points at it, so load the originals first.
        for row in sorted(data["text_targets"], key=lambda row: row["same_as"] is not None):
            fields = dict(row["fields"], task=tasks.get(row["task_number"]), same_as=text_targets.get(row["same_as"]))
            text_targets[row["code"]] = sync.row(
                TextTarget, {"plan": plan, "code": row["code"]}, fields, f"文字目标 {row['code']}"
            )
        # Targets may have changed, and a database from before `Standing` existed has none yet.
        standings.refresh(plan)
    return report


class _Sync:
    def __init__(self, report, force):
        self.report = report
        self.force = force

    def row(self, model, key, fields, label, defaults=None):
        obj = model.objects.filter(**key).first()
        if obj is None:
            obj = model(**key, **fields, **(defaults or {}))
            obj.save()
            self.report.created.append(label)
            return obj
        changed = []
        for name, wanted in fields.items():
            current = getattr(obj, name)
            if current != wanted:
                self.report.differences.append(f"{label} {name}: 数据库「{current}」，基础数据「{wanted}」")
                changed.append(name)
        if changed and self.force:
            for name in changed:
                setattr(obj, name, fields[name])
            obj.save()
            self.report.overwritten.append(label)
        return obj


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


def read_folder(folder: Path) -> dict:
    """Turn a plan folder into keyed rows, applying the loading rules of the reference README (section 5)."""
    meta = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    base_year, target_year, province = meta["base_year"], meta["target_year"], meta["province"]
    data = {
        "plan": {
            "code": meta["code"],
            "fields": {
                "name": meta["name"],
                "document_number": meta.get("document_number", ""),
                "base_year": base_year,
                "target_year": target_year,
            },
        },
        "districts": [
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
            for row in _read_csv(folder, "districts.csv")
        ],
        "tasks": [
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
            for row in _read_csv(folder, "tasks.csv")
        ],
        "task_items": [
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
            for row in _read_csv(folder, "tasks_items.csv")
        ],
        "indicators": [],
        "text_targets": [],
    }
    targets, baselines = {}, {}

    def add(cells, indicator, district, year, fields, source):
        key = (indicator, district, year)
        if key in cells and cells[key] != fields:
            raise ValueError(f"{source}: {key} 与已有的值 {cells[key]} 不一致")
        cells[key] = fields

    for row in _read_csv(folder, "indicators.csv"):
        data["indicators"].append(
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
        add(
            baselines,
            row["code"],
            province,
            base_year,
            {"value": Decimal(row[f"baseline_{base_year}"]), "source": meta["name"]},
            "indicators.csv",
        )
        add(
            targets,
            row["code"],
            province,
            target_year,
            {"value": Decimal(row[f"target_{target_year}"]), "upper": None, "operator": row["target_operator"]},
            "indicators.csv",
        )

    known = {row["code"] for row in data["indicators"]}
    for row in _read_csv(folder, "district_targets.csv"):
        code = row["indicator_code"]
        if code not in known:
            known.add(code)
            data["indicators"].append(
                {
                    "code": code,
                    "fields": {
                        "group": "分地区目标",
                        "order": 100 + len(data["indicators"]),
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
            add(
                baselines,
                code,
                row["district_code"],
                int(row["year"]),
                {"value": value, "source": meta["name"]},
                "district_targets.csv",
            )
        else:
            add(
                targets,
                code,
                row["district_code"],
                int(row["year"]),
                {"value": value, "upper": None, "operator": row["operator"]},
                "district_targets.csv",
            )

    projects = _read_csv(folder, "projects.csv")
    for row in projects:
        if not _flag(row["trackable"]) or row["merge_into"]:
            continue
        kind = row["kind"]
        data["indicators"].append(
            {
                "code": row["code"],
                "task_number": int(row["task_number"]) if row["task_number"] else None,
                "fields": {
                    "group": row["project_zh"],
                    "order": 200 + len(data["indicators"]),
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
        known.add(row["code"])
    for row in projects:
        if not _flag(row["trackable"]):
            data["text_targets"].append(
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
        if code not in known:
            raise ValueError(f"projects.csv {row['code']}: merge_into {code} 不是已知指标")
        upper = _number(row["value_max"]) if row["kind"] == "range" else None
        add(
            targets,
            code,
            province,
            int(row["year"]),
            {"value": Decimal(row["value_min"]), "upper": upper, "operator": row["operator"]},
            "projects.csv",
        )

    data["targets"] = [{"indicator": i, "district": d, "year": y, "fields": f} for (i, d, y), f in targets.items()]
    data["baselines"] = [{"indicator": i, "district": d, "year": y, "fields": f} for (i, d, y), f in baselines.items()]
    return data
