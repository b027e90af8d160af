"""Load a plan into the database: the one loader for plan folders and plan workbooks (`figures.plan_dumping` reads
a loaded plan back out in the same form).

A plan arrives as keyed rows (`plans.fixture_files.read_folder` for a folder of `fixtures/`,
`plans.workbook_reading.read_workbook` for an uploaded workbook; both give the same dict). Loading is a sync: every
row has a stable key (division code, indicator code, task number, ...). Missing rows are created; rows that
differ are reported and overwritten only when `force` is set, so that an administrator's correction is never
lost silently. With `remove` (a workbook upload, which states the whole plan) rows the data no longer holds are
deleted, except anything with figures: removing those is refused, and then nothing is written. Each write is
recorded in the plan rows' history under the user `by`.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import CommandError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from figures import locks, pipeline, standings
from figures.models import Observation, ObservationStatus, Standing
from plans import review_flags
from plans import rules as plan_rules
from plans.chains import sharing, showing
from plans.explanations import plain
from plans.fixture_files import read_folder
from plans.models import (
    District,
    Indicator,
    Plan,
    Rule,
    RuleSide,
    RuleTerm,
    Target,
    Task,
    TaskItem,
    TextTarget,
    continued_elsewhere,
    plan_code_problem,
)
from plans.workbook_reading import continued_indicator

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
SYSTEM_USERNAME = "system"
# Counts (schools, counties, places) without a bound of their own in the plan data get this generous one: no count
# of the province's education reaches a billion, and a figure past it is a unit or typing error.
COUNT_MAX = Decimal(10) ** 9

# The sheet of the plan workbook each kind of row belongs to (plans.workbook), for previews and refusals.
SHEETS = {
    "plan": "规划",
    "districts": "地区",
    "tasks": "任务",
    "task_items": "任务内容",
    "indicators": "指标",
    "targets": "分地区目标",
    "baselines": "分地区目标",
    "text_targets": "文字目标",
    "rules": "校验规则",
}


# The sheets' titles as the preview page shows them (the workbook's own titles are Chinese, as its format).
SHEET_TITLES = {
    "规划": gettext_lazy("规划"),
    "地区": gettext_lazy("地区"),
    "任务": gettext_lazy("任务"),
    "任务内容": gettext_lazy("任务内容"),
    "指标": gettext_lazy("指标"),
    "分地区目标": gettext_lazy("分地区目标"),
    "文字目标": gettext_lazy("文字目标"),
    "校验规则": gettext_lazy("校验规则"),
}


@dataclass
class Change:
    """One row the load creates, changes or removes (or may not remove), as the preview lists it."""

    sheet: str
    key: str
    action: str  # new, changed, removed or refused
    details: list = field(default_factory=list)
    name: str = ""  # what the preview calls the row: names, not only codes
    decimals: int | None = None  # the indicator's, for a target's or baseline's values


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    locked_years: set[int] = field(default_factory=set)  # locked years whose baselines the load would change
    unchanged: list[tuple[str, str]] = field(default_factory=list)  # (sheet, name) of the rows that stay as they are
    plan: Plan | None = None

    @property
    def changed_anything(self):
        return bool(self.created or self.overwritten or self.removed)

    def by_sheet(self):
        """{sheet: [Change]} in the workbook's sheet order."""
        grouped = {}
        for change in self.changes:
            grouped.setdefault(change.sheet, []).append(change)
        return grouped

    def preview(self):
        """The report as the preview page shows it, as JSON: kept with the pending upload, so that the trial load
        runs once per upload and not on every refresh of the page. What blocks the upload comes first; then, sheet
        by sheet, the changed and removed rows with their fields; new and unchanged rows only by name, folded."""
        counts = {"new": self.created, "changed": self.overwritten, "removed": self.removed, "refused": self.refused}
        sheets = {}

        def sheet(title):
            shown = str(SHEET_TITLES.get(title, title))
            return sheets.setdefault(title, {"sheet": title, "title": shown, "changes": [], "new": [], "unchanged": []})

        for change in self.changes:
            if change.action == "new":
                sheet(change.sheet)["new"].append(change.name or change.key)
            elif change.action != "refused":
                sheet(change.sheet)["changes"].append(_shown(change))
        for title, name in self.unchanged:
            sheet(title)["unchanged"].append(name)
        order = list(dict.fromkeys(SHEETS.values()))
        return {
            "counts": {**{name: len(rows) for name, rows in counts.items()}, "unchanged": len(self.unchanged)},
            "blocking": [_shown(change) for change in self.changes if change.action == "refused"],
            "sheets": sorted(sheets.values(), key=lambda s: order.index(s["sheet"]) if s["sheet"] in order else 99),
            "has_changes": bool(self.changes),
        }


