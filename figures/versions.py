"""The data versions as a request reads them, and what every page needs that moves only with them.

Every page shows the plans (its own, and the header's plan switcher) and whether demo figures are mixed in (the
演示数据 banner), and a province-wide reader's pages list every district. Read from the database on each request,
they were three of a cached page's seven queries, and under load each query costs the app server and the database
about a millisecond. They change only when a data version moves (DataVersion), so they are read once per version,
from the cache every worker shares; the versions themselves are one query per request.
"""

from dataclasses import dataclass

from django.core.cache import cache

from figures.models import DataVersion, Observation
from plans.models import District, Plan

TIMEOUT = 3600
SAFE_METHODS = ("GET", "HEAD")


def _once_per_request(request, name, read):
    """`read()`, remembered on a request that only reads; read afresh on every call for one that writes, whose own
    write moves the versions."""
    if request.method not in SAFE_METHODS:
        return read()
    attribute = f"_planboard_{name}"
    if not hasattr(request, attribute):
        setattr(request, attribute, read())
    return getattr(request, attribute)


def of_request(request):
    """{row: key part} of every DataVersion row, as of the request (one query)."""
    return _once_per_request(request, "data_versions", DataVersion.current_rows)


def _key(name, versions):
    return f"planboard:{name}:" + ":".join(versions[row] for row in DataVersion.ROWS)


@dataclass
class PageBasics:
    plans: list  # every plan, the current one first, each knowing whether it is read-only
    demo_present: bool

    @classmethod
    def read(cls):
        plans = list(Plan.objects.current_first().with_read_only())
        return cls(plans=plans, demo_present=Observation.objects.filter(is_demo=True).exists())


def page_basics(request):
    """The plans and the demo flag as of the request's data versions."""

    def read():
        return cache.get_or_set(_key("page-basics", of_request(request)), PageBasics.read, TIMEOUT)

    return _once_per_request(request, "page_basics", read)


def every_district(request, fields):
    """Every district's `fields`, as named rows in the districts' order, as of the request's data versions: what a
    province-wide reader's pages list (1,000 rows on a national plan)."""

    def read():
        return list(District.objects.values_list(*fields, named=True))

    return cache.get_or_set(_key("every-district:" + ",".join(fields), of_request(request)), read, TIMEOUT)
