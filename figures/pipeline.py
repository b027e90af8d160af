"""Writing figures. Forms, the Excel upload, `import_values` and the API all come through here.

`check_value` validates one figure and the user's right to write it without touching the database;
`record_value` checks and saves it, keeping who, when, the old value and the new one in the history.
"""

import math
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from figures import access, standings
from figures.assessments import assess
from figures.models import Observation, ObservationStatus, ReportingYear
from plans import progress
from plans.models import District, Indicator


class Conflict(Exception):
    """The figure cannot change now: its year is locked, or someone else changed it first (HTTP 409)."""


class Action:
    SAVE, SUBMIT, APPROVE = "save", "submit", "approve"
    STATUS = {SAVE: ObservationStatus.DRAFT, SUBMIT: ObservationStatus.SUBMITTED, APPROVE: ObservationStatus.APPROVED}


MAX_DECIMALS = 4


def parse_number(raw, field="value"):
    """Read a number as people type it: '98.5', '98.5%', '９８．５', '1,234.5', with spaces around."""
    if isinstance(raw, bool):
        raise ValidationError({field: _("请输入数字。")}, code="not_a_number")
    if isinstance(raw, (int, float, Decimal)):
        text = str(raw)
    else:
        # NFKC turns full-width digits, points and percent signs into their ASCII forms.
        text = unicodedata.normalize("NFKC", str(raw or "")).strip().replace(",", "").replace("，", "")
        text = text.removesuffix("%").strip()
    if not text:
        raise ValidationError({field: _("请填写数值。")}, code="required")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError({field: _("“%(raw)s”不是数字。") % {"raw": raw}}, code="not_a_number") from None
    if not number.is_finite() or (isinstance(raw, float) and not math.isfinite(raw)):
        raise ValidationError({field: _("数值必须是有限的数字。")}, code="not_finite")
    if -number.as_tuple().exponent > MAX_DECIMALS and number != number.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        raise ValidationError({field: _("最多保留%(n)d位小数。") % {"n": MAX_DECIMALS}}, code="too_precise")
    return number


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

    @property
    def same_figure(self):
        """Whether the stored figure already says all this, whatever its status."""
        return self.existing is not None and all(
            getattr(self.existing, name) == getattr(self, name)
            for name in ("value", "note", "source", "reason", "measures")
        )

    @property
    def change(self):
        """'new', 'changed' or 'unchanged', as an import preview shows it."""
        if self.existing is None:
            return "new"
        return "unchanged" if self.same_figure and self.existing.status == self.status else "changed"


def check_value(
    *,
    indicator,
    district,
    year,
    value,
    by,
    note="",
    source="",
    action=Action.SAVE,
    version=None,
    confirm=False,
    reason="",
    measures="",
    for_update=False,
    require_version=False,
):
    """Validate one figure for `by`. Raises ValidationError (a dict naming the field), PermissionDenied,
    Http404 (a district the user may not see) or Conflict. Reads, never writes; `for_update` locks the
    stored figure until the caller's transaction ends. With `require_version`, changing a stored figure
    needs the version the caller read (forms and the API), so nobody overwrites a change they never saw."""
    if not access.can_see(by, district):
        raise Http404(_("没有这个地区。"))
    if not access.can_enter(by, district):
        raise PermissionDenied(_("您没有填报该地区数据的权限。"))
    if action not in Action.STATUS:
        raise ValidationError({"action": _("操作必须是 save、submit 或 approve。")}, code="invalid_action")
    if action == Action.APPROVE and not by.has_perm("figures.review_observation"):
        raise PermissionDenied(_("只有审核员可以审核通过数据。"))
    plan = indicator.plan
    year = _check_year(plan, by, year)
    number = parse_number(value)
    errors = {}
    for message in _range_problems(indicator, number):
        errors.setdefault("value", []).append(message)
    if errors:
        raise ValidationError(errors)
    check_unlocked(plan, year)
    stored = Observation.objects.filter(indicator=indicator, district=district, year=year)
    existing = (stored.select_for_update() if for_update else stored).first()
    if existing is not None:
        check_version(existing, version, required=require_version)
        if existing.status == ObservationStatus.APPROVED and not by.has_perm("figures.review_observation"):
            raise Conflict(_("该数据已审核通过，需审核员重新打开后才能修改。"))
    note = (note or "").strip()
    confirm = confirm in (True, "1", 1, "true", "True", "yes", "是", "Y", "y")
    _check_large_move(indicator, district, year, number, confirm, note)
    reason, measures = (reason or "").strip(), (measures or "").strip()
    if action == Action.SUBMIT:
        _check_explained(indicator, district, year, number, reason, measures)
    return Checked(
        indicator=indicator,
        district=district,
        year=year,
        value=number,
        status=Action.STATUS[action],
        note=note,
        source=(source or "").strip(),
        reason=reason,
        measures=measures,
        confirmed_large_move=bool(confirm),
        existing=existing,
    )


