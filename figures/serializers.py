"""The JSON the API answers with (docs/api.md is the contract), shaped in one place: the API views pick the rows,
these functions give them their shape. Numbers leave as `api_base.number`, times as `api_base.iso_time`."""

from decimal import Decimal

from figures.api_base import iso_time, number
from plans import progress


def plan_json(plan):
    return {
        "code": plan.code,
        "name": plan.name,
        "document_number": plan.document_number,
        "base_year": plan.base_year,
        "target_year": plan.target_year,
    }


def district_json(district, *, kind=False):
    shaped = {"code": district.code, "name": district.name, "short_name": district.short_name}
    return {**shaped, "kind": district.kind} if kind else shaped


def target_json(target, *, district=False):
    shaped = {"year": target.year, "value": number(target.value), "upper": number(target.upper)}
    shaped["operator"] = target.operator
    return {"district": target.district.code, **shaped} if district else shaped


def items_json(task):
    return [{"order": item.order, "content": item.content} for item in task.items.all()]


def indicator_json(indicator):
    """An indicator of `GET /api/plan/` with its targets and base-year figures (`baselines`, read beforehand)."""
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "group": indicator.group,
        "section": indicator.section,
        "cumulative": indicator.cumulative,
        "task": indicator.task.number if indicator.task else None,
        "needs_review": indicator.needs_review,
        "targets": [target_json(t, district=True) for t in indicator.targets.all()],
        "baselines": [
            {"district": o.district.code, "year": o.year, "value": number(o.value)} for o in indicator.baselines
        ],
    }


def task_json(task):
    return {
        "number": task.number,
        "category": task.category,
        "title": task.title,
        "department": task.department,
        "needs_review": task.needs_review,
        "items": items_json(task),
    }


def observation_json(o):
    return {
        "indicator": o.indicator.code,
        "district": o.district.code,
        "year": o.year,
        "value": number(o.value),
        "status": o.status,
        "version": o.version,
        "note": o.note,
        "source": o.source,
        "reason": o.reason,
        "measures": o.measures,
        "review_comment": o.review_comment,
        "confirmed_large_move": o.confirmed_large_move,
        "entered_by": o.entered_by.username,
        "entered_at": iso_time(o.entered_at),
        "approved_by": o.approved_by.username if o.approved_by else None,
        "approved_at": iso_time(o.approved_at),
        "city_approved_by": o.city_approved_by.username if o.city_approved_by_id else None,
        "city_approved_at": iso_time(o.city_approved_at),
        "submitted_at": iso_time(o.submitted_at),
        "late": o.late,
    }


def reporting_year_json(reporting_year):
    return {
        "year": reporting_year.year,
        "locked": reporting_year.locked,
        "locked_by": reporting_year.locked_by.username if reporting_year.locked_by else None,
        "locked_at": iso_time(reporting_year.locked_at),
        "close_requested_by": (
            reporting_year.close_requested_by.username if reporting_year.close_requested_by else None
        ),
    }


def _named(indicator):
    """How a verdict's indicator is named: its code, name, unit and section."""
    return {"code": indicator.code, "name": indicator.name, "unit": indicator.unit, "section": indicator.section}


# Verdicts. `GET /api/progress/` gives computed numbers rounded to 6 places (`amount`); the task and district
# endpoints give an assessment's figures as stored (`stored_figure`).


def amount(value):
    """A computed float as the contract's JSON number, rounded to 6 places to drop floating-point noise."""
    if value is None:
        return None
    value = round(value, 6)
    return int(value) if value.is_integer() else value


def point(pair):
    return {"year": pair[0], "value": amount(pair[1])} if pair else None


def stored_figure(pair):
    """An assessment's (year, value) pair; its floats come from decimals, so str() gives the stored digits."""
    if pair is None:
        return None
    return {"year": pair[0], "value": number(Decimal(str(round(pair[1], 4))))}


def progress_json(row, targets):
    """One indicator of `GET /api/progress/`: a dashboard row (`overviews.Row`) and the district's targets."""
    indicator, a = row.indicator, row.assessment
    return {
        **_named(indicator),
        "baseline": point(a.baseline),
        "latest": point(a.latest),
        "targets": [target_json(t) for t in targets],
        "final_target": (
            {"year": a.final.year, "value": amount(a.final.value), "operator": a.final.operator} if a.final else None
        ),
        "expected": amount(a.expected),
        "ratio": amount(a.ratio),
        "status": a.status,
        "status_label": str(progress.STATUS_LABELS[a.status]),
        "warning": row.warning,
        "explanation": a.explanation,
        "projected": (
            {"year": a.projection.year, "value": amount(a.projection.value), "met": a.projection.met}
            if a.projection
            else None
        ),
    }


def standing_json(indicator, assessment):
    """One indicator of `GET /api/districts/<code>/`, with the district's targets (`here`, read beforehand)."""
    return {
        **_named(indicator),
        "cumulative": indicator.cumulative,
        "baseline": stored_figure(assessment.baseline),
        "targets": [target_json(t) for t in indicator.here],
        "latest": stored_figure(assessment.latest),
        "status": assessment.status,
        "explanation": assessment.explanation,
    }


def linked_indicator_json(indicator, assessment):
    """An indicator of a task in `GET /api/tasks/`, with its province verdict (None: no figure)."""
    return {
        **_named(indicator),
        "status": assessment.status if assessment else progress.NO_DATA,
        "latest": stored_figure(assessment.latest) if assessment else None,
    }


def tracked_task_json(task, assessments, evidence_url):
    """A task of `GET /api/tasks/` with its indicators' verdicts ({indicator id: assessment}), text targets and
    yearly reports; `evidence_url(report)` is the address of a report's file."""
    return {
        **task_json(task),
        "indicators": [linked_indicator_json(i, assessments.get(i.pk)) for i in task.indicators.all()],
        "text_targets": [
            {"code": t.code, "text": t.text, "year": t.year, "untracked_reason": t.untracked_reason}
            for t in task.text_targets.all()
        ],
        "reports": [task_report_json(r, evidence_url) for r in task.reports.all()],
    }


def task_report_json(report, evidence_url):
    return {
        "year": report.year,
        "status": report.status,
        "summary": report.summary,
        "evidence_links": report.links,
        "evidence_file": evidence_url(report) if report.evidence_file else None,
        "text_target_notes": report.text_target_notes,
        "entered_by": report.entered_by.username,
        "entered_at": iso_time(report.entered_at),
    }
