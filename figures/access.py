"""Who may enter, see and upload which districts' figures, and in which years."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from figures import locks
from plans.models import District, DistrictKind
from plans.years import this_year


def member_districts(user):
    """The districts the user is a member of (officials', city reviewers'): the one rule of who works where,
    for everyone who is not granted every district."""
    return District.objects.filter(members=user)


def sees_every_district(user):
    """The province-wide readers (leaders, analysts, the province's reviewers) see every district."""
    return user.has_perm("figures.view_all_districts")


def visible_districts(user):
    """The districts whose figures and verdicts this user may see, as a queryset: every one for the province-wide
    readers, otherwise those the user is a member of."""
    if sees_every_district(user):
        return District.objects.all()
    return member_districts(user)


def visible_district_rows(request, fields):
    """`visible_districts` of the request's user as named rows of `fields`, in the districts' order. Every district,
    which is the same for every province-wide reader, is read once per data version (figures.versions)."""
    if sees_every_district(request.user):
        from figures import versions  # figures.models imports this module, and versions imports figures.models

        return versions.every_district(request, fields)
    return list(member_districts(request.user).values_list(*fields, named=True))


def enterable_districts(user):
    """The districts whose figures this user may write, as a queryset: none without the right to enter figures,
    every one with `enter_all_districts` (analysts), otherwise those the user is a member of. (Approval rights are
    checked separately.)"""
    if not user.has_perm("figures.change_observation"):
        return District.objects.none()
    if user.has_perm("figures.enter_all_districts"):
        return District.objects.all()
    return member_districts(user)


def can_enter(user, district):
    """May this user write figures for this district at all (`enterable_districts`, for one district)?"""
    return enterable_districts(user).filter(pk=district.pk).exists()


def allowed_years(plan, user, *, unlocked=False):
    """Years a user may write: the plan's years up to this year; the base year only for reviewers.

    With `unlocked`, without the locked years (the template download offers only years one can still fill).
    """
    first = plan.base_year if user.has_perm("figures.change_baseline") else plan.base_year + 1
    years = range(first, min(plan.target_year, this_year()) + 1)
    if unlocked:
        locked = locks.locked_plan_years(plan, list(plan.indicators.values_list("pk", flat=True)))
        years = [year for year in years if year not in locked]
    return years


def upload_districts(user):
    """Districts a user may fill by upload: analysts any they may enter, everyone else only their own."""
    districts = visible_districts(user) & enterable_districts(user)
    if not user.has_perm("figures.import_values"):
        districts &= member_districts(user)
    return list(districts)


# Who reviews where (figures/review.py takes the steps).
PROVINCE, CITY = "province", "city"


def level_of(user):
    """The level a reviewer reviews at: the province's reviewers see every district, a city's (市级审核员) only
    those he is a member of. None for users who do not review."""
    if not user.has_perm("figures.review_observation"):
        return None
    return PROVINCE if sees_every_district(user) else CITY


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
