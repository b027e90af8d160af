"""Two people editing the same task report: the second save is refused with the first one's change shown."""

import pytest
from django.test import Client
from django.urls import reverse

from plans.models import Task
from tasks import services
from tasks.models import TaskReport, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_version(client, number, year):
    page = client.get(reverse("tasks:detail", args=[number]), {"year": year})
    return page.context["form"]["version"].value()


def post(client, number, year, version, summary):
    data = {"status": TaskStatus.IN_PROGRESS, "summary": summary, "evidence_links": "", "version": version}
    return client.post(reverse("tasks:report", args=[number, year]), data)


def test_a_stale_save_is_a_conflict_not_a_silent_overwrite(reviewer, official_province):
    first, second = Client(), Client()
    first.force_login(reviewer)
    second.force_login(official_province)
    assert form_version(first, 5, 2024) == form_version(second, 5, 2024) == 0

    assert post(first, 5, 2024, 0, "审核员写的进展").status_code == 302
    response = post(second, 5, 2024, 0, "省级填报人写的进展")
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "已被" in errors and "本次未保存" in errors
    report = TaskReport.objects.get(task__number=5, year=2024)
    assert (report.summary, report.version, report.history.count()) == ("审核员写的进展", 1, 1)

    version = form_version(second, 5, 2024)
    assert version == 1
    assert post(second, 5, 2024, version, "省级填报人写的进展").status_code == 302
    assert TaskReport.objects.get(pk=report.pk).version == 2


def test_the_service_checks_the_version_it_is_given(reviewer, plan):
    task = Task.objects.get(plan=plan, number=5)
    fields = {"task": task, "year": 2024, "by": reviewer, "status": TaskStatus.IN_PROGRESS}
    services.save_task_report(**fields, summary="一", version=0)
    with pytest.raises(services.Conflict):
        services.save_task_report(**fields, summary="二", version=0)
    assert services.save_task_report(**fields, summary="二", version=1).version == 2
