"""Figures entered through the one write path, for tests that need data behind a page."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from figures import pipeline, review
from figures.models import Observation
from planboard import roles
from plans.models import Indicator


def official_for(district):
    """An official of `district` (created on first use): figures are entered by one person, approved by another."""
    user, created = get_user_model().objects.get_or_create(username=f"story_official_{district.code}")
    if created:
        roles.ensure_groups()
        user.groups.add(Group.objects.get(name=roles.OFFICIAL))
        district.members.add(user)
    return user


def approve(plan, by, district, code, year, value, **fields):
    """Store an approved figure as it happens: an official of the district submits it, the reviewer `by`
    approves it. A base-year figure is submitted by the system user (only reviewers may change it)."""
    from figures.plan_loading import system_user

    entrant = system_user() if year == plan.base_year else official_for(district)
    cell = {"indicator": plan.indicators.get(code=code), "district": district, "year": year}
    existing = Observation.objects.filter(**cell).first()
    if existing is not None and existing.status == "approved":
        existing = review.reopen(observation=existing, by=by, comment="测试", version=existing.version)
    fields = {"confirm": True, "note": "测试", "reason": "测试", "measures": "测试", **fields}
    submitted = pipeline.record_value(
        **cell,
        value=value,
        by=entrant,
        action="submit",
        version=existing.version if existing else None,
        **fields,
    )
    return review.approve(observation=submitted, by=by, version=submitted.version)


def submit(by, district, code, year, value, **fields):
    """The official `by` submits a figure for review, confirming a large move with the note, reason and measures it
    asks for."""
    fields = {"confirm": True, "note": "说明", "reason": "原因", "measures": "措施", **fields}
    return pipeline.record_value(
        indicator=Indicator.objects.get(code=code),
        district=district,
        year=year,
        value=value,
        by=by,
        action="submit",
        **fields,
    )


def enter(plan, by, district, code, year, value):
    """Store a draft figure, as an official who has not yet submitted it."""
    return pipeline.record_value(
        indicator=plan.indicators.get(code=code),
        district=district,
        year=year,
        value=value,
        by=by,
        confirm=True,
        note="测试",
    )


def close_plan(plan, by):
    """Lock the plan's final year, which closes it: the reviewer `by` asks, a second reviewer confirms."""
    second, created = get_user_model().objects.get_or_create(username="story_second_reviewer")
    if created:
        roles.ensure_groups()
        second.groups.add(Group.objects.get(name=roles.REVIEWER))
    review.lock_year(plan=plan, year=plan.target_year, by=by)
    return review.lock_year(plan=plan, year=plan.target_year, by=second)
