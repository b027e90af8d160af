"""The one write path for figures. Every door hands a batch of rows to `write`: the entry grid, the Excel upload
(`check_rows`/`import_rows`), the API, `restore`, `import_values`, `load_demo` and the plan's baselines; the
review steps (figures/review.py) share its locking, version, history and status code (`save_changes`).

    outcome = write(Batch([Row(indicator=i, district=d, year=2023, value="98.5", action="submit")]), by=user)

`write` loads what the batch needs in a few queries, checks every row against the latest earlier *approved*
figure (with the batch's own rows laid over the database), and stores nothing if any row is refused. Otherwise
it locks only the figures it changes, writes them in bulk with their history, and upserts the precomputed
statuses of the pairs whose approved figures moved, under a lock on the plan row. A lost race (a unique
constraint, a locked SQLite database, a deadlock) becomes `Conflict`, never a server error.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from figures import access, standings
from figures.assessments import assess
from figures.models import Observation, ObservationStatus, ReportingYear
from plans import progress
from plans.models import District, Indicator, Plan, Target, among, chains_sql, statistics


class Conflict(Exception):
    """The figure cannot change now: its year is locked, it is approved, or someone changed it first (HTTP 409)."""


class ImportRejected(Exception):
    """A batch with bad rows: nothing was stored. `errors` are (row key, field or None, message)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


class Action:
    SAVE, SUBMIT, APPROVE = "save", "submit", "approve"
    STATUS = {SAVE: ObservationStatus.DRAFT, SUBMIT: ObservationStatus.SUBMITTED, APPROVE: ObservationStatus.APPROVED}
    # What people may ask for at a page, an upload or the API; only the administrator's commands store figures
    # as approved directly (published or plan figures), recorded as the command's user.
    ENTERED = (SAVE, SUBMIT)


MAX_DECIMALS = 4
# The column holds 18 digits with 4 decimals: 14 before the point.
LIMIT = Decimal(10) ** 14
TEXT_LIMITS = {"note": 2000, "source": 200, "reason": 2000, "measures": 2000, "comment": 2000}
TEXT_FIELDS = ("note", "source", "reason", "measures")
# ASCII and full-width digits, points, separators, signs and percent signs; nothing else is a number here.
NUMBER_CHARS = set("0123456789.,%+- ") | set("０１２３４５６７８９．，％＋－\u3000\u00a0")
NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
TRUE = (True, 1, "1", "true", "True", "on", "yes", "是", "Y", "y")


def parse_number(raw, field="value", *, percent=True):
    """Read a number as people type it: '98.5', '98.5%', '９８．５', '1,234.5', with spaces around.

    Refused: other scripts' digits, separators not in groups of three, '_', exponents, a percent sign where
    `percent` is False, and anything of 10^14 or more."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float, Decimal)) and raw is not None:
        raise ValidationError({field: _("请输入数字。")}, code="not_a_number")
    if isinstance(raw, (int, float, Decimal)):
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValidationError({field: _("请输入数字。")}, code="not_a_number") from None
    else:
        text = (raw or "").strip()
        if not text:
            raise ValidationError({field: _("请填写数值。")}, code="required")
        if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            raise ValidationError({field: _("数值必须是有限的数字。")}, code="not_finite")
        if any(char not in NUMBER_CHARS for char in text):
            raise ValidationError({field: _("“%(raw)s”不是数字。") % {"raw": raw}}, code="not_a_number")
        # NFKC turns full-width digits, points, commas and percent signs into their ASCII forms.
        text = unicodedata.normalize("NFKC", text).replace(" ", "")
        if text.endswith("%"):
            if not percent:
                raise ValidationError({field: _("该指标不是百分比，请去掉“%”。")}, code="not_a_percentage")
            text = text[:-1]
        if not NUMBER.match(text):
            raise ValidationError({field: _("“%(raw)s”不是数字。") % {"raw": raw}}, code="not_a_number")
        number = Decimal(text.replace(",", ""))
    if not number.is_finite():
        raise ValidationError({field: _("数值必须是有限的数字。")}, code="not_finite")
    if abs(number) >= LIMIT:
        raise ValidationError({field: _("数值过大，必须小于 10 的 14 次方。")}, code="too_large")
    if -number.as_tuple().exponent > MAX_DECIMALS and number != number.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        raise ValidationError({field: _("最多保留%(n)d位小数。") % {"n": MAX_DECIMALS}}, code="too_precise")
    return number


def clean_text(raw, field):
    """A note, source, reason, measures or comment: text, bounded, without control or bidi-override characters."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError({field: _("必须是文字。")}, code="not_text")
    text = raw.strip()
    limit = TEXT_LIMITS[field]
    if len(text) > limit:
        raise ValidationError({field: _("不能超过%(n)d个字。") % {"n": limit}}, code="too_long")
    if any(unicodedata.category(char) in ("Cc", "Cf") and char not in "\n\r\t" for char in text):
        raise ValidationError({field: _("含有不可见的控制字符，请删除后重试。")}, code="control_character")
    return text


