"""Confirming an upload saves what the preview showed, or nothing: the preview's figures are kept with the upload
(in the database, so any app server can confirm) and checked again."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from figures import excel_import, pipeline
from figures.models import Observation, PendingUpload
from plans.models import District, Indicator

pytestmark = pytest.mark.django_db

YEAR = 2024


def csv_file(*lines, name="年报.csv", header="indicator,district,year,value,note"):
    file = io.BytesIO((header + "\n" + "".join(line + "\n" for line in lines)).encode())
    file.name = name
    return file


def upload(client, file, action="save"):
    return client.post(reverse("figures:import"), {"file": file, "action": action})


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


def stored(value, by, **fields):
    return pipeline.record_value(
        indicator=Indicator.objects.get(code="general_high_school_enrolment"),
        district=District.objects.get(code="350100"),
        year=YEAR,
        value=value,
        by=by,
        **fields,
    )


def test_a_figure_changed_after_the_preview_refuses_the_whole_confirmation(client, official_fuzhou, analyst):
    stored(15, official_fuzhou)
    client.force_login(official_fuzhou)
    upload(
        client,
        csv_file(
            "general_high_school_enrolment,350100,2024,15.2,", "preschool_inclusive_inspection_counties,350100,2024,3,"
        ),
    )
    preview = client.get(reverse("figures:import-preview")).context["preview"]
    assert preview.counts == {"new": 1, "changed": 1, "unchanged": 0, "error": 0}

    api = Client()
    api.force_login(analyst)
    body = {
        "indicator": "general_high_school_enrolment",
        "district": "350100",
        "year": YEAR,
        "value": 15.45,
        "note": "核对年鉴后更正",
        "action": "submit",
        "version": 1,
        "reason": "生源变化",
        "measures": "扩大招生",
    }
    assert api.post("/api/observations/", json.dumps(body), content_type="application/json").status_code == 200

    response = client.post(reverse("figures:import-confirm"), follow=True)
    text = messages_of(response)
    assert "未导入任何数据" in text
    assert "工作表“年报.csv”第2行（普通高中在校生，福州市）" in text and "15.45" in text
    assert "第3行" not in text  # the new row did not change
    figure = Observation.objects.get(
        year=YEAR, district__code="350100", indicator__code="general_high_school_enrolment"
    )
    assert (figure.value, figure.status, figure.version) == (Decimal("15.45"), "submitted", 2)
    assert not Observation.objects.filter(indicator__code="preschool_inclusive_inspection_counties", year=YEAR).exists()


def test_a_figure_created_after_the_preview_refuses_the_confirmation(client, official_fuzhou, analyst):
    client.force_login(official_fuzhou)
    upload(client, csv_file("general_high_school_enrolment,福州,2024,15.2,"))
    stored(15.45, analyst)
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "预览后已被" in messages_of(response)
    assert Observation.objects.get(year=YEAR).value == Decimal("15.45")


def test_the_confirmation_counts_as_the_preview_did(client, official_fuzhou):
    stored(15, official_fuzhou)
    stored_rate = pipeline.record_value(
        indicator=Indicator.objects.get(code="preschool_inclusive_inspection_counties"),
        district=District.objects.get(code="350100"),
        year=YEAR,
        value=2,
        by=official_fuzhou,
    )
    client.force_login(official_fuzhou)
    upload(
        client,
        csv_file(
            "general_high_school_enrolment,350100,2024,15.2,",
            f"preschool_inclusive_inspection_counties,350100,2024,{stored_rate.value},",
            "compulsory_quality_balanced_counties,350100,2024,5,",
        ),
    )
    assert client.get(reverse("figures:import-preview")).context["preview"].counts == {
        "new": 1,
        "changed": 1,
        "unchanged": 1,
        "error": 0,
    }
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "新增 1 行，修改 1 行，无变化 1 行" in messages_of(response)


def test_any_app_server_confirms_an_upload_kept_in_the_database(client, official_fuzhou):
    client.force_login(official_fuzhou)
    upload(client, csv_file("general_high_school_enrolment,350100,2024,15.2,"))
    pending = PendingUpload.objects.get()
    assert (pending.user, pending.filename, pending.action) == (official_fuzhou, "年报.csv", "save")
    assert bytes(pending.data).startswith(b"indicator,district")
    assert [v["version"] for v in pending.versions] == [0]
    client.post(reverse("figures:import-confirm"))
    assert Observation.objects.get(year=YEAR).value == Decimal("15.2")
    assert not PendingUpload.objects.exists()


def test_an_upload_older_than_a_day_is_ignored_and_deleted(client, official_fuzhou, analyst):
    client.force_login(official_fuzhou)
    upload(client, csv_file("general_high_school_enrolment,350100,2024,15.2,"))
    PendingUpload.objects.update(created_at=timezone.now() - excel_import.UPLOAD_LIFETIME - timedelta(minutes=1))
    response = client.post(reverse("figures:import-confirm"), follow=True)
    assert "没有待确认的文件" in messages_of(response)
    assert not Observation.objects.filter(year=YEAR).exists()

    other = Client()
    other.force_login(analyst)
    upload(other, csv_file("putonghua_rate,350000,2024,91,"))
    assert list(PendingUpload.objects.values_list("user", flat=True)) == [analyst.pk]


def test_a_submitted_figure_stays_submitted_unless_the_user_agrees_to_the_draft_the_preview_announced(
    client, official_fuzhou
):
    submitted = stored(15, official_fuzhou, action="submit", confirm=True, note="说明", reason="原因", measures="措施")
    client.force_login(official_fuzhou)
    upload(client, csv_file("general_high_school_enrolment,350100,2024,15.2,"), action="save")
    preview = client.get(reverse("figures:import-preview"))
    line = preview.context["preview"].lines[0]
    assert (line.status_from, line.status_to, preview.context["preview"].withdrawn) == ("submitted", "draft", 1)
    assert "已提交 → 草稿" in preview.content.decode()

    refused = client.post(reverse("figures:import-confirm"), follow=True)
    assert "1 项已提交审核的数据将改为草稿，请勾选确认后再导入" in messages_of(refused)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.value) == ("submitted", Decimal(15))

    done = client.post(reverse("figures:import-confirm"), {"withdraw": "1"}, follow=True)
    assert "已导入 1 行" in messages_of(done)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.value) == ("draft", Decimal("15.2"))


def test_submitting_over_a_submitted_figure_needs_no_extra_consent(client, official_fuzhou):
    stored(15, official_fuzhou, action="submit", confirm=True, note="说明", reason="原因", measures="措施")
    client.force_login(official_fuzhou)
    upload(
        client,
        csv_file(
            "general_high_school_enrolment,350100,2024,15.2,说明,原因,措施",
            header="indicator,district,year,value,note,reason,measures",
        ),
        action="submit",
    )
    assert client.get(reverse("figures:import-preview")).context["preview"].withdrawn == 0
    assert "已导入 1 行" in messages_of(client.post(reverse("figures:import-confirm"), follow=True))
