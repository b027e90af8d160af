"""Plotly figures as plain dicts: views put them in the context, templates emit them with `json_script`,
and static/js/charts.js draws every `[data-chart]` element.

The numbers come from `progress.py` (statuses, expected path, projection); this module only lays them out.
Every series differs by line style or marker shape as well as colour, so the charts survive grey-scale print.
"""

from typing import NamedTuple

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from plans import progress
from plans.statuses import STATUS_ORDER

FONT = {
    "family": "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif",
    "size": 13,
    "color": "#1f2933",
}
INK = "#1d4e89"  # actual values: the darkest line
PATH_GREY = "#616e7c"  # expected path
TARGET_COLOUR = "#7f0000"
# Another plan's baseline and targets for the same statistic: lighter, and drawn with other dashes and markers.
OTHER_PLAN_COLOUR = "#9a6b00"


class PlanPath(NamedTuple):
    """Another plan's targets for an indicator that continues, or is continued by, the one drawn."""

    label: str  # the plan's name
    indicator: object
    base_year: int
    milestones: list
    assessment: object  # that plan's progress.Assessment: its baseline, and whether it holds a level


def _figure(data, **layout):
    """A figure with planboard's plain look; "none" keeps plotly's 7 kB default template out of the page."""
    base = {
        "template": "none",
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 36, "b": 40},
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return go.Figure(data=data, layout={**base, **layout}).to_plotly_json()


def _unit_note(unit):
    """The unit above the value axis, written level: a rotated axis title turns 个 into an arrow. It starts at the
    axis and runs right, so an English unit ("10 000 persons") is not cut by the left margin."""
    if not unit:
        return []
    text = _("单位：%(unit)s") % {"unit": unit}
    return [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 1.02,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12, "color": "#616e7c"},
        }
    ]


def _count_axis(indicator, values):
    """A whole-number indicator's value axis ticks whole numbers only: no "0.5 所" between 0 and 1."""
    if not getattr(indicator, "whole_number", False):
        return {}
    axis = {"tickformat": ",d"}
    if max([float(v) for v in values if v is not None] + [0]) <= 10:
        axis["dtick"] = 1
    return axis


def indicator_progress(*, indicator, base_year, values, milestones, assessment, plan_name="", other_plans=()):
    """Baseline, actual values, the expected path (dashed), milestones, final target and projection (dotted).

    `values` are one district's approved figures {year: value}; `milestones` its `progress.Milestone`s;
    `assessment` the `progress.Assessment` that `Plan.assess` made of them. `other_plans` ([PlanPath]) are the
    baselines and targets of the other plans that share the indicator's figures: each plan's path is a trace of
    its own, named with the plan (`plan_name` names this one's then), and the actual values one line through
    both plans' years.
    """
    unit = indicator.display_unit
    data = []
    suffix = (lambda label: _of_plan(label, plan_name)) if other_plans else (lambda label: label)
    for other in other_plans:
        data += _plan_traces(
            other.indicator,
            other.base_year,
            other.milestones,
            other.assessment,
            name=lambda label, other=other: _of_plan(label, other.label),
            colour=OTHER_PLAN_COLOUR,
            path_colour=OTHER_PLAN_COLOUR,
            dash="longdash",
            final="star-open",
        )
    data += _plan_traces(
        indicator, base_year, milestones, assessment, name=suffix, colour=TARGET_COLOUR, path_colour=PATH_GREY
    )
    baseline = assessment.baseline
    points = {year: float(value) for year, value in values.items()}
    if baseline:
        points[baseline[0]] = baseline[1]
    actual = sorted(points.items())
    if any(year != base_year for year, _value in actual):
        # After the paths, so that the actual line is drawn over them.
        data.append(
            go.Scatter(
                x=[year for year, value in actual],
                y=[value for year, value in actual],
                mode="lines+markers",
                name=_("实际值"),
                line={"width": 3, "color": INK},
                marker={"symbol": "circle", "size": 8},
            )
        )
    projection = assessment.projection
    if projection and assessment.latest and projection.year > assessment.latest[0]:
        data.append(
            go.Scatter(
                x=[assessment.latest[0], projection.year],
                y=[assessment.latest[1], projection.value],
                mode="lines+markers",
                name=_("趋势推算"),
                line={"dash": "dot", "width": 2, "color": INK},
                marker={"symbol": ["circle", "triangle-up-open"], "size": [1, 11]},
            )
        )
    targets = [m.value for m in milestones] + [m.value for other in other_plans for m in other.milestones]
    return _figure(
        data,
        xaxis={"dtick": 1, "tickformat": "d", "showgrid": False},
        yaxis={
            "gridcolor": "#e4e7eb",
            "zeroline": False,
            **_count_axis(indicator, [v for y, v in actual if y != base_year] + targets),
        },
        annotations=_unit_note(unit),
        height=380,
    )


def _of_plan(label, plan_name):
    """A trace's name when two plans' paths share a chart: 最终目标（福建省“十四五”…规划）."""
    return _("%(label)s（%(plan)s）") % {"label": label, "plan": plan_name}


