"""A property: any number a door accepts (below 10^11, at most 4 decimals, however it is typed) is read back equal,
whichever door it came through (the entry grid, the Excel/CSV upload, the API, import_values) and whichever
database stores it."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from figures.models import Observation
from plans import numbers
from tests.figures.test_entry import post_grid

pytestmark = pytest.mark.django_db

RATIO = "social_training_ratio_to_fulltime_students"  # 倍, no upper bound in the plan data
PROVINCE, YEAR = "350000", 2024
FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")

accepted = st.one_of(
    st.integers(0, int(numbers.LIMIT * 10**numbers.DECIMALS) - 1).map(lambda n: Decimal(n).scaleb(-numbers.DECIMALS)),
    st.integers(0, int(numbers.LIMIT) - 1).map(Decimal),
    st.sampled_from([numbers.LIMIT - Decimal("0.0001"), Decimal("0.0001"), Decimal(0)]),
)
typed = st.sampled_from(["plain", "grouped", "full-width"])
examples = settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def as_typed(value, how):
    text = format(value, ",f" if how != "plain" else "f")
    return text.translate(FULL_WIDTH) if how == "full-width" else text


def read_back(client):
    """The figure as the database and the API give it back."""
    stored = Observation.objects.get(indicator__code=RATIO, district__code=PROVINCE, year=YEAR).value
    answer = client.get("/api/observations/", {"indicator": RATIO, "year": YEAR}).json()["observations"]
    return stored, Decimal(str(answer[0]["value"]))


def each_example(run):
    """Every example starts from the plan alone: its writes are rolled back."""
    cache.clear()
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


@examples
@given(value=accepted, how=typed, as_number=st.booleans())
def test_the_api_gives_back_what_it_took(client, official_province, value, how, as_number):
    client.force_login(official_province)

    def run():
        sent = float(value) if as_number else as_typed(value, how)
        body = {"indicator": RATIO, "district": PROVINCE, "year": YEAR, "value": sent}
        response = client.post("/api/observations/", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        assert Decimal(str(response.json()["value"])) == value
        return read_back(client)

    assert each_example(run) == (value, value)


@examples
@given(value=accepted, how=typed)
def test_the_entry_grid_gives_back_what_it_took(client, official_province, value, how):
    client.force_login(official_province)

    def run():
        url = reverse("figures:entry", args=[PROVINCE, YEAR])
        response = post_grid(client, url, {RATIO: {"value": as_typed(value, how)}}, "save")
        assert response.status_code == 302
        return read_back(client)

    assert each_example(run) == (value, value)


@examples
@given(value=accepted, how=typed)
def test_the_upload_gives_back_what_it_took(client, official_province, value, how):
    client.force_login(official_province)

    def run():
        text = io.StringIO()
        csv.writer(text).writerows(
            [["indicator", "district", "year", "value"], [RATIO, PROVINCE, YEAR, as_typed(value, how)]]
        )
        file = io.BytesIO(text.getvalue().encode())
        file.name = "年报.csv"
        client.post(reverse("figures:import"), {"file": file, "action": "save"})
        assert client.get(reverse("figures:import-preview")).context["preview"].counts["new"] == 1
        client.post(reverse("figures:import-confirm"))
        return read_back(client)

    assert each_example(run) == (value, value)


@examples
@given(value=accepted, how=typed)
def test_import_values_gives_back_what_it_took(client, tmp_path, reviewer, value, how):
    client.force_login(reviewer)
    path = tmp_path / "values.csv"

    def run():
        with path.open("w", encoding="utf-8", newline="") as file:
            csv.writer(file).writerows(
                [["indicator", "district", "year", "value"], [RATIO, PROVINCE, YEAR, as_typed(value, how)]]
            )
        call_command("import_values", str(path), "--user", "reviewer", verbosity=0)
        return read_back(client)

    assert each_example(run) == (value, value)
