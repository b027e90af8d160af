"""A national plan lists a thousand districts: the district chooser becomes a search box that suggests them, and a
page served from the cache does no work for each district it could show."""

import re

import pytest
from django.urls import reverse

from dashboards import overviews, views
from plans.models import District
from tests.story import approve

pytestmark = pytest.mark.django_db

MORE = views.DROPDOWN_DISTRICTS + 10  # a dropdown's worth of districts and then some


@pytest.fixture
def many_districts(db):
    return District.objects.bulk_create(
        District(code=f"99{n:04d}", name=f"测试县{n}", short_name=f"测{n}", slug=f"t{n}", kind="county", order=500 + n)
        for n in range(MORE)
    )


def chooser(html):
    return html[html.index('class="as-of"') : html.index("</form>", html.index('class="as-of"'))]


def test_fujians_eleven_districts_are_still_a_dropdown(client, leader):
    client.force_login(leader)
    html = chooser(client.get(reverse("dashboards:dashboard"), {"district": "350100"}).content.decode())
    assert '<select name="district">' in html and '<option value="350100" selected>福州市</option>' in html
    assert "datalist" not in html


PAGES = [
    ("dashboards:dashboard", []),
    ("dashboards:indicator", ["general_high_school_enrolment"]),
    ("dashboards:district", ["350100"]),
    ("dashboards:overview", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_beyond_a_dropdowns_worth_the_chooser_is_a_search_box_suggesting_every_district(
    client, leader, many_districts, name, args
):
    client.force_login(leader)
    html = client.get(reverse(name, args=args), {"district": "350100"}, follow=True).content.decode()

    box = re.search(r'<input type="search" name="district" value="(\d+)" list="district-choices"[^>]*>', html)
    assert box and box.group(1) == "350100"
    datalist = re.search(r'<datalist id="district-choices">(.*?)</datalist>', html).group(1)
    suggestions = re.findall(r'<option value="(\d+)">([^<]*)</option>', datalist)
    assert len(suggestions) == District.objects.count()
    assert ("350100", "福州市") in suggestions and ("990007", "测试县7") in suggestions
    assert '<select name="district">' not in html


def test_the_district_page_lists_links_to_the_others_only_while_they_are_few(client, leader, many_districts):
    client.force_login(leader)
    url = reverse("dashboards:district", args=["350100"])
    assert "district-links" not in client.get(url).content.decode()
    District.objects.filter(pk__in=[d.pk for d in many_districts]).delete()
    assert "district-links" in client.get(url).content.decode()


def test_the_district_pages_search_box_opens_the_district_asked_for_in_the_same_year(client, leader, many_districts):
    client.force_login(leader)
    here = reverse("dashboards:district", args=["350100"])

    response = client.get(here, {"district": "990007", "year": 2023})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:district", args=["990007"]) + "?year=2023"
    assert client.get(here, {"district": "no-such-place"}).status_code == 404


def test_a_name_typed_out_in_full_instead_of_picked_opens_that_district(client, leader, official_fuzhou):
    client.force_login(leader)
    for typed in ("福州市", "福州"):
        response = client.get(reverse("dashboards:dashboard"), {"district": typed})
        assert response.context["district"].code == "350100"
    # Another district's name is no way round who may see what.
    client.force_login(official_fuzhou)
    assert client.get(reverse("dashboards:dashboard"), {"district": "厦门市"}).status_code == 404


def test_a_new_district_is_suggested_at_once(client, leader, many_districts):
    client.force_login(leader)
    url = reverse("dashboards:dashboard")
    assert "新设县" not in client.get(url).content.decode()
    District.objects.create(code="990999", name="新设县", short_name="新设", slug="new-county", kind="county")
    assert '<option value="990999">新设县</option>' in client.get(url).content.decode()


@pytest.mark.parametrize(("name", "args"), PAGES[:3], ids=[name for name, _ in PAGES[:3]])
def test_a_cached_page_judges_nothing_and_builds_no_table_of_every_district(
    client, leader, plan, reviewer, district, many_districts, monkeypatch, name, args
):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    client.force_login(leader)
    url = reverse(name, args=args)
    first = client.get(url, {"district": "350100"}).content.decode()

    built = []
    for model in ("PlanProgress", "IndicatorProgress", "StatusOverview"):
        real = getattr(overviews, model)
        monkeypatch.setattr(overviews, model, lambda *a, real=real, **kw: built.append(real) or real(*a, **kw))
    again = client.get(url, {"district": "350100"}).content.decode()

    assert built == []
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert strip.sub("", again) == strip.sub("", first)


@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_a_cached_page_reads_as_few_queries_with_sixty_more_districts(
    client, leader, many_districts, name, args, django_assert_max_num_queries
):
    client.force_login(leader)
    url = reverse(name, args=args)
    client.get(url, {"district": "350100"})
    # Session (and its save: 3), user, permissions (2), plan, districts, the header's plan and demo flag, the data
    # version; 规划期全景 is not cached (its indicators, figures, statuses and targets).
    with django_assert_max_num_queries(16):
        assert client.get(url, {"district": "350100"}).status_code == 200
