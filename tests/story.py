"""Figures entered through the one write path, for tests that need data behind a page."""

from figures import pipeline


def approve(plan, by, district, code, year, value):
    """Store an approved figure through the one write path."""
    return pipeline.record_value(
        indicator=plan.indicators.get(code=code),
        district=district,
        year=year,
        value=value,
        by=by,
        action="approve",
        confirm=True,
        note="测试",
        reason="测试",
        measures="测试",
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
