"""How planboard stores a number: figures, targets, baselines (figures of the base year) and an indicator's bounds.

SQLite keeps a decimal column as a float, exact to 15 significant digits, so every such column has 15 digits, 4
of them after the point: whatever a door accepts (below `LIMIT`, at most `DECIMALS` decimals) comes back from
either database exactly as it went in. The doors (figures.pipeline_rows.parse_number, the plan workbook, the admin's
forms) refuse anything larger, naming the field.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

DIGITS = 15
DECIMALS = 4
# The first number the columns cannot hold: 10^11 (100 billion), far beyond any figure of a province's education.
LIMIT = Decimal(10) ** (DIGITS - DECIMALS)


def number_field(verbose_name, **options):
    """A decimal column of the plan or its figures."""
    return models.DecimalField(verbose_name, max_digits=DIGITS, decimal_places=DECIMALS, **options)


def within_limit(name):
    """The condition of a CheckConstraint keeping `name` inside what the column holds exactly (SQLite does not
    enforce max_digits itself)."""
    limit = int(LIMIT)
    return Q(**{f"{name}__lt": limit, f"{name}__gt": -limit}) | Q(**{f"{name}__isnull": True})
