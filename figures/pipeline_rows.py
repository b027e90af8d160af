"""What a batch of figures is made of, and how a row's fields are read (the write pipeline's vocabulary).

`figures.pipeline` is the door everyone uses and re-exports these names; the checks are in
`figures.pipeline_checks`.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from figures.models import Observation, ObservationStatus
from plans import numbers
from plans import text as plain_text
from plans.models import District, Indicator


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


# What the columns hold exactly on either database (plans.numbers).
MAX_DECIMALS = numbers.DECIMALS
LIMIT = numbers.LIMIT
TEXT_LIMITS = {"note": 2000, "source": 200, "reason": 2000, "measures": 2000, "comment": 2000}
TEXT_FIELDS = ("note", "source", "reason", "measures")
# ASCII and full-width digits, points, separators, signs and percent signs; nothing else is a number here.
NUMBER_CHARS = set("0123456789.,%+- ") | set("０１２３４５６７８９．，％＋－\u3000\u00a0")
NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
TRUE = (True, 1, "1", "true", "True", "on", "yes", "是", "Y", "y")


def parse_number(raw, field="value", *, percent=True):
    """Read a number as people type it: '98.5', '98.5%', '９８．５', '1,234.5', with spaces around.

    Refused: spaces inside ('1 5'), other scripts' digits, separators not in groups of three, '_', exponents, a
    percent sign where `percent` is False, and anything of 10^11 or more (plans.numbers.LIMIT)."""
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
        # NFKC turns full-width digits, points, commas, percent signs and spaces into their ASCII forms.
        text = unicodedata.normalize("NFKC", text)
        if text.endswith("%"):
            if not percent:
                raise ValidationError({field: _("该指标不是百分比，请去掉“%”。")}, code="not_a_percentage")
            text = text[:-1].rstrip()
        if " " in text:
            # "1 5" is a typing slip, not 15.
            message = _("“%(raw)s”中有空格：数字中间不能有空格。") % {"raw": raw}
            raise ValidationError({field: message}, code="space_in_number")
        if not NUMBER.match(text):
            raise ValidationError({field: _("“%(raw)s”不是数字。") % {"raw": raw}}, code="not_a_number")
        number = Decimal(text.replace(",", ""))
    if not number.is_finite():
        raise ValidationError({field: _("数值必须是有限的数字。")}, code="not_finite")
    if abs(number) >= LIMIT:
        message = _("数值过大，必须小于 %(limit)s（10 的 %(power)d 次方）。")
        words = {"limit": f"{LIMIT:f}", "power": numbers.DIGITS - numbers.DECIMALS}
        raise ValidationError({field: message % words}, code="too_large")
    if -number.as_tuple().exponent > MAX_DECIMALS and number != number.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        raise ValidationError({field: _("最多保留%(n)d位小数。") % {"n": MAX_DECIMALS}}, code="too_precise")
    return number


def clean_text(raw, field):
    """A note, source, reason, measures or comment: text, bounded, and plain (plans.text: no control or bidi-override
    characters, no lone surrogates)."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError({field: _("必须是文字。")}, code="not_text")
    text = raw.strip()
    limit = TEXT_LIMITS[field]
    if len(text) > limit:
        raise ValidationError({field: _("不能超过%(n)d个字。") % {"n": limit}}, code="too_long")
    if not plain_text.is_plain(text):
        raise ValidationError({field: plain_text.MESSAGE}, code="control_character")
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
    locked_years_ok: frozenset = frozenset()  # `load_plan --change-locked-year`: a command writes in these locked years
    # The plan's own baselines, loaded with the plan: holding plans.load_plan is the permission, not a district's.
    plan_data: bool = False


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
    # The 仅提示 rules the figure breaks (figures.validation.Breach): saved all the same, shown by every door.
    warnings: list = field(default_factory=list)

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
