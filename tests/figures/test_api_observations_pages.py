"""GET /api/observations/ comes in pages of 500 (docs/api.md, "Lists")."""

import pytest
from django.core.management import call_command

from figures import api
from figures.models import Observation

pytestmark = pytest.mark.django_db

URL = "/api/observations/"
PAGE_SIZE = 100


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    """The demo has a few hundred figures: pages of 100 show the paging as 500 would with more."""
    assert api.PAGE_SIZE == 500
    monkeypatch.setattr(api, "PAGE_SIZE", PAGE_SIZE)


def test_the_figures_come_in_pages_that_link_to_each_other(client, reviewer, django_assert_max_num_queries):
    call_command("load_demo", verbosity=0)
    client.force_login(reviewer)
    total = Observation.objects.count()
    assert total > PAGE_SIZE
    # session, user, 2 permissions, plan, the count, the rows, the session saved again
    with django_assert_max_num_queries(10) as first:
        body = client.get(URL).json()
    assert (body["count"], len(body["observations"]), body["previous"]) == (total, PAGE_SIZE, None)
    assert body["next"] == "http://testserver/api/observations/?page=2"
    seen = [(o["indicator"], o["district"], o["year"]) for o in body["observations"]]
    while body["next"]:
        with django_assert_max_num_queries(len(first)):
            body = client.get(body["next"]).json()
        seen += [(o["indicator"], o["district"], o["year"]) for o in body["observations"]]
    assert body["previous"].endswith(f"page={-(-total // PAGE_SIZE) - 1}")
    assert len(seen) == len(set(seen)) == total


def test_filters_are_kept_in_the_page_links(client, reviewer):
    call_command("load_demo", verbosity=0)
    client.force_login(reviewer)
    body = client.get(URL, {"district": "350000", "page": 1}).json()
    assert body["count"] == Observation.objects.filter(district__code="350000").count()
    assert body["next"] is None or "district=350000" in body["next"]


def test_a_bad_page_is_400_and_a_page_after_the_last_is_404(client, reviewer):
    client.force_login(reviewer)
    for page in ("0", "-1", "x", ""):
        response = client.get(URL, {"page": page})
        assert response.status_code == 400 and response.json()["errors"].keys() == {"page"}, page
    assert client.get(URL, {"page": 1}).status_code == 200  # the first page exists even when empty
    last = -(-Observation.objects.count() // PAGE_SIZE) or 1
    response = client.get(URL, {"page": last + 1})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