def clean_version(raw, *, required=False):
    """The version a caller read: an integer (or its digits); anything else is a form error."""
    if raw is None or raw == "":
        if required:
            raise ValidationError({"version": _("请提供读取数据时的版本号。")}, code="required")
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        return int(raw.strip())
    raise ValidationError({"version": _("版本号必须是整数。")}, code="invalid_version")


@dataclass
class Row:
    """One figure somebody wants stored. Values are as typed; `write` validates them all."""

    indicator: Indicator
    district: District
    year: object
    value: object
    note: object = ""
    source: object = ""
    reason: object = ""
    measures: object = ""
    confirm: object = False
    version: object = None
    action: object = Action.SAVE
    key: object = None  # how problems name the row: a row number, an indicator code


@dataclass
class Batch:
    rows: list
    require_version: bool = False  # forms and the API: changing a figure needs the version the caller read
    keep_same: bool = False  # the grid: a draft save leaves a figure that says the same alone, whatever its status
    demo: bool = False
    command: bool = False  # an administrator's command: may store approved figures (as its own user)
    change_reason: str = ""
    reopen_approved: bool = False  # `load_plan --force` only: a command replaces approved figures it loaded


@dataclass
class Problem:
    key: object
    field: str | None
    message: str
    kind: str = "invalid"  # "invalid", "denied" or "conflict"


@dataclass
class Checked:
    """A validated figure, ready to save, and how it differs from what is stored."""

    indicator: Indicator
    district: District
    year: int
    value: Decimal
    status: str
    note: str
    source: str
    reason: str
    measures: str
    confirmed_large_move: bool
    existing: Observation | None
    key: object = None
    action: str = Action.SAVE

    @property
    def same_figure(self):
        """Whether the stored figure already says all this, whatever its status."""
        return self.existing is not None and all(
            getattr(self.existing, name) == getattr(self, name) for name in ("value", *TEXT_FIELDS)
        )

    @property
    def change(self):
        """'new', 'changed' or 'unchanged', as an import preview shows it."""
        if self.existing is None:
            return "new"
        return "unchanged" if self.same_figure and self.existing.status == self.status else "changed"


@dataclass
class Outcome:
    checked: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # the observations written
    problems: list = field(default_factory=list)

    def raise_problems(self):
        """One row's problems as the exception a single-figure door translates (403, 409, 400)."""
        if not self.problems:
            return
        for kind, exception in (("denied", PermissionDenied), ("conflict", Conflict)):
            found = [p for p in self.problems if p.kind == kind]
            if found:
                raise exception(found[0].message)
        errors = defaultdict(list)
        for problem in self.problems:
            errors[problem.field or "__all__"].append(problem.message)
        raise ValidationError(dict(errors))


class _Refused(Exception):
    def __init__(self, field, message, kind="invalid"):
        self.problem = (field, message, kind)


def write(batch: Batch, *, by) -> Outcome:
    """Check every row; store all of them (with history and statuses) or, if any is refused, none."""
    if not batch.rows:
        return Outcome()
    context = Context.load(batch, by)
    outcome = context.check(batch)
    if outcome.problems:
        return outcome
    with guarded():
        outcome.changed = context.save(outcome.checked, batch, by=by)
    return outcome


