"""The charts a leader reads: what each figure shows, built from progress.py's numbers."""

import json
from itertools import pairwise
from types import SimpleNamespace

from django.urls import reverse

from dashboards import charts
from plans import progress
from plans.xlsx import status_style

RATE = SimpleNamespace(unit="%", display_unit="%", decimals=2, direction="increase")
PATH = [progress.Milestone(2023, 83), progress.Milestone(2025, 85)]


def assessed(values, milestones=PATH, as_of=2023):
    return progress.assess(
        values=values, milestones=milestones, direction="increase", cumulative=False, base_year=2020, as_of=as_of
    )


def traces(figure):
    return {trace["name"]: trace for trace in figure["data"]}


def test_the_indicator_chart_shows_baseline_actuals_path_milestones_target_and_projection():
    values = {2020: 80, 2021: 81, 2022: 82, 2023: 83.2}
    figure = charts.indicator_progress(
        indicator=RATE, base_year=2020, values=values, milestones=PATH, assessment=assessed(values)
    )

    shown = traces(figure)
    assert shown["基期值"]["x"] == [2020] and shown["基期值"]["y"] == [80]
    assert shown["实际值"]["x"] == [2020, 2021, 2022, 2023]
    assert shown["实际值"]["y"] == [80, 81, 82, 83.2]
    assert shown["按进度应达"]["line"]["dash"] == "dash"
    assert shown["按进度应达"]["x"] == [2020, 2021, 2022, 2023, 2024, 2025]
    assert shown["按进度应达"]["y"][3] == 83 and shown["按进度应达"]["y"][4] == 84
    assert shown["阶段目标"]["x"] == [2023] and shown["阶段目标"]["y"] == [83]
    assert shown["最终目标"]["x"] == [2025] and shown["最终目标"]["y"] == [85]
    assert shown["趋势推算"]["line"]["dash"] == "dot"
    assert shown["趋势推算"]["x"] == [2023, 2025]
    assert shown["趋势推算"]["y"][1] == assessed(values).projection.value
    assert json.loads(json.dumps(figure)) == figure


def test_without_figures_the_indicator_chart_still_shows_the_plan():
    figure = charts.indicator_progress(
        indicator=RATE, base_year=2020, values={2020: 80}, milestones=PATH, assessment=assessed({2020: 80})
    )

    assert set(traces(figure)) == {"基期值", "按进度应达", "阶段目标", "最终目标"}


def test_the_district_comparison_colours_each_bar_by_status_and_marks_its_own_target():
    behind = assessed({2020: 80, 2023: 80.5})
    done = assessed({2020: 80, 2023: 90}, milestones=[progress.Milestone(2025, 88)])
    figure = charts.district_comparison(indicator=RATE, rows=[("福州", behind), ("厦门", done)])

    bars, targets = traces(figure)["最新实际值"], traces(figure)["本地区目标"]
    assert bars["x"] == ["福州", "厦门"] and bars["y"] == [80.5, 90]
    assert bars["marker"]["color"] == [
        progress.STATUS_COLOURS[behind.status],
        progress.STATUS_COLOURS[progress.ACHIEVED],
    ]
    assert targets["y"] == [85, 88]


def test_the_status_chart_stacks_one_bar_per_status_present_in_the_plans_order():
    figure = charts.status_by_district([("全省", {"lagging": 2, "ahead": 3}), ("福州", {"no_data": 1})])

    assert [trace["name"] for trace in figure["data"]] == ["快于预期", "滞后", "暂无数据"]
    assert figure["data"][0]["x"] == [3, 0] and figure["data"][0]["y"] == ["全省", "福州"]
    assert figure["data"][1]["marker"]["color"] == progress.STATUS_COLOURS["lagging"]
    assert figure["layout"]["barmode"] == "stack"


def test_badges_bars_and_excel_cells_use_the_same_colours_as_the_charts(client):
    css = client.get(reverse("status-css")).content.decode()

    for status, colour in progress.STATUS_COLOURS.items():
        ink = progress.STATUS_TEXT_COLOURS[status]
        assert f".status-{status} {{ background: {colour}; color: {ink}; }}" in css, status
        assert f".fill-{status} {{ fill: {colour}; }}" in css, status
        style = status_style(status)
        assert (style["fill"].fgColor.rgb[-6:], style["font"].color.rgb[-6:]) == (colour[1:].upper(), ink[1:].upper())


def test_the_status_colours_stay_apart_in_grey_scale_print():
    def luma(colour):
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.299 * red + 0.587 * green + 0.114 * blue

    greys = sorted(luma(colour) for colour in progress.STATUS_COLOURS.values())
    assert min(b - a for a, b in pairwise(greys)) >= 0.05


def test_a_level_already_held_shows_the_level_to_hold_instead_of_a_path_down_to_it():
    values = {2020: 99.36, 2022: 99.5}
    target = [progress.Milestone(2025, 99, ">")]
    figure = charts.indicator_progress(
        indicator=RATE, base_year=2020, values=values, milestones=target, assessment=assessed(values, target, 2022)
    )

    shown = traces(figure)
    assert "按进度应达" not in shown
    assert shown["须保持的目标"]["x"] == [2020, 2025] and shown["须保持的目标"]["y"] == [99, 99]