def _plan_traces(indicator, base_year, milestones, assessment, *, name, colour, path_colour, dash="dash", final="star"):
    """One plan's baseline, expected path (or level to hold), milestones and final target."""
    data = []
    baseline = assessment.baseline
    if baseline:
        data.append(
            go.Scatter(
                x=[baseline[0]],
                y=[baseline[1]],
                mode="markers",
                name=name(_("基期值")),
                marker={"symbol": "square", "size": 11, "color": path_colour},
            )
        )
    path = sorted(milestones, key=lambda m: m.year)
    if assessment.hold_level:
        # The baseline already meets the target: the line to watch is the level to hold, not a path to it.
        data.append(
            go.Scatter(
                x=[base_year, path[-1].year],
                y=[path[-1].value, path[-1].value],
                mode="lines",
                name=name(_("须保持的目标")),
                line={"dash": dash, "width": 2, "color": colour},
            )
        )
    elif baseline and path:
        years = list(range(base_year, path[-1].year + 1))
        data.append(
            go.Scatter(
                x=years,
                y=[
                    progress.expected(
                        base_year, baseline[1], path, year, direction=indicator.direction, decimals=indicator.decimals
                    )
                    for year in years
                ],
                mode="lines",
                name=name(_("按进度应达")),
                line={"dash": dash, "width": 2, "color": path_colour},
            )
        )
    if len(path) > 1:
        data.append(
            go.Scatter(
                x=[m.year for m in path[:-1]],
                y=[m.value for m in path[:-1]],
                mode="markers",
                name=name(_("阶段目标")),
                marker={"symbol": "diamond-open", "size": 12, "color": colour, "line": {"width": 2}},
            )
        )
    if path:
        data.append(
            go.Scatter(
                x=[path[-1].year],
                y=[path[-1].value],
                mode="markers",
                name=name(_("最终目标")),
                marker={"symbol": final, "size": 15, "color": colour},
            )
        )
    return data


def district_comparison(*, indicator, rows):
    """Each district's latest value beside its own final target.

    `rows` are (district name, assessment) pairs; a bar's colour is its status, the target a marker on it.
    """
    rows = [(name, a) for name, a in rows if a.latest is not None or a.final is not None]
    names = [name for name, a in rows]
    bars = go.Bar(
        x=names,
        y=[a.latest[1] if a.latest else None for name, a in rows],
        name=_("最新实际值"),
        marker={
            "color": [progress.STATUS_COLOURS[a.status] for name, a in rows],
            "line": {"color": "#1f2933", "width": 1},
        },
        customdata=[[str(progress.STATUS_LABELS[a.status]), a.latest[0] if a.latest else ""] for name, a in rows],
        hovertemplate=_("%(x)s %(year)s年：%(y)s") % {"x": "%{x}", "year": "%{customdata[1]}", "y": "%{y}"}
        + "<br>%{customdata[0]}<extra></extra>",
    )
    targets = go.Scatter(
        x=names,
        y=[a.final.value if a.final else None for name, a in rows],
        mode="markers",
        name=_("本地区目标"),
        marker={"symbol": "line-ew-open", "size": 26, "color": TARGET_COLOUR, "line": {"width": 3}},
    )
    return _figure(
        [bars, targets],
        yaxis={"gridcolor": "#e4e7eb", **_count_axis(indicator, [a.latest[1] for name, a in rows if a.latest])},
        annotations=_unit_note(indicator.display_unit),
        xaxis={"type": "category"},
        height=340,
        bargap=0.35,
    )


def status_by_district(rows):
    """The share of each district's indicators in each status, as 100% stacked horizontal bars.

    `rows` are (district name, {status: count}) pairs, drawn top to bottom in the given order. The province
    has every indicator and a city only a few, so bars show shares (making districts comparable) and are
    labelled with the counts.
    """
    names = [name for name, counts in rows]
    data = []
    for status in STATUS_ORDER:
        counts = [counts.get(status, 0) for name, counts in rows]
        if not any(counts):
            continue
        label = str(progress.STATUS_LABELS[status])
        data.append(
            go.Bar(
                y=names,
                x=counts,
                name=label,
                orientation="h",
                text=[count or "" for count in counts],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont={"color": progress.STATUS_TEXT_COLOURS[status]},
                marker={"color": progress.STATUS_COLOURS[status], "line": {"color": "#ffffff", "width": 1}},
                hovertemplate="%{y}：%{x}项（%{percent}）<extra>" + label + "</extra>",
            )
        )
    return _figure(
        data,
        barmode="stack",
        barnorm="percent",
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        # Explicit ticks, so 100% is labelled too (plotly's own stop short of the range's end on narrow plots).
        xaxis={
            "range": [0, 100.5],
            "tickvals": [0, 25, 50, 75, 100],
            "ticktext": ["0%", "25%", "50%", "75%", "100%"],
            "gridcolor": "#e4e7eb",
        },
        height=max(180, 90 + 30 * len(rows)),
        margin={"l": 60, "r": 10, "t": 10, "b": 70},
        legend={"orientation": "h", "y": -0.12, "traceorder": "normal"},
        uniformtext={"minsize": 10, "mode": "hide"},
    )


def _total(row):
    return sum(row[1].values())
