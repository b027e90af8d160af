"""Load a plan folder from `fixtures/` into the database, following the reference README's loading rules.

Loading is a sync: every row has a stable key (division code, indicator code, task number, ...). Missing rows
are created; rows that differ from the fixture are reported and overwritten only when `force` is set, so that
an administrator's correction is never lost silently.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction

from figures import pipeline, standings
from figures.models import Observation
from plans.fixture_files import read_folder
from plans.models import District, Indicator, Plan, Target, Task, TaskItem, TextTarget

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
SYSTEM_USERNAME = "system"
# Counts (schools, counties, places) without a bound of their own in the plan data get this generous one: no count
# of the province's education reaches a billion, and a figure past it is a unit or typing error.
COUNT_MAX = Decimal(10) ** 9


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


def acting_user(username):
    """The user a command acts as: the one `--user` names, or the system user."""
    if not username:
        return system_user()
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"没有用户 {username}。") from None


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
            if fields.get("whole_number") and fields.get("max_value") is None:
                fields["max_value"] = COUNT_MAX
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
        _load_baselines(data["baselines"], indicators, districts, report, force)
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


def _load_baselines(rows, indicators, districts, report, force):
    """The plan's base-year figures, approved in the system user's name through the write pipeline. A stored
    baseline that differs is reported; with `force` it is replaced (reopened and approved again by the command)."""
    stored = {
        (o.indicator_id, o.district_id, o.year): o
        for o in Observation.objects.filter(indicator__in=list(indicators.values()), year__in={r["year"] for r in rows})
    }
    batch = pipeline.Batch([], command=True, change_reason="规划基期值", reopen_approved=force)
    for row in rows:
        indicator, district = indicators[row["indicator"]], districts[row["district"]]
        label = f"基期值 {row['indicator']} {row['district']} {row['year']}"
        fields = row["fields"]
        existing = stored.get((indicator.pk, district.pk, row["year"]))
        if existing is not None:
            changed = [name for name, wanted in fields.items() if getattr(existing, name) != wanted]
            for name in changed:
                report.differences.append(
                    f"{label} {name}: 数据库「{getattr(existing, name)}」，基础数据「{fields[name]}」"
                )
            if not changed or not force:
                continue
            report.overwritten.append(label)
        else:
            report.created.append(label)
        values = {"note": existing.note if existing else "", "source": "", **fields}
        batch.rows.append(
            pipeline.Row(
                indicator=indicator,
                district=district,
                year=row["year"],
                action=pipeline.Action.APPROVE,
                confirm=True,
                version=existing.version if existing else None,
                key=label,
                **values,
            )
        )
    outcome = pipeline.write(batch, by=system_user())
    if outcome.problems:
        raise CommandError("\n".join(f"{p.key} {p.field}：{p.message}" for p in outcome.problems))


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
