"""The one write path for figures. Every door hands a batch of rows to `write`: the entry grid, the Excel upload
(`check_rows`/`import_rows`), the API, `restore`, `import_values`, `load_demo` and the plan's baselines; the
review steps (figures/review.py) share its locking, version, history and status code (`save_changes`).

    outcome = write(Batch([Row(indicator=i, district=d, year=2023, value="98.5", action="submit")]), by=user)

`write` works in one transaction: it first locks the rows of the plans the figures belong to (`lock_plans`, the
lock every writer and `review.lock_year` take), then loads what the batch needs in a few queries (the stored
figures locked, in id order), checks every row against the latest earlier *approved* figure (with the batch's
own rows laid over the database) and the plan's rules between indicators (`figures.validation`), and stores
nothing if any row is refused. Otherwise it writes the figures in
bulk with their history and upserts the precomputed statuses of the pairs whose approved figures moved. What is
checked cannot change before it is written. A lost race (a unique constraint, a locked SQLite database, a
deadlock) becomes `Conflict`, never a server error.

Split by job: `pipeline_rows` (a batch's rows and how their fields are read), `pipeline_checks` (what a batch is
checked against, and the checks), this module (the write itself, conflicts, and the doors' shortcuts). Callers
import everything from here.
"""

import re
from contextlib import contextmanager

from django.db import IntegrityError, OperationalError, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from figures import notices, rounds, standings
from figures.models import DataVersion, Observation, ObservationStatus
from figures.pipeline_checks import Context, version_message
from figures.pipeline_rows import (
    LIMIT,
    MAX_DECIMALS,
    TEXT_FIELDS,
    TEXT_LIMITS,
    TRUE,
    Action,
    Batch,
    Checked,
    Conflict,
    ImportRejected,
    Outcome,
    Problem,
    Row,
    clean_text,
    clean_version,
    parse_number,
)
from plans.chains import among, chains_sql
from plans.models import District, Indicator, Plan

__all__ = [
    "LIMIT",
    "MAX_DECIMALS",
    "Names",
    "TEXT_FIELDS",
    "TEXT_LIMITS",
    "TRUE",
    "Action",
    "Batch",
    "Checked",
    "Conflict",
    "ImportRejected",
    "Outcome",
    "Problem",
    "Row",
    "check_rows",
    "check_value",
    "clean_text",
    "clean_version",
    "guarded",
    "import_rows",
    "lock_plans",
    "parse_number",
    "plans_of",
    "record_value",
    "refresh_standings",
    "save_changes",
    "version_message",
    "write",
]


def write(batch: Batch, *, by) -> Outcome:
    """Check every row; store all of them (with history and statuses) or, if any is refused, none.

    What is checked is read in the transaction that writes, after the locks (the plans' rows, then the figures
    read): a year lock or another write that lands meanwhile is seen, not overwritten."""
    if not batch.rows:
        return Outcome()
    with guarded():
        lock_plans(plans_of({row.indicator.pk for row in batch.rows}))
        context = Context.load(batch, by, for_update=True)
        outcome = context.check(batch)
        if outcome.problems:
            return outcome  # nothing written
        outcome.changed = _save(context, outcome.checked, batch, by=by)
    return outcome


