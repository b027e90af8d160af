"""Task pages hold whatever is typed into their address, and staff (who fill in 责任单位) can open a task."""

import pytest
from django.urls import reverse

from plans.models import Task

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("per_page", ["-1", "0", "abc", "1e3", "99999999999999999999", "2.5", "", "-0"])
@pytest.mark.parametrize(
    ("page", "field"),
    [("tasks:list", "per_page"), ("tasks:key-projects", "per_page"), ("tasks:key-projects", "text-per_page")],
)
def test_a_junk_page_size_shows_the_page_at_its_usual_size(client, leader, page, field, per_page):
    client.force_login(leader)
    usual = client.get(reverse(page)).content.decode()

    response = client.get(reverse(page), {field: per_page})

    assert response.status_code == 200
    assert response.content.decode().count("<tr") == usual.count("<tr")


def test_a_sensible_page_size_is_still_honoured(client, leader):
    client.force_login(leader)
    html = client.get(reverse("tasks:list"), {"per_page": 10}).content.decode()
    assert html.count('<td class="num"><a href=') == 10


def test_staff_open_a_task_and_find_where_to_edit_it_in_the_admin(client, make_user, plan):
    admin = make_user("admin", superuser=True)
    client.force_login(admin)
    task = Task.objects.get(plan=plan, number=1)

    response = client.get(reverse("tasks:detail", args=[1]))

    assert response.status_code == 200
    edit = reverse("admin:plans_task_change", args=[task.pk])
    assert f'href="{edit}"' in response.content.decode()
    assert client.get(edit).status_code == 200
