"""Text is text: control characters and lone surrogates are refused at every door with a message naming the field,
and whatever text is stored, the Word and Excel writers never fail on it."""

import json

import pytest
from django.core.exceptions import ValidationError

from figures import pipeline
from figures.models import Observation
from plans.models import Indicator, Task
from tasks import services
from tasks.models import TaskReport, TaskStatus
from tests.conftest import FJ
from tests.tasks.test_task_reports import post_report

pytestmark = pytest.mark.django_db

CELL = {"indicator": "general_high_school_enrolment", "district": "350100", "year": 2021, "value": 12.1}
BAD = ["a\x0bb", "a\x01b", "a\x00b", "a\x7fb", "a\x1bb", "a\ud800b"]


def post(client, body, path="/api/observations/"):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("text", BAD)
@pytest.mark.parametrize("field", ["note", "source", "reason", "measures", "indicator", "district", "action"])
def test_the_api_refuses_control_characters_and_lone_surrogates_in_any_field(client, official_fuzhou, field, text):
    client.force_login(official_fuzhou)
    response = post(client, {**CELL, "note": "", field: text})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Observation.objects.filter(year=2021).exists()


@pytest.mark.parametrize("text", ["a\x0bb", "a\ud800b"])
def test_a_review_comment_with_a_control_character_or_a_lone_surrogate_is_400(
    client, official_fuzhou, reviewer, plan, text
):
    client.force_login(official_fuzhou)
    assert post(client, {**CELL, "action": "submit", "value": 12.1}).status_code == 201
    client.force_login(reviewer)
    body = {**CELL, "step": "return", "version": 2, "comment": text}
    response = post(client, body, "/api/observations/review/")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["comment"]


@pytest.mark.parametrize("text", ["a\x0bb", "a\x01b", "a\x00b", "a\x7fb"])
@pytest.mark.parametrize("field", ["summary", "text_target_notes"])
def test_a_task_report_with_a_control_character_is_refused_naming_the_field(client, reviewer, field, text):
    client.force_login(reviewer)
    response = post_report(client, 1, 2021, **{field: text})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not TaskReport.objects.exists()


@pytest.mark.parametrize("text", ["a\x0bb", "a\ud800b"])
def test_the_task_report_service_refuses_them_too(reviewer, plan, text):
    task = Task.objects.get(plan=plan, number=1)
    with pytest.raises(ValidationError) as refused:
        services.save_task_report(task=task, year=2021, by=reviewer, status=TaskStatus.IN_PROGRESS, summary=text)
    assert "summary" in refused.value.message_dict


def test_the_word_and_excel_writers_never_fail_on_stored_text(client, reviewer, official_fuzhou, analyst, plan):
    """Text stored before these rules (or behind them) is written without the characters no document can hold."""
    report = services.save_task_report(
        task=Task.objects.get(plan=plan, number=1), year=2024, by=reviewer, status=TaskStatus.LAGGING, summary="x"
    )
    TaskReport.objects.filter(pk=report.pk).update(summary="进展\x0b说明\x01", text_target_notes="\x1b[31m")
    figure = pipeline.record_value(
        indicator=Indicator.objects.get(plan=plan, code="general_high_school_enrolment"),
        district=official_fuzhou.districts.get(),
        year=2024,
        value="11",
        by=official_fuzhou,
        confirm=True,
        note="n",
    )
    Observation.objects.filter(pk=figure.pk).update(note="说明\x0b", source="来源\x01", reason="原因\x02")

    client.force_login(analyst)
    for url in (
        f"{FJ}/export/evaluation.docx?year=2024",
        f"{FJ}/export/report.xlsx?year=2024",
        f"{FJ}/import/template.xlsx?district=350100&year=2024",
        f"{FJ}/tasks/1/?year=2024",
    ):
        assert client.get(url).status_code == 200, url
    text = client.get(f"{FJ}/export/evaluation.docx?year=2024")
    assert text["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    "url",
    [
        "/api/observations/?indicator=%00",
        "/api/observations/?district=a%0bb",
        "/api/districts/%00/",
        "/api/plan/?plan=%00",
        f"{FJ}/overview/?q=%00",
        f"{FJ}/import/template.xlsx?district=%00",
        f"{FJ}/report/%00/2024/",
        f"{FJ}/tasks/?q=%7f",
    ],
)
def test_an_address_with_a_control_character_is_a_400_on_either_database(client, analyst, url):
    """PostgreSQL cannot even compare a string holding NUL: such an address was a server error there."""
    client.force_login(analyst)
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        named = url.split("?")[1].split("=")[0] if "?" in url else "path"
        assert list(response.json()["errors"]) == [named]
