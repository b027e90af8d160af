"""Who may enter, see and upload which districts' figures, and in which years."""

from django.utils import timezone

from plans.models import District


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
