"""Who may enter, see and upload which districts' figures, and in which years."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone

from plans.models import District, DistrictKind


def can_enter(user, district):
    """May this user write figures for this district at all? (Approval rights are checked separately.)"""
    if not user.has_perm("figures.change_observation"):
        return False
    return user.has_perm("figures.enter_all_districts") or district.members.filter(pk=user.pk).exists()


def enterable_districts(user):
    """The districts whose figures this user may write, as a queryset (one query, unlike can_enter per row)."""
    if not user.has_perm("figures.change_observation"):
        return District.objects.none()
    if user.has_perm("figures.enter_all_districts"):
        return District.objects.all()
    return District.objects.filter(members=user)


def visible_districts(user):
    """The districts whose figures and verdicts this user may see, as a queryset: every one for the province-wide
    readers, otherwise those the user is a member of."""
    if user.has_perm("figures.view_all_districts"):
        return District.objects.all()
    return District.objects.filter(members=user)


def can_see(user, district):
    return user.has_perm("figures.view_all_districts") or district.members.filter(pk=user.pk).exists()


def allowed_years(plan, user, *, unlocked=False):
    """Years a user may write: the plan's years up to this year; the base year only for reviewers.

    With `unlocked`, without the locked years (the template download offers only years one can still fill).
    """
    first = plan.base_year if user.has_perm("figures.change_baseline") else plan.base_year + 1
    years = range(first, min(plan.target_year, timezone.localdate().year) + 1)
    if unlocked:
        locked = set(plan.reporting_years.filter(locked=True).values_list("year", flat=True))
        years = [year for year in years if year not in locked]
    return years


def upload_districts(user):
    """Districts a user may fill by upload: analysts any they may enter, everyone else only their own."""
    districts = [d for d in visible_districts(user) if can_enter(user, d)]
    if user.has_perm("figures.import_values"):
        return districts
    own = set(user.districts.values_list("pk", flat=True))
    return [d for d in districts if d.pk in own]


# Who reviews where (figures/review.py takes the steps).
PROVINCE, CITY = "province", "city"


def level_of(user):
    """The level a reviewer reviews at: the province's reviewers see every district, a city's (市级审核员) only
    those he is a member of. None for users who do not review."""
    if not user.has_perm("figures.review_observation"):
        return None
    return PROVINCE if user.has_perm("figures.view_all_districts") else CITY


def _holding(codename):
    """The ids of the users holding a figures permission through a group or directly, as a subquery."""
    permission = Permission.objects.filter(content_type__app_label="figures", codename=codename)
    users = get_user_model().objects.filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
    return users.values("pk")


def reviewers(level):
    """The active users who review at `level` by their role, as a queryset: those told of figures waiting. (A
    superuser may act at the province too, but is not told: the system user is one.)"""
    users = get_user_model().objects.filter(is_active=True)
    reviewing, everywhere = Q(pk__in=_holding("review_observation")), Q(pk__in=_holding("view_all_districts"))
    if level == PROVINCE:
        return users.filter(reviewing & everywhere)
    return users.filter(reviewing).exclude(is_superuser=True).exclude(everywhere)


def officials():
    """The active users who enter figures for the districts they are members of (the deadline reminders' readers)."""
    return get_user_model().objects.filter(is_active=True, pk__in=_holding("change_observation"))


def city_reviewed_districts():
    """The districts with a city reviewer, as a queryset: their figures pass the city first (two-level plans)."""
    return District.objects.exclude(kind=DistrictKind.PROVINCE).filter(members__in=reviewers(CITY)).distinct()


def needs_city_review():
    """The figures (a Q on Observation) that go to a city reviewer first: a two-level plan's, of a district with a
    city reviewer, 全省's never."""
    return Q(indicator__plan__review_levels=2, district__in=city_reviewed_districts().values("pk"))
