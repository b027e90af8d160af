"""Chart axes a reader can trust: counts tick in whole numbers, the status chart's shares end at a 100% tick."""

from types import SimpleNamespace

from dashboards import charts
from plans import progress


def _assessment(latest=None):
    return progress.Assessment(
        status=progress.ON_TRACK,
        baseline=(2020, 0),
        latest=latest,
        final=progress.Milestone(2025, 3, ">=", None),
        expected=None,
        ratio=None,
        met=None,
        hold_level=False,
        share=None,
        expected_share=None,
        projection=None,
        explanation="",
    )


def test_a_count_indicator_ticks_whole_numbers():
    counts = SimpleNamespace(unit="个", display_unit="个", whole_number=True, direction="increase", decimals=0)
    figure = charts.indicator_progress(
        indicator=counts,
        base_year=2020,
        values={2021: 1, 2022: 2},
        milestones=[progress.Milestone(2025, 3, ">=", None)],
        assessment=_assessment((2022, 2)),
    )
    assert figure["layout"]["yaxis"]["tickformat"] == ",d" and figure["layout"]["yaxis"]["dtick"] == 1
    comparison = charts.district_comparison(indicator=counts, rows=[("福州", _assessment((2022, 2)))])
    assert comparison["layout"]["yaxis"]["tickformat"] == ",d"


def test_a_rate_keeps_plotlys_own_ticks():
    rate = SimpleNamespace(unit="%", display_unit="%", whole_number=False, direction="increase", decimals=2)
    figure = charts.district_comparison(indicator=rate, rows=[("福州", _assessment((2022, 2.5)))])
    assert "tickformat" not in figure["layout"]["yaxis"]


def test_the_status_chart_labels_100_percent():
    figure = charts.status_by_district([("全省", {"lagging": 2}), ("福州", {"ahead": 1})])
    axis = figure["layout"]["xaxis"]
    assert dict(zip(axis["tickvals"], axis["ticktext"], strict=True))[100] == "100%"
