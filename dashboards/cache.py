"""What the read pages compute (verdict rows, counts, chart data), cached; never whole responses, which carry
CSRF tokens, the user's name and messages.

Keys hold the data version (figures.models.DataVersion, bumped inside every write transaction), the plan, the
as-of year, the districts the user may see and the language, so any cache backend on any app server is safe.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language

from figures.models import DataVersion

TIMEOUT = 3600


def data_version():
    """Read once per request and handed to `cached`: one query."""
    return DataVersion.current()


def cached(name, compute, *, version, plan, as_of=None, districts=(), extra=()):
    """`compute()`'s value for these inputs as of the data `version`, computed once per version."""
    seen = ",".join(str(getattr(d, "pk", d)) for d in sorted(districts, key=lambda d: getattr(d, "pk", d)))
    parts = [name, version, plan.pk, as_of, hashlib.sha1(seen.encode()).hexdigest(), get_language()]
    key = "planboard:" + ":".join(str(part) for part in [*parts, *extra])
    return cache.get_or_set(key, compute, TIMEOUT)
