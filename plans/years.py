"""How a year in a request (`?year=`) is read, for every page and API."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