@contextmanager
def guarded():
    """A transaction in which losing a race (unique constraint, locked database, deadlock) is a Conflict.

    On SQLite it begins IMMEDIATE (settings.py): it holds the write lock before it reads anything."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as lost:
        raise _race_lost() from lost
    except OperationalError as lost:
        if not re.search(r"lock|deadlock|serializ", str(lost), re.I):
            raise
        raise _race_lost() from lost


def _race_lost():
    return Conflict(_("有人同时修改了这项数据，请刷新后再试。"))


def lock_plans(plans):
    """Lock the rows of these plans (ids or a subquery) in a stable order: the first lock every writer takes.

    Writers of figures lock the plans of the figures' chains (`plans_of`), `review.lock_year` its plan: so the
    year locks, statuses and figures a writer checks cannot change until it commits. (On SQLite the IMMEDIATE
    transaction already holds the database's write lock.)"""
    list(Plan.objects.select_for_update().filter(pk__in=plans).order_by("pk").values_list("pk", flat=True))


def plans_of(indicator_ids):
    """The plans whose year locks and statuses the figures of these indicators depend on (README, "Figures two
    plans share"): those of every indicator of their continuation chains, as a subquery."""
    if not indicator_ids:
        return []
    return RawSQL(*chains_sql(*among(indicator_ids), "SELECT plan_id FROM down"))


def _save(context, checked, batch, *, by):
    """Write what changed (the context read the figures locked): bulk writes with history, statuses refreshed.

    New figures go where the context says figures of their indicator are stored (`Context.storage`)."""
    now = timezone.now()
    writes = [
        c
        for c in checked
        if c.change != "unchanged" and not (batch.keep_same and c.action == Action.SAVE and c.same_figure)
    ]
    # The reporting round: a figure first submitted after its year's deadline is marked late (figures/rounds.py).
    deadlines = rounds.deadlines(context.plan, {c.year for c in writes if c.status == ObservationStatus.SUBMITTED})
    updated, created, moved = [], [], set()
    for c in writes:
        o = c.existing or Observation(
            indicator_id=context.storage[c.indicator.pk], district=c.district, year=c.year, version=0
        )
        was_approved = c.existing is not None and c.existing.status == ObservationStatus.APPROVED
        for name in ("value", "status", *TEXT_FIELDS):
            setattr(o, name, getattr(c, name))
        o.confirmed_large_move = c.confirmed_large_move
        o.is_demo = batch.demo
        o.version += 1
        o.entered_by, o.entered_at = by, now
        o.review_comment = "" if c.existing is None else o.review_comment
        if c.status == ObservationStatus.APPROVED:
            o.approved_by, o.approved_at = by, now
        else:
            o.approved_by, o.approved_at = None, None
        o.city_approved_by, o.city_approved_at = None, None  # a new version passes the city again
        if c.status == ObservationStatus.SUBMITTED and o.submitted_at is None:
            o.submitted_at, o.late = now, rounds.is_late(deadlines.get(c.year))
        (updated if c.existing is not None else created).append(o)
        if was_approved or c.status == ObservationStatus.APPROVED:
            moved.add((o.indicator_id, o.district_id))
    reason = batch.change_reason or None
    if updated:
        bulk_update_with_history(
            updated, Observation, UPDATED_FIELDS, batch_size=500, default_user=by, default_change_reason=reason
        )
    if created:
        created = bulk_create_with_history(
            created, Observation, batch_size=500, default_user=by, default_change_reason=reason
        )
    refresh_standings(moved)
    DataVersion.bump(DataVersion.WORK)
    notices.submitted(context.plan, [o for o in updated + created if o.status == ObservationStatus.SUBMITTED], by=by)
    return updated + created


UPDATED_FIELDS = [
    "value",
    "status",
    *TEXT_FIELDS,
    "review_comment",
    "confirmed_large_move",
    "is_demo",
    "version",
    "entered_by",
    "entered_at",
    "approved_by",
    "approved_at",
    "city_approved_by",
    "city_approved_at",
    "submitted_at",
    "late",
]


def save_changes(observations, *, by, change_reason, moved):
    """Store figures changed in place by a review step (read FOR UPDATE after `lock_plans`): version, history,
    statuses.

    The callers have checked the figures against locks and closed plans (`locked_years`, `Plan.closes`)."""
    for o in observations:
        o.version += 1
    bulk_update_with_history(
        observations, Observation, UPDATED_FIELDS, batch_size=500, default_user=by, default_change_reason=change_reason
    )
    refresh_standings(moved)
    DataVersion.bump(DataVersion.WORK)
    return observations


def refresh_standings(pairs):
    """Upsert the statuses of (indicator id, district id) pairs whose approved figures changed, one plan at a time:
    those of every plan that shows the figures (`standings.pairs_showing`), each under a lock on its plan row."""
    if not pairs:
        return
    by_plan = standings.pairs_showing(pairs)
    for locked in Plan.objects.select_for_update().filter(pk__in=list(by_plan)).order_by("pk"):
        standings.refresh_pairs(locked, by_plan[locked.pk])


# Single figures and tables, as the doors call them.


def check_value(row: Row | None = None, *, by, require_version=False, **fields):
    """Validate one figure for `by` without writing: the Checked row, or PermissionDenied, Conflict or
    ValidationError (a dict naming the field). Pass a Row (or, for older callers, its fields by name)."""
    row = row or Row(**fields)
    batch = Batch([row], require_version=require_version)
    outcome = Context.load(batch, by).check(batch)
    outcome.raise_problems()
    return outcome.checked[0]


def record_value(*, by, require_version=False, **fields):
    """Check one figure (Row's fields) and store it; returns the observation, unchanged ones not written again."""
    outcome = write(Batch([Row(**fields)], require_version=require_version), by=by)
    outcome.raise_problems()
    checked = outcome.checked[0]
    return outcome.changed[0] if outcome.changed else checked.existing


class Names:
    """How a table names its figures' indicators and districts: the plan's indicators by code, the districts by
    code, name or short name. Read once per file (two queries) and shared by its sheets and its preview."""

    def __init__(self, plan):
        self.plan = plan
        self.indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
        self.districts = {}
        for district in District.objects.all():
            for key in (district.code, district.name, district.short_name):
                self.districts[key] = district

    def indicator(self, raw):
        return self.indicators.get(str(raw if raw is not None else "").strip())

    def district(self, raw):
        return self.districts.get(str(raw if raw is not None else "").strip())


def _rows_of_table(names, rows, action):
    """(row number, {column: value}) of a long-format table as Rows, with the problems of unknown codes."""
    result, problems = [], []
    for number, row in rows:
        indicator, district = names.indicator(row.get("indicator")), names.district(row.get("district"))
        if indicator is None:
            problems.append(Problem(number, "indicator", _("没有指标“%(code)s”。") % {"code": row.get("indicator")}))
        if district is None:
            problems.append(Problem(number, "district", _("没有地区“%(code)s”。") % {"code": row.get("district")}))
        if indicator is None or district is None:
            continue
        fields = {name: row.get(name) or "" for name in TEXT_FIELDS}
        result.append(
            Row(
                indicator=indicator,
                district=district,
                year=row.get("year"),
                value=row.get("value"),
                confirm=row.get("confirm") or False,
                version=row.get("version"),
                action=action,
                key=number,
                **fields,
            )
        )
    return result, problems


def _table_batch(plan, rows, action, names):
    if names is None or names.plan.pk != plan.pk:
        names = Names(plan)
    table, problems = _rows_of_table(names, rows, action)
    command = action == Action.APPROVE
    batch = Batch(table, command=command, change_reason=gettext_noop("导入") if command else "")
    return batch, problems


def _rejected(problems):
    return ImportRejected([(p.key, p.field or "district", p.message) for p in problems])


def check_rows(*, plan, rows, by, action=Action.APPROVE, names=None):
    """Check every (row number, {column: value}) of a long-format table; the Checked rows or ImportRejected.

    `action=approve` is the administrator's import (`import_values`) only."""
    batch, problems = _table_batch(plan, rows, action, names)
    checked = []
    if batch.rows:
        outcome = Context.load(batch, by).check(batch)
        problems, checked = problems + outcome.problems, outcome.checked
    if problems:
        raise _rejected(sorted(problems, key=_row_order))
    return checked


def _row_order(problem):
    """Problems in the order of their rows: keyed by row number, or (sheet, row number) for an uploaded file."""
    key = problem.key if isinstance(problem.key, tuple) else (problem.key if isinstance(problem.key, int) else 0,)
    return (key, problem.field or "")


def import_rows(*, plan, rows, by, action=Action.APPROVE, names=None):
    """Store a whole table of figures in one transaction, or nothing. Returns the checked rows."""
    batch, problems = _table_batch(plan, rows, action, names)
    if problems:
        check_rows(plan=plan, rows=rows, by=by, action=action, names=names)  # raises, naming every row's problems
    outcome = write(batch, by=by)
    if outcome.problems:
        raise _rejected(outcome.problems)
    return outcome.checked
