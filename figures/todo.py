"""待办: what each person has still to do in the reporting season, and the count in the header.

Officials: for each of their districts and each open round, the cells not yet entered, the drafts not submitted
and the returned figures with the reviewer's comment, and the deadline. Reviewers: the figures waiting at their
level by district, oldest first, and the districts with missing cells as the deadline nears. A bounded number of
queries whatever the number of districts and figures.
"""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Min

from figures import access, notices, rounds, submissions, versions
from figures.models import DataVersion, Notice, Observation, ObservationStatus
from figures.review import awaiting
from plans.chains import showing
from plans.models import District, Indicator

# The districts a reviewer is shown as missing cells once their round's deadline is this close.
NEAR_DAYS = 14
COUNT_TIMEOUT = 600


def official_districts(user):
    """The districts whose figures this user enters as an official (a member, with the right to enter)."""
    return access.enterable_districts(user) & access.member_districts(user)


def has_work(user):
    """Whether 待办 is this user's landing page: officials and reviewers; leaders keep the dashboard."""
    return access.level_of(user) is not None or official_districts(user).exists()


@dataclass
class DistrictRound:
    district: District
    round: object
    due: int = 0
    missing: list = field(default_factory=list)  # indicators without a figure
    drafts: list = field(default_factory=list)
    returned: list = field(default_factory=list)

    @property
    def days_left(self):
        return rounds.days_left(self.round.deadline)


def official_work(plan, user):
    """[DistrictRound] of the user's districts and the plan's open rounds."""
    open_rounds = rounds.open_rounds(plan)
    districts = list(official_districts(user))
    if not open_rounds or not districts:
        return []
    owed = submissions.reported_indicator_ids(plan, districts)
    indicators = {i.pk: i for i in Indicator.objects.filter(plan=plan)}
    shown_as = showing(indicators.values())
    figures = {}
    for o in Observation.objects.filter(
        indicator__in=list(shown_as), district__in=districts, year__in=[r.year for r in open_rounds]
    ).order_by():
        figures[(shown_as[o.indicator_id], o.district_id, o.year)] = o
    work = []
    for reporting_year in open_rounds:
        for district in districts:
            item = DistrictRound(district, reporting_year, due=len(owed[district.pk]))
            for pk in owed[district.pk]:
                figure = figures.get((pk, district.pk, reporting_year.year))
                if figure is None:
                    item.missing.append(indicators[pk])
                elif figure.status == ObservationStatus.DRAFT:
                    item.drafts.append((indicators[pk], figure))
                elif figure.status == ObservationStatus.RETURNED:
                    item.returned.append((indicators[pk], figure))
            work.append(item)
    return work


def reviewer_work(plan, user):
    """(figures waiting at the user's level grouped by district, oldest first; districts with missing cells in
    rounds whose deadline is within NEAR_DAYS)."""
    waiting = (
        awaiting(user, Observation.objects.shown_in(plan))
        .values("district", "year")
        .annotate(n=Count("pk"), oldest=Min("entered_at"))
        .order_by("oldest")
    )
    waiting = list(waiting)
    names = {d.pk: d for d in District.objects.filter(pk__in={w["district"] for w in waiting})}
    for w in waiting:
        w["district"] = names[w["district"]]
    near = []
    for reporting_year in rounds.open_rounds(plan):
        if rounds.days_left(reporting_year.deadline) > NEAR_DAYS:
            continue
        districts = list(access.visible_districts(user))
        counts = submissions.missing_counts(plan, reporting_year.year, districts)
        near += [(reporting_year, d, counts[d.pk]) for d in districts if counts[d.pk] > 0]
    return waiting, near


def count(plan, request):
    """The number in the header: cells still to submit (officials), figures waiting (reviewers), unread notices.
    Cached on the data version of the season's work (DataVersion.WORK), which the request reads with the others."""
    user = request.user
    key = f"planboard:todo:{versions.of_request(request)[DataVersion.WORK]}:{plan.pk}:{user.pk}"
    return cache.get_or_set(key, lambda: _count(plan, user), COUNT_TIMEOUT)


def _count(plan, user):
    """Two queries (three for reviewers) while no round is open; a few more per open round for officials."""
    n = Notice.objects.filter(user=user, read_at__isnull=True).count()
    if access.level_of(user) is not None:
        n += awaiting(user, Observation.objects.shown_in(plan)).count()
    open_rounds = rounds.open_rounds(plan)
    districts = list(official_districts(user)) if open_rounds else []
    for reporting_year in open_rounds if districts else []:
        n += sum(submissions.missing_counts(plan, reporting_year.year, districts).values())
    return n


def page(plan, user):
    """Everything 待办 shows."""
    level = access.level_of(user)
    waiting, near = reviewer_work(plan, user) if level else ([], [])
    return {
        "plan": plan,
        "rounds": rounds.open_rounds(plan),
        "official": official_work(plan, user),
        "level": level,
        "waiting": waiting,
        "near": near,
        "notices": [(n, notices.text(n)) for n in notices.for_user(user)],
    }