class guarded:
    """A transaction in which losing a race (unique constraint, locked database, deadlock) is a Conflict."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        try:
            self.atomic.__enter__()  # SQLite's BEGIN IMMEDIATE waits for, and may lose to, another writer
        except OperationalError as lost:
            raise _conflict(lost) from lost

    def __exit__(self, kind, error, traceback):
        try:
            self.atomic.__exit__(kind, error, traceback)
        except (IntegrityError, OperationalError) as lost:
            raise _conflict(lost) from lost
        if isinstance(error, (IntegrityError, OperationalError)):
            raise _conflict(error) from error
        return False


def _conflict(error):
    if isinstance(error, OperationalError) and not re.search(r"lock|deadlock|serializ", str(error), re.I):
        return error
    return Conflict(_("有人同时修改了这项数据，请刷新后再试。"))


class Context:
    """What a batch is checked against, read in a few queries whatever its size."""

    @classmethod
    def load(cls, batch, by):
        self = cls()
        self.by = by
        rows = batch.rows
        self.plan = rows[0].indicator.plan
        if any(row.indicator.plan_id != self.plan.pk for row in rows):
            raise ValueError("one plan per batch")
        indicator_ids = {row.indicator.pk for row in rows}
        district_ids = {row.district.pk for row in rows}
        self.enterable = set(access.enterable_districts(by).filter(pk__in=district_ids).values_list("pk", flat=True))
        self.visible = set(access.visible_districts(by).filter(pk__in=district_ids).values_list("pk", flat=True))
        self.targeted = set(
            Target.objects.filter(indicator_id__in=indicator_ids, district_id__in=district_ids)
            .order_by()
            .values_list("indicator_id", "district_id")
        )
        self.locked = locked_years(indicator_ids)
        # A row names its plan's indicator; the figure is stored on the first indicator of its chain (README,
        # "Figures two plans share"). Checks keep the row's indicator, its plan and targets; stored figures are
        # read, and new ones written, where they live.
        self.storage = statistics({row.indicator for row in rows})
        entered_as = {storage: pk for pk, storage in self.storage.items()}
        self.cells, self.approved = {}, defaultdict(dict)
        stored = (
            Observation.objects.filter(indicator_id__in=list(entered_as), district_id__in=district_ids)
            .select_related("entered_by")
            .order_by()
        )
        for o in stored:
            indicator_id = entered_as[o.indicator_id]
            self.cells[(indicator_id, o.district_id, o.year)] = o
            if o.status == ObservationStatus.APPROVED:
                self.approved[(indicator_id, o.district_id)][o.year] = o.value
        self.years = access.allowed_years(self.plan, by)
        self.may_change_baseline = by.has_perm("figures.change_baseline")
        return self

    def check(self, batch):
        outcome, parsed = Outcome(), []
        seen = {}
        for row in batch.rows:
            try:
                checked = self._check_row(row, batch)
            except ValidationError as error:
                outcome.problems += [
                    Problem(row.key, name, " ".join(messages)) for name, messages in error.message_dict.items()
                ]
                continue
            except _Refused as refused:
                outcome.problems.append(Problem(row.key, *refused.problem))
                continue
            cell = (checked.indicator.pk, checked.district.pk, checked.year)
            if cell in seen:
                if isinstance(seen[cell], int):
                    message = _("与第%(row)d行是同一项数据。") % {"row": seen[cell]}
                else:
                    message = _("与%(other)s是同一项数据。") % {"other": seen[cell]}
                outcome.problems.append(Problem(row.key, "year", message))
                continue
            seen[cell] = row.key
            parsed.append((row, checked))
        # The batch's own figures laid over the approved ones: a file's 2021 row is 2022's previous year.
        overlay = defaultdict(dict)
        for key, years in self.approved.items():
            overlay[key].update(years)
        for _row, checked in parsed:
            overlay[(checked.indicator.pk, checked.district.pk)][checked.year] = checked.value
        own = {(c.indicator.pk, c.district.pk, c.year) for _r, c in parsed}
        for row, checked in parsed:
            for name, message in self._large_move_problems(checked, overlay, own, row.confirm in TRUE):
                outcome.problems.append(Problem(row.key, name, message))
        outcome.problems += self._explanation_problems([(row, c) for row, c in parsed if c.action == Action.SUBMIT])
        outcome.checked = [checked for _row, checked in parsed]
        return outcome

    def _check_row(self, row, batch):
        indicator, district = row.indicator, row.district
        if district.pk not in self.visible:
            raise _Refused("district", _("没有这个地区。"), "denied")
        if district.pk not in self.enterable:
            raise _Refused("district", _("您没有填报该地区数据的权限。"), "denied")
        action = row.action
        allowed = (*Action.ENTERED, Action.APPROVE) if batch.command else Action.ENTERED
        if not isinstance(action, str) or action not in allowed:
            raise ValidationError({"action": _("操作必须是 save 或 submit。")}, code="invalid_action")
        year = self._year(row.year)
        if not district.reports(indicator, self.targeted):
            raise ValidationError(
                {
                    "indicator": _("%(district)s没有“%(name)s”的目标，不填报该指标。")
                    % {"district": district, "name": indicator}
                }
            )
        errors = {}
        try:
            number = parse_number(row.value, percent=indicator.is_rate)
            for message in _range_problems(indicator, number):
                errors.setdefault("value", []).append(message)
        except ValidationError as error:
            errors.update(error.message_dict)
        texts = {}
        for name in TEXT_FIELDS:
            try:
                texts[name] = clean_text(getattr(row, name), name)
            except ValidationError as error:
                errors.update(error.message_dict)
        try:
            version = clean_version(row.version)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        if self.plan.closes(year):
            raise _Refused("year", self.plan.read_only_message, "conflict")
        if year in self.locked[indicator.pk]:
            raise _Refused("year", _("%(year)d年度已锁定，数据不能再修改。") % {"year": year}, "conflict")
        existing = self.cells.get((indicator.pk, district.pk, year))
        checked = Checked(
            indicator=indicator,
            district=district,
            year=year,
            value=number,
            status=Action.STATUS[action],
            confirmed_large_move=row.confirm in TRUE,
            existing=existing,
            key=row.key,
            action=action,
            **texts,
        )
        if existing is not None and checked.change != "unchanged":
            if version is None and batch.require_version or version is not None and version != existing.version:
                raise _Refused("version", version_message(existing), "conflict")
            if existing.status == ObservationStatus.APPROVED and not (batch.command and batch.reopen_approved):
                raise _Refused("value", _("该数据已审核通过，需审核员重新打开后才能修改。"), "conflict")
        return checked

    def _year(self, raw):
        try:
            if isinstance(raw, bool):
                raise ValueError
            year = int(str(raw).strip())
        except (TypeError, ValueError):
            raise ValidationError({"year": _("年份必须是整数。")}, code="invalid_year") from None
        if year == self.plan.base_year and not self.may_change_baseline:
            raise _Refused("year", _("只有审核员可以修改%(year)d年基期数据。") % {"year": year}, "denied")
        if year not in self.years:
            raise ValidationError(
                {
                    "year": _("年份必须在%(first)d至%(last)d年之间。")
                    % {"first": self.years.start, "last": self.years.stop - 1}
                },
                code="invalid_year",
            )
        return year

    def _large_move_problems(self, checked, overlay, own, confirm):
        """A figure far from the latest earlier approved one (or making the following one jump) is usually a
        typing or unit error: it needs confirming, with a note. A running total must not fall."""
        figures = overlay.get((checked.indicator.pk, checked.district.pk), {})
        earlier = [y for y in figures if y < checked.year]
        later = [y for y in figures if y > checked.year]
        if later and (checked.indicator.pk, checked.district.pk, min(later)) in own:
            later = []  # a following year in the batch is checked against this one by its own row
        messages = []
        if earlier:
            year = max(earlier)
            message = _jump_message(checked.indicator, self.plan, year, figures[year], checked.year, checked.value)
            if message:
                messages.append(message)
        if later:
            year = min(later)
            message = _jump_message(
                checked.indicator, self.plan, checked.year, checked.value, year, figures[year], following=True
            )
            if message:
                messages.append(message)
        if not messages:
            return []
        if not confirm:
            return [("confirm", " ".join(messages))]
        if not checked.note:
            return [("note", _("大幅变动需要在说明中写明原因。"))]
        return []

    def _explanation_problems(self, submitted):
        """A submitted figure that leaves its indicator lagging, regressing or short of its final target must say
        why and what will be done. One assessment per year of the batch."""
        problems = []
        by_year = defaultdict(list)
        for row, checked in submitted:
            by_year[checked.year].append((row, checked))
        for year, pairs in by_year.items():
            verdicts = assess(
                self.plan,
                as_of=year,
                indicators=list({c.indicator.pk for _r, c in pairs}),
                districts=list({c.district.pk for _r, c in pairs}),
                candidates={(c.indicator.pk, c.district.pk): {year: c.value} for _r, c in pairs},
            )
            for row, checked in pairs:
                verdict = verdicts.get((checked.indicator.pk, checked.district.pk))
                if verdict is None or verdict.status not in (
                    progress.LAGGING,
                    progress.REGRESSING,
                    progress.NOT_ACHIEVED,
                ):
                    continue
                words = {"status": progress.STATUS_LABELS[verdict.status], "why": verdict.explanation}
                if not checked.reason:
                    message = _("按此数值进度为“%(status)s”（%(why)s），提交时请填写原因分析。") % words
                    problems.append(Problem(row.key, "reason", message))
                if not checked.measures:
                    message = _("按此数值进度为“%(status)s”，提交时请填写整改措施。") % words
                    problems.append(Problem(row.key, "measures", message))
        return problems

    def save(self, checked, batch, *, by):
        """Write what changed: lock the figures it changes, bulk writes with history, statuses refreshed."""
        now = timezone.now()
        writes = [
            c
            for c in checked
            if c.change != "unchanged" and not (batch.keep_same and c.action == Action.SAVE and c.same_figure)
        ]
        existing = [c.existing for c in writes if c.existing is not None]
        lock(existing)
        updated, created, moved = [], [], set()
        for c in writes:
            o = c.existing or Observation(
                indicator_id=self.storage[c.indicator.pk], district=c.district, year=c.year, version=0
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
]


def lock(observations):
    """Lock the stored figures about to change and make sure nobody changed them since they were read.

    Only the figures' own rows are locked (no ordering that would join and lock their indicators or districts).
    """
    if not observations:
        return
    current = dict(
        Observation.objects.select_for_update(of=("self",))
        .filter(pk__in=[o.pk for o in observations])
        .order_by()
        .values_list("pk", "version")
    )
    for o in observations:
        if current.get(o.pk) != o.version:
            raise Conflict(_("有人同时修改了这项数据，请刷新后再试。"))


def save_changes(observations, *, by, change_reason, moved):
    """Store figures changed in place by a review step (already locked with `lock`): version, history, statuses."""
    for o in observations:
        plan = o.indicator.plan
        if plan.closes(o.year):
            raise Conflict(plan.read_only_message)
    for o in observations:
        o.version += 1
    bulk_update_with_history(
        observations, Observation, UPDATED_FIELDS, batch_size=500, default_user=by, default_change_reason=change_reason
    )
    refresh_standings(moved)
    return observations


def refresh_standings(pairs):
    """Upsert the statuses of (indicator id, district id) pairs whose approved figures changed, one plan at a time:
    those of every plan that shows the figures (`standings.pairs_showing`), each under a lock on its plan row."""
    if not pairs:
        return
    by_plan = standings.pairs_showing(pairs)
    for locked in Plan.objects.select_for_update().filter(pk__in=list(by_plan)).order_by("pk"):
        standings.refresh_pairs(locked, by_plan[locked.pk])


def locked_years(indicator_ids):
    """{indicator id: the years in which its figures can no longer change}, the one rule for locks: a year locked
    in a plan locks its figures and, for a figure two plans share, in either plan (README, "Figures two plans
    share"). One query, as many as the plan's own locks took before plans shared figures."""
    found = defaultdict(set)
    if not indicator_ids:
        return found
    table = ReportingYear._meta.db_table
    select = f"SELECT down.asked, r.year FROM down JOIN {table} r ON r.plan_id = down.plan_id WHERE r.locked = %s"
    sql, params = chains_sql(*among(indicator_ids), select)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, True])
        for pk, year in cursor.fetchall():
            found[pk].add(year)
    return found


