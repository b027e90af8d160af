"""Rules between indicators (校验规则, `plans.rules`) judged on figures: in the write pipeline, on a batch laid over
the stored figures (`batch_breaches`), and for the 数据质量 page on the figures as stored (`broken_rules`).

Which figures count: every stored figure but a returned one (退回: a reviewer has said it is wrong), so drafts,
submitted, city-approved and approved figures alike. A rule is then judged as soon as both of its sides are
entered, before anyone reviews them, which is when a slip is cheapest to fix. In the pipeline the batch's own
figures replace the stored ones of their cells. A rule is judged in a district and year only when every figure it
names is there; until then it is not judged at all (neither kept nor broken).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from figures.models import Observation, ObservationStatus
from plans import rules as plan_rules
from plans.chains import statistics
from plans.models import District, RuleSide, RuleTerm

COUNTED = tuple(status for status in ObservationStatus.values if status != ObservationStatus.RETURNED)


@dataclass
class Breach:
    """A rule broken in one district and year: both sides' sums and every figure (term, value) it was judged on."""

    rule: object  # plans.models.Rule, with its terms (`rules_of`)
    district: District
    year: int
    left: Decimal
    right: Decimal
    figures: list  # [(RuleTerm, value)], left side first

    @property
    def message(self):
        """The rule, the figures of both sides and why the rule holds, as one sentence for people."""
        words = {
            "rule": self.rule.name,
            "district": self.district.display_short_name,
            "year": self.year,
            "left": self._side(RuleSide.LEFT, self.left),
            "operator": self.rule.operator,
            "right": self._side(RuleSide.RIGHT, self.right),
            "tolerance": _("（容差 %(n)s）") % {"n": _plain(self.rule.tolerance)} if self.rule.tolerance else "",
            "reason": self.rule.reason,
        }
        sentence = _(
            "不符合校验规则“%(rule)s”：%(district)s%(year)d年 %(left)s，应 %(operator)s %(right)s%(tolerance)s。"
            "理由：%(reason)s"
        )
        return sentence % words

    def _side(self, side, total):
        terms = [(term, value) for term, value in self.figures if term.side == side]
        text = ""
        for n, (term, value) in enumerate(terms):
            coefficient = abs(term.coefficient)
            sign = ("-" if n == 0 else " - ") if term.coefficient < 0 else ("" if n == 0 else " + ")
            times = "" if coefficient == 1 else f"{_plain(coefficient)}×"
            text += f"{sign}{times}{term.indicator.display_name} {_plain(value)}"
        if len(terms) > 1 or terms[0][0].coefficient != 1:
            text += f" = {_plain(total)}"
        return text

    def as_json(self):
        """The breach for the API and the 数据质量 page's export: codes and numbers."""
        return {
            "rule": self.rule.code,
            "name": self.rule.name,
            "weight": self.rule.weight,
            "district": self.district.code,
            "year": self.year,
            "left": float(self.left),
            "operator": self.rule.operator,
            "right": float(self.right),
            "tolerance": float(self.rule.tolerance),
            "figures": [
                {"side": t.side, "indicator": t.indicator.code, "coefficient": float(t.coefficient), "value": float(v)}
                for t, v in self.figures
            ],
            "message": self.message,
        }


def rules_of(plan):
    """The plan's rules, each with its `left` and `right` terms (indicators read with them): one query."""
    rules = {}
    terms = (
        RuleTerm.objects.filter(rule__plan=plan)
        .select_related("rule", "indicator")
        .order_by("rule__code", "side", "order", "pk")
    )
    for term in terms:
        rule = rules.get(term.rule_id)
        if rule is None:
            rule = rules[term.rule_id] = term.rule
            rule.left_terms, rule.right_terms = [], []
        term.rule = rule
        (rule.left_terms if term.side == RuleSide.LEFT else rule.right_terms).append(term)
    # A rule saved without a side (the admin, before its terms) is no rule yet.
    return [rule for rule in rules.values() if rule.left_terms and rule.right_terms]


