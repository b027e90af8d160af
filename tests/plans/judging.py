"""How the progress tests ask for a verdict: `plans.progress.assess` of an indicator whose base year is 2020."""

from plans.progress import assess

BASE = 2020


def judge(values, milestones, *, as_of=2023, direction="increase", cumulative=False, **options):
    return assess(
        values=values,
        milestones=milestones,
        direction=direction,
        cumulative=cumulative,
        base_year=BASE,
        as_of=as_of,
        **options,
    )