def version_message(existing):
    return _("该数据已被%(who)s于%(when)s修改为 %(value)s（%(status)s，版本 %(version)d），请刷新后再改。") % {
        "who": existing.entered_by,
        "when": timezone.localtime(existing.entered_at).strftime("%Y-%m-%d %H:%M"),
        "value": existing.value.normalize(),
        "status": existing.get_status_display(),
        "version": existing.version,
    }


def _jump_message(indicator, plan, year, previous, next_year, number, *, following=False):
    """Why going from `previous` (in `year`) to `number` (in `next_year`) needs confirming, or None.

    Over a gap of n years the allowance grows: n times the points for rates, (1 + share)^n - 1 for others."""
    n = next_year - year
    words = {"year": year, "previous": _fmt(previous), "next_year": next_year, "value": _fmt(number)}
    if indicator.cumulative:
        if number >= previous:
            return None
        if following:
            return (
                _(
                    "改为此数后，%(next_year)d年的累计数（%(value)s）将比本年（%(previous)s）少，请确认无误并在说明中写明原因。"
                )
                % words
            )
        return _("累计数不应比上年（%(year)d年：%(previous)s）少，请确认无误并在说明中写明原因。") % words
    if indicator.is_rate:
        limit = plan.large_move_points * n
        large = abs(number - previous) > limit
        words["limit"] = _("%(points)s个百分点") % {"points": _fmt(limit)}
    else:
        share = (1 + plan.large_move_share) ** n - 1
        large = previous != 0 and abs(number - previous) / previous > share
        words["limit"] = f"{_fmt(round(share * 100, 2))}%"
    if not large:
        return None
    if following:
        return (
            _(
                "改为此数后，%(next_year)d年的数值（%(value)s）与本年相比变动超过%(limit)s，请确认无误并在说明中写明原因。"
            )
            % words
        )
    return _("与上年（%(year)d年：%(previous)s）相比变动超过%(limit)s，请确认无误并在说明中写明原因。") % words


