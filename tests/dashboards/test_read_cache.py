"""Fifty leaders reading at once are served computed rows from the cache, and never a verdict older than the
last write: the cache is keyed on a data version bumped inside every write."""

import pickle
import re
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from plans import progress
from tests.story import approve

pytestmark = pytest.mark.django_db


def status_of(client, code, year):
    rows = client.get(reverse("dashboards:api-progress"), {"year": year}).json()["indicators"]
    return next(row["status"] for row in rows if row["code"] == code)


def test_a_second_reader_costs_a_few_queries_and_a_write_is_seen_at_once(
    client, leader, plan, reviewer, district, django_assert_max_num_queries
):
    client.force_login(leader)
    client.get(reverse("dashboards:dashboard"), {"year": 2023})

    # The session, the user, his permissions and the data versions: no plan, district or figure read, nothing
    # judged (the cold request above made 19).
    with django_assert_max_num_queries(4):
        assert client.get(reverse("dashboards:dashboard"), {"year": 2023}).status_code == 200
    assert status_of(client, "higher_ed_gross_enrolment", 2023) == "no_data"

    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")

    assert status_of(client, "higher_ed_gross_enrolment", 2023) == "on_track"
    page = client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"]), {"year": 2023})
    assert page.context["assessment"].status == "on_track"


def test_each_language_gets_its_own_rows(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)
    chinese = client.get(reverse("dashboards:api-progress"), {"year": 2023}).json()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("dashboards:api-progress"), {"year": 2023}).json()

    row = next(i for i in chinese["indicators"] if i["code"] == "higher_ed_gross_enrolment")
    row_en = next(i for i in english["indicators"] if i["code"] == "higher_ed_gross_enrolment")
    assert row["status_label"] == "符合预期" and row_en["status_label"] == "On track"


def test_the_cached_indicator_table_shows_a_new_figure_at_once(client, leader, plan, reviewer, district):
    client.force_login(leader)

    def table_row(url):
        page = client.get(url, {"year": 2023}).content.decode()
        start = page.index('<tr data-indicator="higher_ed_gross_enrolment">')
        return page[start : page.index("</tr>", start)]

    dashboard = reverse("dashboards:dashboard")
    province = reverse("dashboards:district", args=[district("province").code])
    assert "暂无数据" in table_row(dashboard) and "暂无数据" in table_row(province)

    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")

    assert "符合预期" in table_row(dashboard) and "62.00" in table_row(dashboard)
    assert "符合预期" in table_row(province)
    client.cookies["django_language"] = "en"
    assert "On track" in table_row(dashboard)


def test_a_cached_verdict_keeps_its_sentence_in_the_language_it_was_cached_in():
    """Cached rows carry their explanation as text: unpickling a lazy sentence per row was most of a page's time."""
    verdict = progress.assess(
        values={2020: 80, 2023: 85},
        milestones=[progress.Milestone(2025, 90)],
        direction="increase",
        cumulative=False,
        base_year=2020,
        as_of=2023,
    )
    with translation.override("en"):
        cached = pickle.loads(pickle.dumps(verdict))
    with translation.override("zh-hans"):
        assert type(cached.explanation) is str and "expected" in cached.explanation
        assert "应达" in str(verdict.explanation)


def test_pages_without_a_year_count_the_figures_once_per_data_version(client, leader, plan, reviewer, district):
    """The default as-of year counts every approved figure of the plan (millions on a national plan): the district
    and indicator pages and the task list read that count from the cache, like the dashboard, until a write."""
    client.force_login(leader)
    pages = [
        reverse("dashboards:district", args=[district("province").code]),
        reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"]),
        reverse("tasks:list"),
    ]
    for url in pages:
        client.get(url)

    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "indicators_observation" in q["sql"]]
        assert counts == [], url

    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    with CaptureQueriesContext(connection) as queries:
        client.get(pages[0])
    assert any("COUNT(" in q["sql"] and "indicators_observation" in q["sql"] for q in queries)


def test_the_cached_table_of_all_districts_figures_shows_a_new_figure_at_once(client, leader, plan, reviewer, district):
    client.force_login(leader)
    page = reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"])
    assert "62.00" not in client.get(page, {"year": 2023}).content.decode()

    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")

    values = client.get(page, {"year": 2023}).content.decode()
    assert "62.00" in values[values.index('id="values-title"') :]


def test_the_other_districts_links_lead_to_their_pages(client, leader, district):
    client.force_login(leader)
    here = reverse("dashboards:district", args=[district("province").code])
    html = client.get(here, {"year": 2023}).content.decode()
    fuzhou = district("fuzhou")
    link = re.search(rf'<a href="([^"]*{fuzhou.code}[^"]*)">', html[html.index("district-links") :]).group(1)

    page = client.get(urljoin(here, link.replace("&amp;", "&")))
    assert page.status_code == 200 and page.context["district"] == fuzhou and page.context["year"] == 2023
