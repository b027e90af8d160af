"""Which year a page shows: the one a request names (`?year=`), or the default every page, the API and the exports
start from."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def this_year():
    """The current year, in the site's time zone: the last year figures may be entered for, and the latest
    as-of year a page starts from."""
    return timezone.localdate().year


def parse_year(raw, years, *, default):
    """The year `raw` names among `years`, or `default` when it names none; ValidationError naming `year` otherwise.

    Pages answer such an error with 404 (`plans.shortcuts.year_or_404`), the API with 400.
    """
    if raw in (None, ""):
        return default
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = None
    if year not in years:
        message = _("年份须为%(start)s至%(end)s之间的整数。") % {"start": min(years), "end": max(years)}
        raise ValidationError({"year": [message]})
    return year


def default_as_of(
    *,
    base_year: int,
    target_year: int,
    current_year: int,
    approved_pairs_by_year: dict[int, int],
    pair_count: int,
) -> int:
    """The as-of year a page shows when nobody asks for one.

    `approved_pairs_by_year` counts, per year, the plan's (indicator, district) pairs with targets
    that have an approved figure that year; `pair_count` is how many such pairs there are. The
    latest year after the base year, up to the target year and the current year, in which at least
    half of the pairs report; the latest year with a single report falls short of that, because
    one early district's figures would show every other district as stale. Failing that, the latest
    such year with any approved figure, and with none at all the first plan year.
    """
    candidates = range(min(target_year, current_year), base_year, -1)
    for year in candidates:
        reported = approved_pairs_by_year.get(year, 0)
        if reported > 0 and 2 * reported >= pair_count:
            return year
    for year in candidates:
        if approved_pairs_by_year.get(year, 0) > 0:
            return year
    return base_year + 1