def _range_problems(indicator, number):
    if number < 0:
        yield _("%(name)s不能为负数。") % {"name": indicator.name}
        return
    if indicator.whole_number and number != number.to_integral_value():
        yield _("%(name)s是计数，必须是整数。") % {"name": indicator.name}
    low, high = indicator.min_value, indicator.max_value
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{_fmt(low) if low is not None else '-∞'}～{_fmt(high) if high is not None else '+∞'}"
        yield _("%(name)s的数值 %(value)s 超出合理范围 %(bounds)s%(unit)s，请检查单位。") % {
            "name": indicator.name,
            "value": _fmt(number),
            "bounds": bounds,
            "unit": indicator.unit,
        }


def _fmt(number):
    return format(Decimal(number).normalize(), "f")


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


def _rows_of_table(plan, rows, action):
    """(row number, {column: value}) of a long-format table as Rows, with the problems of unknown codes."""
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
    districts = {}
    for district in District.objects.all():
        for key in (district.code, district.name, district.short_name):
            districts[key] = district
    result, problems = [], []
    for number, row in rows:
        indicator = indicators.get(str(row.get("indicator") or "").strip())
        district = districts.get(str(row.get("district") or "").strip())
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


def _table_batch(plan, rows, by, action):
    table, problems = _rows_of_table(plan, rows, action)
    command = action == Action.APPROVE
    batch = Batch(table, command=command, change_reason=_("导入") if command else "")
    return batch, problems


def _rejected(problems):
    return ImportRejected([(p.key, p.field or "district", p.message) for p in problems])


def check_rows(*, plan, rows, by, action=Action.APPROVE):
    """Check every (row number, {column: value}) of a long-format table; the Checked rows or ImportRejected.

    `action=approve` is the administrator's import (`import_values`) only."""
    batch, problems = _table_batch(plan, rows, by, action)
    checked = []
    if batch.rows:
        outcome = Context.load(batch, by).check(batch)
        problems, checked = problems + outcome.problems, outcome.checked
    if problems:
        raise _rejected(sorted(problems, key=_row_order))
    return checked


def _row_order(problem):
    return (problem.key if isinstance(problem.key, int) else 0, problem.field or "")


def import_rows(*, plan, rows, by, action=Action.APPROVE):
    """Store a whole table of figures in one transaction, or nothing. Returns the checked rows."""
    batch, problems = _table_batch(plan, rows, by, action)
    if problems:
        check_rows(plan=plan, rows=rows, by=by, action=action)  # raises, naming every row's problems
    outcome = write(batch, by=by)
    if outcome.problems:
        raise _rejected(outcome.problems)
    return outcome.checked