def check_unlocked(plan, year):
    if ReportingYear.objects.filter(plan=plan, year=year, locked=True).exists():
        raise Conflict(_("%(year)d年度已锁定，数据不能再修改。") % {"year": year})


def check_version(existing, version, *, required=False):
    """Optimistic locking: refuse a write based on an older version, showing the change it would overwrite."""
    if version in (None, "") and not required:
        return
    try:
        same = int(version) == existing.version
    except (TypeError, ValueError):
        same = False
    if not same:
        raise Conflict(
            _("该数据已被%(who)s于%(when)s修改为 %(value)s（%(status)s，版本 %(version)d），请刷新后再改。")
            % {
                "who": existing.entered_by,
                "when": timezone.localtime(existing.entered_at).strftime("%Y-%m-%d %H:%M"),
                "value": existing.value.normalize(),
                "status": existing.get_status_display(),
                "version": existing.version,
            }
        )


def _check_explained(indicator, district, year, number, reason, measures):
    """A submitted figure that leaves its indicator lagging, regressing or short of its final target must say
    why and what will be done."""
    key = (indicator.pk, district.pk)
    assessment = assess(
        indicator.plan, as_of=year, indicators=[indicator], districts=[district], candidates={key: {year: number}}
    ).get(key)
    if assessment is None or assessment.status not in (progress.LAGGING, progress.REGRESSING, progress.NOT_ACHIEVED):
        return
    words = {"status": progress.STATUS_LABELS[assessment.status], "why": assessment.explanation}
    errors = {}
    if not reason:
        errors["reason"] = _("按此数值进度为“%(status)s”（%(why)s），提交时请填写原因分析。") % words
    if not measures:
        errors["measures"] = _("按此数值进度为“%(status)s”，提交时请填写整改措施。") % words
    if errors:
        raise ValidationError(errors, code="needs_explanation")


def _check_year(plan, user, year):
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": _("年份必须是整数。")}, code="invalid_year") from None
    if year == plan.base_year and not user.has_perm("figures.change_baseline"):
        raise PermissionDenied(_("只有审核员可以修改%(year)d年基期数据。") % {"year": year})
    years = access.allowed_years(plan, user)
    if year not in years:
        raise ValidationError(
            {"year": _("年份必须在%(first)d至%(last)d年之间。") % {"first": years.start, "last": years.stop - 1}},
            code="invalid_year",
        )
    return year


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


def _check_large_move(indicator, district, year, number, confirm, note):
    """A yearly figure far from last year's is usually a typing or unit error: ask to confirm it.

    A running total (cumulative count) that falls is as suspicious: what was built does not disappear.
    """
    previous = (
        Observation.objects.filter(indicator=indicator, district=district, year=year - 1)
        .values_list("value", flat=True)
        .first()
    )
    if previous is None:
        return
    plan = indicator.plan
    words = {"year": year - 1, "previous": _fmt(previous)}
    if indicator.cumulative:
        if number >= previous:
            return
        message = _("累计数不应比上年（%(year)d年：%(previous)s）少，请确认无误并在说明中写明原因。") % words
    else:
        if indicator.is_rate:
            large = abs(number - previous) > plan.large_move_points
            words["limit"] = _("%(points)s个百分点") % {"points": _fmt(plan.large_move_points)}
        else:
            large = previous != 0 and abs(number - previous) / previous > plan.large_move_share
            words["limit"] = f"{_fmt(plan.large_move_share * 100)}%"
        if not large:
            return
        message = _("与上年（%(year)d年：%(previous)s）相比变动超过%(limit)s，请确认无误并在说明中写明原因。") % words
    if not confirm:
        raise ValidationError({"confirm": message}, code="large_move")
    if not note:
        raise ValidationError({"note": _("大幅变动需要在说明中写明原因。")}, code="large_move_note")


def _fmt(number):
    return format(Decimal(number).normalize(), "f")


def record_value(*, by, demo=False, **fields):
    """Check a figure and store it; returns the observation (unchanged figures are not written again)."""
    with transaction.atomic():
        checked = check_value(by=by, for_update=True, **fields)
        return save_checked(checked, by=by, demo=demo)


