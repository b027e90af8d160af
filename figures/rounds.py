"""The reporting round of a plan's year: a province reviewer opens the year for reporting with a deadline (a
date), which may move later. Entry stays open after the deadline until the year is locked; a figure first
submitted after it is marked late (`Observation.late`, set by the write pipeline), never refused for it.

The round is stored on the year's ReportingYear row, whose history keeps every opening and move with who and when.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from figures.models import DataVersion, Observation, ReportingYear

# How far after its year a round's deadline may lie: figures of 2025 are due in 2026, two years is generous.
LATEST_YEARS_AFTER = 2


def today():
    """The date deadlines are compared with, in the site's time zone (tests move it)."""
    return timezone.localdate()


def deadlines(plan, years):
    """{year: deadline} of the plan's open rounds among `years`; one query, none for no years."""
    if not years:
        return {}
    rows = ReportingYear.objects.filter(plan=plan, year__in=list(years), deadline__isnull=False)
    return dict(rows.values_list("year", "deadline"))


def is_late(deadline):
    """Whether a figure first submitted now is late for `deadline` (None: no round, never late)."""
    return deadline is not None and today() > deadline


def days_left(deadline):
    """Days from today to the deadline: 0 on the day itself, negative once it has passed."""
    return (deadline - today()).days


def open_rounds(plan):
    """The plan's years open for reporting (a deadline, not locked), oldest first."""
    return list(ReportingYear.objects.filter(plan=plan, deadline__isnull=False, locked=False).order_by("year"))


def parse_deadline(raw, year):
    """A deadline as typed (2026-03-31) for the figures of `year`: a date from 1 January of that year to the end of
    the LATEST_YEARS_AFTER-th year after it; anything else is a form error."""
    if isinstance(raw, datetime.date):
        deadline = raw
    else:
        try:
            deadline = datetime.date.fromisoformat(str(raw or "").strip())
        except ValueError:
            raise ValidationError(
                {"deadline": _("“%(raw)s”不是日期，请按 2026-03-31 的格式填写。") % {"raw": raw or ""}},
                code="invalid_date",
            ) from None
    first, last = datetime.date(year, 1, 1), datetime.date(year + LATEST_YEARS_AFTER, 12, 31)
    if not first <= deadline <= last:
        raise ValidationError(
            {
                "deadline": _("%(year)d年数据的截止日期须在%(first)s至%(last)s之间。")
                % {"year": year, "first": first.isoformat(), "last": last.isoformat()}
            },
            code="out_of_range",
        )
    return deadline


def open_round(*, plan, year, deadline, by):
    """Open `year` for reporting with `deadline`, or move the deadline of an open round. Recorded with who and when
    (ReportingYear's history keeps the earlier deadlines).

    Refused: users who do not lock years (province reviewers), years outside the plan or locked, dates that are
    not dates or out of range, and a deadline in the past once figures of the year have been marked against one."""
    if not by.has_perm("figures.lock_year"):
        raise PermissionDenied(_("只有省级审核员可以开启填报或修改截止日期。"))
    if not isinstance(year, int) or not plan.base_year < year <= plan.target_year:
        raise ValidationError(
            {
                "year": _("年份必须在%(first)d至%(last)d年之间。")
                % {"first": plan.base_year + 1, "last": plan.target_year}
            },
            code="invalid_year",
        )
    deadline = parse_deadline(deadline, year)
    with transaction.atomic():
        reporting_year, _created = ReportingYear.objects.select_for_update().get_or_create(plan=plan, year=year)
        if reporting_year.locked:
            raise ValidationError({"year": _("%(year)d年度已锁定，不能再开启填报。") % {"year": year}}, code="locked")
        marked = Observation.objects.shown_in(plan).filter(year=year, submitted_at__isnull=False)
        if deadline < today() and deadline != reporting_year.deadline and marked.exists():
            raise ValidationError(
                {
                    "deadline": _("已有数据按截止日期标记了是否逾期，截止日期不能改到今天（%(today)s）之前。")
                    % {"today": today().isoformat()}
                },
                code="in_the_past",
            )
        reporting_year.deadline = deadline
        reporting_year.opened_by, reporting_year.opened_at = by, timezone.now()
        reporting_year._history_user = by  # who, in the history, whether or not a request is behind it (load_demo)
        reporting_year.save()
        DataVersion.bump(DataVersion.WORK)
        return reporting_year


def history(plan):
    """Every opening and deadline move of the plan's rounds, newest first, with who and when (one query)."""
    records = (
        ReportingYear.history.filter(plan=plan, deadline__isnull=False)
        .select_related("history_user")
        .order_by("year", "history_date", "history_id")
    )
    shown, previous = [], {}
    for record in records:
        if record.deadline != previous.get(record.year):
            shown.append(record)
        previous[record.year] = record.deadline
    return sorted(shown, key=lambda r: r.history_date, reverse=True)


def deadline_words(deadline):
    """ " 截止日期：2027-03-31（还有 12 天）", as the template's title and the pages say it."""
    days = days_left(deadline)
    if days > 0:
        left = _("还有 %(n)d 天") % {"n": days}
    elif days == 0:
        left = _("今天截止")
    else:
        left = _("已过截止日期 %(n)d 天") % {"n": -days}
    return _(" 截止日期：%(date)s（%(left)s）") % {"date": deadline.isoformat(), "left": left}