def _shown(change):
    def text(value):
        if value is None:
            return None
        if isinstance(value, Decimal):
            return f"{value:.{change.decimals}f}" if change.decimals is not None else plain(value)
        return str(value)

    if change.action == "changed":
        details = [[str(field), text(old), text(new)] for field, old, new in change.details]
    else:
        details = [str(detail) for detail in change.details]
    sheet = str(SHEET_TITLES.get(change.sheet, change.sheet))
    return {"sheet": sheet, "name": change.name or change.key, "action": change.action, "details": details}


def _name(kind, obj):
    """What the preview calls a row of the plan: by its names (in the uploader's language where the plan has
    them), with the code where one identifies it."""
    if kind == "tasks":
        return f"{obj.number}. {obj.display_title or obj.category}"
    if kind == "task_items":
        return f"{obj.task.number}.{obj.order} {obj.content}"
    if kind == "indicators":
        return f"{obj.display_name}（{obj.code}）"
    if kind == "targets":
        return f"{obj.indicator.display_name} {obj.district.display_short_name} {obj.year}"
    if kind == "text_targets":
        return f"{obj.code} {obj.text}"
    if kind == "rules":
        return f"{obj.name}（{obj.code}）"
    return str(obj)


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


class Refused(Exception):
    """The load would delete rows that have figures; nothing was written."""

    def __init__(self, report):
        super().__init__("; ".join(report.refused))
        self.report = report


def load_plan(source, *, force=False, remove=False, by=None, dry_run=False, change_locked_years=()) -> SyncReport:
    """Write a plan (a fixture folder, or the rows `read_folder`/`read_workbook` give) and list what changed.

    `dry_run` computes the same report and rolls everything back: the workbook preview. A load that would
    remove rows with figures, store a baseline the write pipeline refuses, or change a baseline in a locked year
    not named in `change_locked_years` raises `Refused` (with `dry_run`, the report lists them instead).
    """
    data = read_folder(Path(source)) if isinstance(source, (str, Path)) else source
    report = SyncReport()
    with transaction.atomic():
        _Load(data, report, force=force, remove=remove, by=by, change_locked_years=change_locked_years).run()
        if dry_run:
            transaction.set_rollback(True)
        elif report.refused:
            transaction.set_rollback(True)
            raise Refused(report)
    return report