def save_checked(checked, *, by, demo=False, refresh=True):
    """Write a figure that `check_value` accepted. Call inside a transaction.

    With refresh=False the caller refreshes the standings of what it wrote itself, once for many figures.
    """
    if checked.change == "unchanged":
        return checked.existing
    was_approved = checked.existing is not None and checked.existing.status == ObservationStatus.APPROVED
    now = timezone.now()
    observation = checked.existing or Observation(
        indicator=checked.indicator, district=checked.district, year=checked.year, version=0
    )
    for name in ("value", "status", "note", "source", "reason", "measures", "confirmed_large_move"):
        setattr(observation, name, getattr(checked, name))
    observation.is_demo = demo
    observation.version += 1
    observation.entered_by, observation.entered_at = by, now
    if checked.status == ObservationStatus.APPROVED:
        observation.approved_by, observation.approved_at = by, now
    else:
        observation.approved_by, observation.approved_at = None, None
    observation._history_user = by
    observation.save()
    if refresh:
        refresh_standings(observation, was_approved)
    return observation


def refresh_standings(observation, was_approved):
    """Only approved figures count towards progress, so only they move the precomputed statuses."""
    if was_approved or observation.status == ObservationStatus.APPROVED:
        standings.refresh_observation(observation)


class ImportRejected(Exception):
    """A file with bad rows: nothing was stored. `errors` are (row number, column, message)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def check_rows(*, plan, rows, by, action=Action.APPROVE):
    """Check every (row number, {column: value}) of a long-format table; all rows or ImportRejected."""
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
    districts = {}
    for district in District.objects.all():
        for key in (district.code, district.name, district.short_name):
            districts[key] = district
    checked, errors, seen = [], [], {}
    for number, row in rows:
        indicator = indicators.get(str(row.get("indicator") or "").strip())
        district = districts.get(str(row.get("district") or "").strip())
        if indicator is None:
            errors.append((number, "indicator", _("没有指标“%(code)s”。") % {"code": row.get("indicator")}))
        if district is None:
            errors.append((number, "district", _("没有地区“%(code)s”。") % {"code": row.get("district")}))
        if indicator is None or district is None:
            continue
        cell = (indicator.code, district.code, str(row.get("year")).strip())
        if cell in seen:
            errors.append((number, "year", _("与第%(row)d行是同一项数据。") % {"row": seen[cell]}))
            continue
        seen[cell] = number
        try:
            checked.append(
                check_value(
                    indicator=indicator,
                    district=district,
                    year=row.get("year"),
                    value=row.get("value"),
                    by=by,
                    note=row.get("note") or "",
                    source=row.get("source") or "",
                    action=action,
                    confirm=row.get("confirm") or False,
                    reason=row.get("reason") or "",
                    measures=row.get("measures") or "",
                    version=row.get("version"),
                )
            )
        except ValidationError as error:
            errors.extend((number, name, " ".join(messages)) for name, messages in error.message_dict.items())
        except (PermissionDenied, Http404, Conflict) as error:
            errors.append((number, "district", str(error)))
    if errors:
        raise ImportRejected(errors)
    return checked


def import_rows(*, plan, rows, by, action=Action.APPROVE):
    """Store a whole table of figures in one transaction, or nothing. Returns the checked rows."""
    with transaction.atomic():
        checked = check_rows(plan=plan, rows=rows, by=by, action=action)
        for row in checked:
            save_checked(row, by=by, refresh=False)
        if checked:
            indicators = {row.indicator.pk for row in checked}
            standings.refresh(plan, indicators=indicators, districts={row.district.pk for row in checked})
    return checked


def record_values(*, rows, by, action):
    """Check and store the figures of one entry grid, all or none.

    `rows` are (row key, {check_value's arguments}); returns the stored observations or raises
    ImportRejected with (row key, field or None, message). Saving a draft leaves figures that did not
    change alone, so saving a grid never pulls back what was already submitted.
    """
    with transaction.atomic():
        checked, errors = [], []
        for key, fields in rows:
            try:
                checked.append(check_value(by=by, action=action, for_update=True, require_version=True, **fields))
            except ValidationError as error:
                errors.extend((key, name, " ".join(messages)) for name, messages in error.message_dict.items())
            except (PermissionDenied, Http404, Conflict) as error:
                errors.append((key, None, str(error)))
        if errors:
            raise ImportRejected(errors)
        return [save_checked(row, by=by) for row in checked if not (action == Action.SAVE and row.same_figure)]
