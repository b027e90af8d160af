"""What the read pages compute (verdict rows, counts, chart data), cached; never whole responses, which carry
CSRF tokens, the user's name and messages.

Keys hold the data version (figures.models.DataVersion, bumped inside every write transaction), the plan, the
as-of year, the districts the user may see and the language, so any cache backend on any app server is safe.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import get_language

from figures import versions
from figures.models import DataVersion

TIMEOUT = 3600


def data_version(request=None):
    """The data version of what the read pages show (row 1, which every change to figures, targets, plans and
    districts moves), handed to `cached`: the request's (figures.versions, one query per request for every
    version), or without a request read now."""
    return versions.of_request(request)[1] if request is not None else DataVersion.current()


def key(name, *, version, plan, as_of=None, districts=(), extra=()):
    """The cache key of what `name` shows for these inputs as of the data `version`.

    Pages also hand it to `{% cache %}` around their longest tables: rendering a plan's rows costs more than
    computing them, and the rows hold nothing of the user's own beyond the districts he may see."""
    seen = ",".join(str(getattr(d, "pk", d)) for d in sorted(districts, key=lambda d: getattr(d, "pk", d)))
    parts = [name, version, plan.pk, as_of, hashlib.sha1(seen.encode()).hexdigest(), get_language()]
    return "planboard:" + ":".join(str(part) for part in [*parts, *extra])


def cached(name, compute, **inputs):
    """`compute()`'s value for these inputs as of the data `version`, computed once per version."""
    return cache.get_or_set(key(name, **inputs), compute, TIMEOUT)