class _Load:
    def __init__(self, data, report, *, force, remove, by, change_locked_years=()):
        self.data, self.report, self.force, self.remove = data, report, force, remove
        self.change_locked_years = set(change_locked_years)
        # Rows loaded from the plan files come from no person: their history names nobody (the system user
        # stands in only where a user is required, as for a baseline's 填报人).
        self.history_user = by
        self.by = by or system_user()

    def run(self):
        data, sync = self.data, self
        problem = plan_code_problem(data["plan"]["code"])
        if problem:
            self.refuse("plan", data["plan"]["code"], problem)
            return
        # A new plan is current only in an empty database; after that, an administrator chooses (Plan.is_current).
        first = {"is_current": not Plan.objects.exists()}
        plan = sync.row(
            "plan", Plan, {"code": data["plan"]["code"]}, data["plan"]["fields"], data["plan"]["code"], first
        )
        self.report.plan = plan
        for row in data.get("districts", []):
            sync.row("districts", District, {"code": row["code"]}, row["fields"], row["code"])
        districts = {d.code: d for d in District.objects.all()}
        tasks = {}
        for row in data["tasks"]:
            fields = review_flags.flag("tasks", row["fields"])
            tasks[row["number"]] = sync.row(
                "tasks", Task, {"plan": plan, "number": row["number"]}, fields, row["number"]
            )
        items = set()
        for row in data["task_items"]:
            key = {"task": tasks[row["number"]], "order": row["order"]}
            fields = review_flags.flag("task_items", row["fields"])
            items.add(sync.row("task_items", TaskItem, key, fields, f"{row['number']}.{row['order']}").pk)
        indicators = {}
        for row in data["indicators"]:
            fields = review_flags.flag("indicators", dict(row["fields"], task=tasks.get(row.get("task_number"))))
            if fields.get("whole_number") and fields.get("max_value") is None:
                fields["max_value"] = max(COUNT_MAX, fields.get("min_value") or COUNT_MAX)
            if "continues" in row:  # a plan folder says nothing of continuations; a workbook's empty cell ends one
                fields["continues"] = self.continued(row, plan)
            key = {"plan": plan, "code": row["code"]}
            indicators[row["code"]] = sync.row("indicators", Indicator, key, fields, row["code"])
        # Every chain through the plan's indicators, checked as it now stands (both ends of every link, no circle).
        # A broken chain stops the load here: what comes next walks the chains.
        broken = False
        for code, indicator in indicators.items():
            problem = indicator.chain_problem()
            if problem:
                self.refuse("indicators", code, problem)
                broken = True
        if broken:
            return
        targets = set()
        for row in data["targets"]:
            key = self.cell(row, indicators, districts)
            label = f"{row['indicator']} {row['district']} {row['year']}"
            targets.add(sync.row("targets", Target, key, row["fields"], label).pk)
        # The rules first: the plan's own baselines must keep them like any figure.
        if "rules" in data:
            self.rules(plan, data["rules"], districts)
        self.baselines(plan, data["baselines"], indicators, districts)
        text_targets = {}
        # A text target that restates another for a later year points at it, so load the originals first.
        for row in sorted(data["text_targets"], key=lambda row: row["same_as"] is not None):
            fields = dict(row["fields"], task=tasks.get(row["task_number"]), same_as=text_targets.get(row["same_as"]))
            fields = review_flags.flag("text_targets", fields)
            key = {"plan": plan, "code": row["code"]}
            text_targets[row["code"]] = sync.row("text_targets", TextTarget, key, fields, row["code"])
        if self.remove:
            self.remove_missing(plan, tasks, items, indicators, targets, text_targets)
        # Targets may have changed, and a database from before `Standing` existed has none yet.
        standings.refresh(plan)

    def baselines(self, plan, rows, indicators, districts):
        """The plan's base-year figures, through the write pipeline as approved figures of whoever loads the plan.

        Like any plan row, a baseline that differs from the stored figure is only reported unless forced; forced,
        it becomes a new approved version (the old one stays in the history). A locked year is changed only when
        the load names it (`change_locked_years`); otherwise, and for a figure the pipeline refuses, the load is
        refused with the reason."""
        cells = [(self.cell(row, indicators, districts), row) for row in rows]
        # A continuing indicator's baseline is the earlier plan's figure of that year, stored once on the first
        # indicator of the chain (README, "Figures two plans share").
        shown_as = showing(indicators.values())
        stored = {
            (shown_as[o.indicator_id], o.district_id, o.year): o
            for o in Observation.objects.filter(
                indicator__in=list(shown_as), year__in={row["year"] for row in rows}
            ).order_by()
        }
        locked = locks.locked_years({key["indicator"].pk for key, _row in cells})
        writes = []
        for key, row in cells:
            label = _("基期值 %(cell)s") % {"cell": f"{row['indicator']} {row['district']} {row['year']}"}
            existing = stored.get((key["indicator"].pk, key["district"].pk, key["year"]))
            if key["indicator"].continues_id and existing is not None and existing.value != row["fields"]["value"]:
                # That figure is also the earlier plan's: it changes only through its review, locks and history.
                reason = _("与已有的%(value)s不同：该数据也是上一规划的数据，请通过审核修改")
                self.refuse("baselines", label, reason % {"value": plain(existing.value)})
                continue
            indicator, district = key["indicator"], key["district"]
            cell = f"{indicator.display_name} {district.display_short_name} {row['year']}"
            name = _("基期值 %(cell)s") % {"cell": cell}
            if not self.compare(
                "baselines", existing, row["fields"], label, name=name, decimals=indicator.shown_decimals
            ):
                continue
            if key["year"] in locked[key["indicator"].pk] and key["year"] not in self.change_locked_years:
                self.report.locked_years.add(key["year"])
                self.refuse("baselines", label, _("%(year)d年度已锁定，基期值不能随规划修改") % {"year": key["year"]})
                continue
            kept = {name: getattr(existing, name) for name in ("note", "reason", "measures")} if existing else {}
            fields = row["fields"]
            writes.append(
                pipeline.Row(
                    **key,
                    value=fields["value"],
                    source=fields.get("source", ""),
                    **kept,
                    version=existing.version if existing else None,
                    action=pipeline.Action.APPROVE,
                    key=label,
                )
            )
        if not writes:
            return
        batch = pipeline.Batch(
            writes,
            command=True,
            plan_data=True,
            reopen_approved=True,
            locked_years_ok=frozenset(self.change_locked_years),
            change_reason=_("规划基期值"),
        )
        for problem in pipeline.write(batch, by=self.by).problems:
            self.refuse("baselines", problem.key, problem.message)

    def rules(self, plan, rows, districts):
        """The plan's rules between indicators, each checked again by `plans.rules` against the indicators as now
        loaded (the readers checked them against their own rows); the sides compared as written."""
        indicators = {i.code: i for i in Indicator.objects.filter(plan=plan)}
        units = {code: (i.name, i.unit) for code, i in indicators.items()}
        stored = {r.code: r for r in Rule.objects.filter(plan=plan).prefetch_related("terms__indicator")}
        self.rule_codes = set()
        for row in rows:
            fields = row["fields"]
            problems, left, right = plan_rules.problems(
                **{name: fields[name] for name in ("left", "right", "operator", "tolerance", "districts")},
                indicators=units,
                known_districts=set(districts),
            )
            if problems:
                self.refuse("rules", row["code"], " ".join(problems.values()))
                continue
            self.rule_codes.add(row["code"])
            wanted = dict(fields, left=plan_rules.side_text(left), right=plan_rules.side_text(right))
            rule = stored.get(row["code"])
            if rule is not None:
                rule.left, rule.right = rule.sides()  # compared as the fields are, written through the terms
            else:
                rule = Rule(plan=plan, code=row["code"], name=fields["name"])
            if self.compare("rules", rule if rule.pk else None, wanted, row["code"], name=_name("rules", rule)):
                for name, value in wanted.items():
                    setattr(rule, name, value)
                self.save(rule)
                rule.replace_terms(left, right, indicators, by=self.history_user)

    def continued(self, row, plan):
        """The indicator a row's 延续指标 names, or None (refused when it does not exist or is continued already)."""
        if not row["continues"]:
            return None
        earlier = continued_indicator(row["continues"])
        if earlier is None:
            message = _("没有指标“%(key)s”（应写作“规划代码/指标代码”）。") % {"key": row["continues"]}
        else:
            message = continued_elsewhere(earlier, plan.pk, row["code"])
        if message:
            self.refuse("indicators", row["code"], message)
            return None
        return earlier

    @staticmethod
    def cell(row, indicators, districts):
        district = districts.get(row["district"])
        if district is None:
            raise ValueError(_("没有行政区划代码为 %(code)s 的地区。") % {"code": row["district"]})
        return {"indicator": indicators[row["indicator"]], "district": district, "year": row["year"]}

    def row(self, kind, model, key, fields, label, defaults=None):
        """`defaults`: fields set only on a row the load creates (a new plan's is_current)."""
        obj = model.objects.filter(**key).first()
        if obj is None:
            obj = model(**key, **fields, **(defaults or {}))
        decimals = obj.indicator.shown_decimals if kind == "targets" else None
        if self.compare(kind, obj if obj.pk else None, fields, label, name=_name(kind, obj), decimals=decimals):
            for name, wanted in fields.items():
                setattr(obj, name, wanted)
            self.save(obj)
        return obj

    def compare(self, kind, obj, fields, label, *, name="", decimals=None):
        """Report a row as new, changed (field by field) or unchanged; whether the load writes it."""
        sheet = SHEETS[kind]
        text = f"{sheet} {label}"
        if obj is None:
            self.report.created.append(text)
            self.report.changes.append(Change(sheet, str(label), "new", name=name))
            return True
        changed = []
        for field_name, wanted in fields.items():
            current = getattr(obj, field_name)
            if current != wanted:
                self.report.differences.append(f"{text} {field_name}: 数据库「{current}」，基础数据「{wanted}」")
                changed.append((field_name, current, wanted))
        if changed:
            details = [(_label(obj, f), old, new) for f, old, new in changed]
            self.report.changes.append(Change(sheet, str(label), "changed", details, name, decimals))
        else:
            self.report.unchanged.append((sheet, name or str(label)))
        if changed and self.force:
            self.report.overwritten.append(text)
            return True
        return False

    def save(self, obj):
        if self.history_user is not None:
            obj._history_user = self.history_user  # simple_history records who made each change
        obj.save()

    def remove_missing(self, plan, tasks, items, indicators, targets, text_targets):
        """Delete the plan's rows the data no longer holds, refusing any that has figures."""
        if "rules" in self.data:  # before the indicators they name
            for obj in Rule.objects.filter(plan=plan).exclude(code__in=getattr(self, "rule_codes", set())):
                self.delete("rules", obj, obj.code)
        kept_indicators = {i.pk for i in indicators.values()}
        for obj in TextTarget.objects.filter(plan=plan).exclude(pk__in=[t.pk for t in text_targets.values()]):
            self.delete("text_targets", obj, obj.code)
        for obj in (
            Target.objects.filter(indicator__plan=plan).exclude(pk__in=targets).select_related("indicator", "district")
        ):
            label = f"{obj.indicator.code} {obj.district.code} {obj.year}"
            figures = Observation.objects.filter(indicator=obj.indicator_id, district=obj.district_id, year=obj.year)
            self.delete("targets", obj, label, figures=figures.count())
        baselines = {(row["indicator"], row["district"], row["year"]) for row in self.data["baselines"]}
        for obj in Observation.objects.filter(
            indicator__in=kept_indicators, status=ObservationStatus.APPROVED, year=plan.base_year
        ).select_related("indicator", "district"):
            if (obj.indicator.code, obj.district.code, obj.year) not in baselines:
                # A figure is never deleted by a plan upload: it goes through the figures' own review.
                label = _("基期值 %(cell)s") % {"cell": f"{obj.indicator.code} {obj.district.code} {obj.year}"}
                self.refuse("baselines", label, _("已有数据，不能随规划删除"))
        for obj in Indicator.objects.filter(plan=plan).exclude(pk__in=kept_indicators):
            later = Indicator.objects.filter(continues=obj).select_related("plan").first()
            if later is not None:
                reason = _("%(key)s延续本指标，不能删除") % {"key": f"{later.plan.code}/{later.code}"}
                self.refuse("indicators", obj.code, reason)
                continue
            naming = RuleTerm.objects.filter(indicator=obj).select_related("rule").first()
            if naming is not None:
                reason = _("校验规则“%(rule)s”使用本指标，不能删除") % {"rule": naming.rule.code}
                self.refuse("indicators", obj.code, reason)
                continue
            # Figures anywhere in its chain: a continuing indicator's are stored on the first of the chain.
            chain = set(sharing([obj.pk])[obj.pk]) | {obj.pk}
            self.delete("indicators", obj, obj.code, figures=Observation.objects.filter(indicator__in=chain).count())
        for obj in TaskItem.objects.filter(task__plan=plan).exclude(pk__in=items).select_related("task"):
            self.delete("task_items", obj, f"{obj.task.number}.{obj.order}")
        for obj in Task.objects.filter(plan=plan).exclude(pk__in=[t.pk for t in tasks.values()]):
            self.delete("tasks", obj, obj.number)

    def delete(self, kind, obj, label, *, figures=0):
        sheet = SHEETS[kind]
        if figures:
            self.refuse(
                kind,
                label,
                ngettext("已有 %(count)s 个数据，不能删除", "已有 %(count)s 个数据，不能删除", figures)
                % {"count": figures},
            )
            return
        dependents = _dependents(obj)
        if dependents:
            self.refuse(kind, label, _("仍有 %(rows)s，不能删除") % {"rows": "、".join(dependents)})
            return
        if self.history_user is not None:
            obj._history_user = self.history_user
        obj.delete()
        self.report.removed.append(f"{sheet} {label}")
        self.report.changes.append(Change(sheet, str(label), "removed", name=_name(kind, obj)))

    def refuse(self, kind, label, reason):
        sheet = SHEETS[kind]
        self.report.refused.append(f"{sheet} {label}: {reason}")
        self.report.changes.append(Change(sheet, str(label), "refused", [reason]))


def _label(obj, name):
    """What the preview calls a field: its verbose name, or a rule's side (written through its terms)."""
    try:
        return str(obj._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return str(RuleSide(name).label)


def _dependents(obj):
    """Rows of other apps (task reports, figures...) that deleting `obj` would delete with it."""
    found = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label == "plans" or model is Standing or relation.on_delete is not models.CASCADE:
            continue
        if getattr(model, "_meta", None) and model.__name__.startswith("Historical"):
            continue
        count = model._base_manager.filter(**{relation.field.name: obj}).count()
        if count:
            found.append(f"{count} {model._meta.verbose_name}")
    return found
