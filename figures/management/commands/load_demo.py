"""Deterministic sample figures that show the app working. Always flagged, always removable."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from figures import demo_season, pipeline, standings, validation
from figures.demo_data import Pair, demo_figures
from figures.models import DEMO_SOURCE, Observation
from figures.plan_loading import system_user
from plans.models import District, Indicator, Plan
from plans.shortcuts import command_plan


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
            with transaction.atomic():
                written = self._load(plan)
                # With the demo accounts (create_demo_users), a reporting season in progress.
                season = demo_season.stage(plan)
        except pipeline.ImportRejected as rejected:
            lines = "\n".join(f"  {key} {name}：{message}" for key, name, message in rejected.errors)
            raise CommandError(f"示例数据未写入：\n{lines}") from None
        self.stdout.write(f"示例数据：写入 {written} 条（其余未变）。")
        if season:
            self.stdout.write(f"示例填报季：{plan.target_year}年已开启填报，部分数据已提交、审核或退回。")

    def _load(self, plan):
        real, demo = {}, {}
        for o in Observation.objects.filter(indicator__plan=plan).exclude(year=plan.base_year).order_by():
            (demo if o.is_demo else real).setdefault((o.indicator_id, o.district_id), {})[o.year] = o
        indicators = (
            Indicator.objects.filter(plan=plan)
            .order_by("order", "code")
            .prefetch_related("targets__district", "observations")
        )
        pairs = []
        for indicator in indicators:
            baselines = {o.district_id: o.value for o in indicator.observations.all() if o.year == plan.base_year}
            by_district = {}
            for target in sorted(indicator.targets.all(), key=lambda t: (t.district.pk, t.year)):
                by_district.setdefault(target.district, []).append(target.milestone)
            for district, milestones in by_district.items():
                pairs.append(Pair(indicator, district, baselines.get(district.pk), milestones))
        figures = demo_figures(
            pairs,
            {key: {year: o.value for year, o in years.items()} for key, years in real.items()},
            base_year=plan.base_year,
            target_year=plan.target_year,
            province_ids=set(District.objects.provinces().values_list("pk", flat=True)),
            rules=validation.rules_of(plan),
        )
        self._drop_outdated(plan, demo, figures)
        by_key = {(pair.indicator.pk, pair.district.pk): pair for pair in pairs}
        rows = [
            pipeline.Row(
                indicator=by_key[key].indicator,
                district=by_key[key].district,
                year=year,
                value=value,
                action=pipeline.Action.APPROVE,
                note=DEMO_SOURCE,
                source=DEMO_SOURCE,
                # The demo keeps within the year-on-year allowance; only a real figure beside it may not.
                confirm=key in real,
                key=f"{by_key[key].indicator.code} {by_key[key].district.code} {year}",
            )
            for key, values in figures.items()
            for year, value in sorted(values.items())
        ]
        # One batch through the write pipeline, approved in the command's (system user's) name.
        batch = pipeline.Batch(rows, demo=True, command=True, change_reason=DEMO_SOURCE)
        outcome = pipeline.write(batch, by=system_user())
        if outcome.problems:
            raise pipeline.ImportRejected([(p.key, p.field, p.message) for p in outcome.problems])
        return len(outcome.changed)

    def _drop_outdated(self, plan, demo, figures):
        """Remove demo figures an earlier version of the demo wrote and this one would not, so they can be
        written afresh (approved figures are not changed in place) or stay away."""
        system = system_user()
        outdated = [
            o.pk
            for key, years in demo.items()
            for year, o in years.items()
            # The demo season's figures (figures/demo_season.py), entered by the demo officials, are not
            # demo_figures'.
            if o.entered_by_id == system.pk and figures.get(key, {}).get(year) != o.value
        ]
        if outdated:
            Observation.objects.filter(pk__in=outdated, is_demo=True).delete()
            standings.refresh(plan)
