"""The write pipeline's checks: what a batch is checked against, loaded in a few queries, and every row's rules
(permissions, year, range, text, version, approved figures, large moves, the plan's rules between indicators
(`figures.validation`), explanations). Nothing here writes."""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from figures import access, validation
from figures.assessments import assess
from figures.locks import locked_message, locked_years
from figures.models import Observation, ObservationStatus
from figures.pipeline_rows import (
    TEXT_FIELDS,
    TRUE,
    Action,
    Checked,
    Outcome,
    Problem,
    _Refused,
    clean_text,
    clean_version,
    parse_number,
)
from plans import progress
from plans.chains import statistics
from plans.models import RuleWeight, Target


class Context:
    """What a batch is checked against, read in a few queries whatever its size."""

    @classmethod
    def load(cls, batch, by, *, for_update=False):
        """`for_update`: in the writing transaction, after `pipeline.lock_plans`, the stored figures read are
        locked (in a stable order) until it commits."""
        self = cls()
        self.by = by
        rows = batch.rows
        self.plan = rows[0].indicator.plan
        if for_update:
            vars(self.plan).pop("final_year_locked", None)  # whether it is closed (Plan.closes) is read under the lock
        if any(row.indicator.plan_id != self.plan.pk for row in rows):
            raise ValueError("one plan per batch")
        indicator_ids = {row.indicator.pk for row in rows}
        district_ids = {row.district.pk for row in rows}
        loads_plan = batch.command and batch.plan_data and by.has_perm("plans.load_plan")
        if loads_plan:
            self.enterable = self.visible = district_ids
        else:
            self.enterable = set(
                access.enterable_districts(by).filter(pk__in=district_ids).values_list("pk", flat=True)
            )
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
        if for_update:
            stored = stored.select_for_update(of=("self",)).order_by("pk")
        for o in stored:
            indicator_id = entered_as[o.indicator_id]
            self.cells[(indicator_id, o.district_id, o.year)] = o
            if o.status == ObservationStatus.APPROVED:
                self.approved[(indicator_id, o.district_id)][o.year] = o.value
        self.rules = validation.rules_of(self.plan)
        self.may_change_baseline = loads_plan or by.has_perm("figures.change_baseline")
        self.years = (
            range(self.plan.base_year, self.plan.base_year + 1) if loads_plan else access.allowed_years(self.plan, by)
        )
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
                # A row number, or (sheet, row number) in an uploaded file, where a figure twice is on one sheet.
                other = seen[cell][-1] if isinstance(seen[cell], tuple) else seen[cell]
                if isinstance(other, int):
                    message = _("与第%(row)d行是同一项数据。") % {"row": other}
                else:
                    message = _("与%(other)s是同一项数据。") % {"other": other}
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
        # What a figure must be confirmed for (with a note): a large move, a 需确认 rule between indicators broken.
        moves = {id(c): self._large_move_messages(c, overlay, own) for _r, c in parsed}
        broken = defaultdict(list)
        for breach, members in validation.batch_breaches(self.rules, [c for _r, c in parsed], self.cells):
            for checked in members:
                if breach.rule.weight == RuleWeight.CONFIRM:
                    broken[id(checked)].append(
                        _("%(breach)s请确认无误并在说明中写明原因。") % {"breach": breach.message}
                    )
                else:
                    checked.warnings.append(breach)
        for row, checked in parsed:
            problem = _confirmation_problem(moves[id(checked)], broken[id(checked)], row.confirm in TRUE, checked)
            if problem:
                outcome.problems.append(Problem(row.key, *problem))
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
        if year in self.locked[indicator.pk] and not (batch.command and year in batch.locked_years_ok):
            raise _Refused("year", locked_message(year), "conflict")
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
            if existing.status == ObservationStatus.CITY_APPROVED and not batch.command:
                raise _Refused("value", _("该数据已通过市级审核，需审核员退回后才能修改。"), "conflict")
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

    def _large_move_messages(self, checked, overlay, own):
        """Why a figure needs confirming for its move: far from the latest earlier approved one (or making the
        following one jump) is usually a typing or unit error. A running total must not fall."""
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
        return messages

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


def _confirmation_problem(moves, breaches, confirm, checked):
    """(field, message) when a figure with a large move or a broken 需确认 rule is not confirmed with a note."""
    if not moves and not breaches:
        return None
    if not confirm:
        return ("confirm", " ".join(moves + breaches))
    if not checked.note:
        return (
            "note",
            _("大幅变动需要在说明中写明原因。") if moves else _("不符合校验规则的数据需要在说明中写明原因。"),
        )
    return None


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
    # Most figures pass: the message's words are formatted only for the few that do not.
    if indicator.cumulative:
        if number >= previous:
            return None
    else:
        change = indicator.change(previous, number)
        limit = plan.large_move_points * n if indicator.is_rate else (1 + plan.large_move_share) ** n - 1
        if change is None or abs(change) <= limit:
            return None
    words = {"year": year, "previous": _fmt(previous), "next_year": next_year, "value": _fmt(number)}
    if indicator.cumulative:
        if following:
            return (
                _(
                    "改为此数后，%(next_year)d年的累计数（%(value)s）将比本年（%(previous)s）少，请确认无误并在说明中写明原因。"
                )
                % words
            )
        return _("累计数不应比上年（%(year)d年：%(previous)s）少，请确认无误并在说明中写明原因。") % words
    if indicator.is_rate:
        words["limit"] = _("%(points)s个百分点") % {"points": _fmt(limit)}
    else:
        words["limit"] = f"{_fmt(round(limit * 100, 2))}%"
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
