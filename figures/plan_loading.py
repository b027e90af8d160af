"""Load a plan folder from `fixtures/` into the database, following the reference README's loading rules.

Loading is a sync: every row has a stable key (division code, indicator code, task number, ...). Missing rows
are created; rows that differ from the fixture are reported and overwritten only when `force` is set, so that
an administrator's correction is never lost silently.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from figures import standings
from figures.models import Observation, ObservationStatus
from plans.fixture_files import read_folder
from plans.models import District, Indicator, Plan, Target, Task, TaskItem, TextTarget

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
SYSTEM_USERNAME = "system"


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
