"""Deterministic sample figures that show the app working. Always flagged, always removable."""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from figures import pipeline, standings
from figures.models import DEMO_SOURCE, Observation
from figures.plan_loading import system_user
from plans.models import Indicator, Plan
from plans.progress import Milestone, expected
from plans.shortcuts import command_plan

# How fast each indicator moves along its expected path, cycled so that every status shows up:
# ahead, on track, nearly on track, lagging, going backwards.
PACES = [Decimal("1.3"), Decimal("1.0"), Decimal("0.95"), Decimal("0.6"), Decimal("-0.3")]


class Command(BaseCommand):
    help = "载入示例数据（2021—2024年，来源“示例数据”，有演示标记）；--remove 删除全部示例数据。"

    def add_arguments(self, parser):
        parser.add_argument("--remove", action="store_true", help="删除全部示例数据，真实数据不受影响")
        parser.add_argument("--plan", help="规划代码（默认：当前规划）")

    def handle(self, *args, remove, plan, **options):
        if remove:
            with transaction.atomic():
                deleted, _ = Observation.objects.filter(is_demo=True).delete()
                for plan in Plan.objects.all():
                    standings.refresh(plan)
            self.stdout.write(f"已删除 {deleted} 条示例数据。")
            return
        plan = command_plan(plan)
        try:
            written = self._load(plan)
        except pipeline.ImportRejected as rejected:
            lines = "\n".join(f"  {key} {name}：{message}" for key, name, message in rejected.errors)
            raise CommandError(f"示例数据未写入：\n{lines}") from None
        self.stdout.write(f"示例数据：写入 {written} 条（其余未变）。")

    def _load(self, plan):
        by = system_user()
        real = set(
            Observation.objects.filter(indicator__plan=plan, is_demo=False)
            .exclude(year=plan.base_year)
            .values_list("indicator_id", "district_id", "year")
        )
        indicators = (
            Indicator.objects.filter(plan=plan)
            .select_related("plan")
            .prefetch_related("targets__district", "observations")
        )
        rows, index = [], 0
        for indicator in indicators:
            baselines = {o.district_id: o.value for o in indicator.observations.all() if o.year == plan.base_year}
            by_district = {}
            for target in indicator.targets.all():
                by_district.setdefault(target.district, []).append(Milestone(target.year, float(target.value)))
            for district, milestones in by_district.items():
                pace = PACES[index % len(PACES)]
                index += 1
                for year, value in demo_values(indicator, baselines.get(district.id), milestones, pace, plan):
                    if (indicator.id, district.id, year) in real:
                        continue
                    rows.append(
                        pipeline.Row(
                            indicator=indicator,
                            district=district,
                            year=year,
                            value=value,
                            action=pipeline.Action.APPROVE,
                            note=DEMO_SOURCE,
                            source=DEMO_SOURCE,
                            confirm=True,
                            key=f"{indicator.code} {district.code} {year}",
                        )
                    )
        # One batch through the write pipeline, approved in the command's (system user's) name.
        batch = pipeline.Batch(rows, demo=True, command=True, change_reason=DEMO_SOURCE)
        outcome = pipeline.write(batch, by=by)
        if outcome.problems:
            raise pipeline.ImportRejected([(p.key, p.field, p.message) for p in outcome.problems])
        return len(outcome.changed)


def demo_values(indicator, baseline, milestones, pace, plan):
    """(year, value) pairs moving along the expected path at `pace`, within the indicator's plausible range."""
    final = max(milestones, key=lambda m: m.year).value
    decrease = indicator.direction == "decrease"
    if baseline is None:
        start = 0.0 if indicator.cumulative else final * (1.1 if decrease else 0.9)
    else:
        start = float(baseline)
    holds_level = baseline is not None and (start <= final if decrease else start >= final)
    # The years between the base year and the final one (2021–2024 of a 2020–2025 plan).
    for year in range(plan.base_year + 1, plan.target_year):
        if holds_level:
            # A level already reached: wobble a little above it, and drop below it when the pace is negative.
            step = (year - plan.base_year) * 0.05
            value = start + step if pace > 0 else final - step
        else:
            path = expected(plan.base_year, start, milestones, year)
            value = start + (path - start) * float(pace)
        value = Decimal(str(round(value, 0 if indicator.whole_number else indicator.decimals)))
        value = max(value, indicator.min_value or Decimal(0))
        if indicator.max_value is not None:
            value = min(value, indicator.max_value)
        yield year, value