def judge(rule, district, year, value_of):
    """The breach of `rule` in this district and year, or None when it holds or a figure is missing.

    `value_of(indicator id)`: the figure of that indicator (the rule's plan's) in the district and year, or None."""
    figures = []
    for term in (*rule.left_terms, *rule.right_terms):
        value = value_of(term.indicator_id)
        if value is None:
            return None
        figures.append((term, value))
    left = sum((t.coefficient * v for t, v in figures if t.side == RuleSide.LEFT), Decimal(0))
    right = sum((t.coefficient * v for t, v in figures if t.side == RuleSide.RIGHT), Decimal(0))
    if plan_rules.holds(rule.operator, rule.tolerance, left, right):
        return None
    return Breach(rule, district, year, left, right, figures)


def batch_breaches(rules, checked, cells):
    """[(Breach, [the batch's rows that break it])] for every rule the batch touches.

    A batch touches a rule where it brings a new value for one of the rule's figures: those rows break it (a row
    that says again what is stored, as the grid sends every cell, broke nothing). `checked`: the batch's valid rows;
    `cells`: the stored figures of the batch's indicators and districts ({(indicator id, district id, year):
    Observation}, as the pipeline's Context read them). The other indicators' figures of the touched districts and
    years are read in one query."""
    if not rules or not checked:
        return []
    batch_indicators = {c.indicator.pk for c in checked}
    rows_at = defaultdict(list)  # (district id, year) -> the batch's rows there bringing a new value
    for c in checked:
        if c.existing is None or c.existing.value != c.value:
            rows_at[(c.district.pk, c.year)].append(c)
    touched = []  # (rule, district, year, rows taking part)
    for (_district, year), rows in rows_at.items():
        district = rows[0].district
        here = {c.indicator.pk: c for c in rows}
        for rule in rules:
            members = [here[t.indicator_id] for t in (*rule.left_terms, *rule.right_terms) if t.indicator_id in here]
            if members and rule.applies_to(district):
                touched.append((rule, district, year, members))
    if not touched:
        return []
    others = {t.indicator for rule, *_rest in touched for t in (*rule.left_terms, *rule.right_terms)}
    others = [i for i in {i.pk: i for i in others}.values() if i.pk not in batch_indicators]
    stored = _stored(others, {d.pk for _r, d, _y, _m in touched}, {y for _r, _d, y, _m in touched})
    batch = {(c.indicator.pk, c.district.pk, c.year): c.value for c in checked}

    found = []
    for rule, district, year, members in touched:

        def value_of(indicator_id, district_id=district.pk, year=year):
            key = (indicator_id, district_id, year)
            if key in batch:
                return batch[key]
            if indicator_id in batch_indicators:
                o = cells.get(key)
                return o.value if o is not None and o.status in COUNTED else None
            return stored.get(key)

        breach = judge(rule, district, year, value_of)
        if breach is not None:
            found.append((breach, members))
    return found


def _stored(indicators, district_ids, years, *, statuses=COUNTED):
    """{(indicator id, district id, year): value} of these indicators' stored figures (one query; a continuing
    indicator's are stored on the first of its chain, README "Figures two plans share")."""
    if not indicators:
        return {}
    shown_as = {storage: pk for pk, storage in statistics(indicators).items()}
    rows = Observation.objects.filter(
        indicator__in=list(shown_as), district__in=district_ids, year__in=years, status__in=statuses
    ).values_list("indicator_id", "district_id", "year", "value")
    return {(shown_as[i], d, y): v for i, d, y, v in rows.order_by()}


def broken_rules(plan, year, districts, *, approved_only=False):
    """Every breach of the plan's rules in `year` among `districts` (District rows), district by district.

    The figures that count are those of the pipeline (every figure but a returned one), or only the approved ones
    with `approved_only` (for readers who see only approved figures). Two queries (the rules, the figures; a third
    for a continuing indicator's chain) whatever the number of districts."""
    rules = rules_of(plan)
    if not rules:
        return []
    districts = list(districts)
    indicators = list({t.indicator.pk: t.indicator for r in rules for t in (*r.left_terms, *r.right_terms)}.values())
    statuses = (ObservationStatus.APPROVED,) if approved_only else COUNTED
    stored = _stored(indicators, {d.pk for d in districts}, {year}, statuses=statuses)
    found = []
    for district in districts:
        for rule in rules:
            if rule.applies_to(district):
                breach = judge(rule, district, year, lambda pk, d=district.pk: stored.get((pk, d, year)))
                if breach is not None:
                    found.append(breach)
    return found


def _plain(number):
    return format(Decimal(number).normalize(), "f")
