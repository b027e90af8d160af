"""Rules between indicators (校验规则): how a rule's sides are written, what makes a rule unsound, and whether
figures keep it. No queries: the plan folder's and the workbook's readers, the admin, the loader and the write
pipeline (`figures.validation`) all call these.

A side is a sum of indicators, each with an optional coefficient: `a + b + c`, `0.0001*a - b` (`*` or `×`; a
minus sign needs a space before it, since a code may hold a hyphen). The first indicator of the left side gives
the rule its unit: an indicator of another unit needs a coefficient that converts it (not 1). Figures are never
negative (the pipeline refuses them), which is what lets a rule be found to hold only when every figure is zero.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from plans.numbers import DECIMALS, LIMIT

GE, LE, EQ = "≥", "≤", "="
OPERATORS = (GE, LE, EQ)
# What a broken rule asks of a figure (plans.models.RuleWeight): confirming with a note, or nothing (a warning).
CONFIRM, WARN = "需确认", "仅提示"
WEIGHTS = (CONFIRM, WARN)
# One term: an optional sign, an optional coefficient with its multiplication sign, and an indicator's code.
TERM = re.compile(
    r"\s*(?P<sign>[+-])?\s*(?:(?P<coefficient>\d+(?:\.\d+)?)\s*[*×]\s*)?(?P<code>[A-Za-z0-9_][-A-Za-z0-9_]*)\s*"
)
DISTRICT_SEPARATORS = re.compile(r"[\s,，、;；]+")


@dataclass(frozen=True)
class Term:
    coefficient: Decimal
    code: str


def parse_side(text):
    """The terms of one side as written, or ValueError saying what is wrong with it."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("−", "-").strip()
    if not text:
        raise ValueError(_("不能为空：每边至少有一个指标。"))
    terms, position = [], 0
    while position < len(text):
        found = TERM.match(text, position)
        if found is None or found.end() == position or (terms and not found["sign"]):
            raise ValueError(
                _("“%(text)s”看不懂：应写作“指标代码 + 指标代码”，系数写在代码前，如“0.0001*代码”。") % {"text": text}
            )
        coefficient = Decimal(found["coefficient"] or 1)  # the pattern lets only digits and a point through
        if coefficient == 0:
            raise ValueError(_("系数不能为 0。"))
        if coefficient >= LIMIT or -coefficient.as_tuple().exponent > DECIMALS:
            raise ValueError(_("系数最多保留%(n)d位小数，且须小于 10 的 11 次方。") % {"n": DECIMALS})
        terms.append(Term(-coefficient if found["sign"] == "-" else coefficient, found["code"]))
        position = found.end()
    return terms


def term_text(term, *, first=True):
    coefficient = abs(term.coefficient)
    words = term.code if coefficient == 1 else f"{_plain(coefficient)}*{term.code}"
    if term.coefficient < 0:
        return f"-{words}" if first else f" - {words}"
    return words if first else f" + {words}"


def side_text(terms):
    """A side as the workbook and the fixture files write it: `a + b`, `0.0001*a - b`."""
    return "".join(term_text(term, first=n == 0) for n, term in enumerate(terms))


def district_codes(text):
    """The district codes a rule's 适用地区 names (comma, 、 or space separated); none: every district."""
    return [code for code in DISTRICT_SEPARATORS.split(str(text or "").strip()) if code]


def holds(operator, tolerance, left, right):
    """Whether a left side's sum and a right side's keep the operator, `tolerance` apart at most."""
    if operator == GE:
        return left >= right - tolerance
    if operator == LE:
        return left <= right + tolerance
    return abs(left - right) <= tolerance


def problems(*, left, right, operator, tolerance, districts, indicators, known_districts):
    """Why a rule as written cannot be a rule, as {field: message} (fields: left, right, operator, tolerance,
    districts), and its sides' terms.

    `indicators`: {code: (name, unit)} of the plan's indicators; `known_districts`: every district code."""
    found, sides = {}, {}
    for name, text in (("left", left), ("right", right)):
        try:
            sides[name] = parse_side(text)
        except ValueError as problem:
            found[name] = str(problem)
            continue
        unknown = [t.code for t in sides[name] if t.code not in indicators]
        twice = sorted({t.code for t in sides[name] if [s.code for s in sides[name]].count(t.code) > 1})
        if unknown:
            found[name] = _("本规划没有指标“%(codes)s”。") % {"codes": "”“".join(unknown)}
        elif twice:
            found[name] = _("指标“%(codes)s”在同一边出现了两次，请合并系数。") % {"codes": "”“".join(twice)}
    if operator not in OPERATORS:
        found["operator"] = _("运算符须为 ≥、≤ 或 =（数据按小数位数修约，不能比较“大于”或“小于”）。")
    if tolerance is None or tolerance < 0:
        found["tolerance"] = _("容差须为不小于 0 的数值：两边之差不超过它仍视为成立。")
    missing = [code for code in district_codes(districts) if code not in known_districts]
    if missing:
        found["districts"] = _("没有行政区划代码为 %(code)s 的地区。") % {"code": "、".join(missing)}
    if found:
        return found, sides.get("left", []), sides.get("right", [])
    left_terms, right_terms = sides["left"], sides["right"]
    first = left_terms[0]
    first_name, unit = indicators[first.code]
    for name, terms in (("left", left_terms), ("right", right_terms)):
        for term in terms:
            their_name, their_unit = indicators[term.code]
            if their_unit != unit and abs(term.coefficient) == 1:
                message = _(
                    "“%(name)s”的单位（%(unit)s）与“%(first)s”（%(first_unit)s）不同：请写明换算系数，如“0.0001*%(code)s”。"
                )
                words = {"name": their_name, "unit": their_unit, "first": first_name, "first_unit": unit}
                found.setdefault(name, message % {**words, "code": term.code})
    if found:
        return found, left_terms, right_terms
    problem = _never_holds(operator, left_terms, right_terms)
    if problem:
        found["right"] = problem
    return found, left_terms, right_terms


def _never_holds(operator, left, right):
    """Why the rule is no rule: it holds whatever the figures, or only when they are all zero (figures are never
    negative). Judged on each indicator's coefficient once both sides are taken together (left minus right)."""
    net = {}
    for sign, terms in ((1, left), (-1, right)):
        for term in terms:
            net[term.code] = net.get(term.code, Decimal(0)) + sign * term.coefficient
    signs = {c > 0 for c in net.values() if c != 0}
    if not signs:
        return _("两边相同，规则总是成立，没有校验作用。")
    # left - right is a sum of figures with these signs: it is below, above or away from zero whatever they are.
    only_below = signs == {False}
    only_above = signs == {True}
    if (operator == GE and only_below) or (operator == LE and only_above) or (operator == EQ and len(signs) == 1):
        return _("按这两边的系数，规则只有在各项数据都为 0 时才成立，不可能是指标之间的关系。")
    if (operator == GE and only_above) or (operator == LE and only_below):
        return _("按这两边的系数，规则对任何数据都成立，没有校验作用。")
    return None


def _plain(number):
    return format(Decimal(number).normalize(), "f")
