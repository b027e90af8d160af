"""The admin: figures and year locks are read-only there; editing the plan, its indicators or targets keeps the
precomputed statuses equal to progress.py's verdicts."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from figures import review
from figures.assessments import assess
from figures.models import Observation, ReportingYear, Standing
from plans.models import District, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", superuser=True))
    return client


def kept(plan):
    return {(s.indicator_id, s.district_id, s.as_of): s.status for s in Standing.objects.filter(plan=plan)}


def judged(plan):
    return {
        (i, d, year): assessment.status
        for year in range(plan.base_year + 1, plan.target_year + 1)
        for (i, d), assessment in assess(plan, as_of=year).items()
    }


def form_data(client, url):
    """What the admin change page would post back unchanged."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data


def form_data_with_inlines(client, url):
    """What a change page with inline formsets would post back unchanged."""
    page = client.get(url)
    data = form_data(client, url)
    for formset in page.context["inline_admin_formsets"]:
        formset = formset.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form.add_prefix(name)] = "on" if value is True else value
    return data


@pytest.fixture
def demo(plan):
    call_command("load_demo", verbosity=0)
    plan.refresh_from_db()
    assert kept(plan) == judged(plan)
    return plan


def a_judged_target(plan):
    """A target of a pair with approved figures, whose verdicts move when the target does."""
    figures = set(Observation.objects.approved().filter(year__gt=plan.base_year).values_list("indicator", "district"))
    return next(
        t
        for t in Target.objects.filter(indicator__plan=plan, year=plan.target_year).select_related("indicator")
        if (t.indicator_id, t.district_id) in figures and not t.indicator.cumulative
    )


def test_changing_a_target_in_the_admin_refreshes_the_statuses(admin_client, demo):
    target = a_judged_target(demo)
    before = kept(demo)
    url = reverse("admin:plans_target_change", args=[target.pk])
    data = form_data(admin_client, url)
    data["value"] = target.value * 3 if target.indicator.direction == "increase" else target.value / 3
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert kept(demo) == judged(demo)
    assert kept(demo) != before


def test_changing_the_plans_ratios_in_the_admin_refreshes_the_statuses(admin_client, demo):
    before = kept(demo)
    url = reverse("admin:plans_plan_change", args=[demo.pk])
    data = form_data(admin_client, url)
    data["ahead_ratio"], data["on_track_ratio"] = "1.0", "0.3"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    demo.refresh_from_db()
    assert kept(demo) == judged(demo)
    assert kept(demo) != before


def test_deleting_a_target_in_the_admin_refreshes_the_statuses(admin_client, demo):
    target = a_judged_target(demo)
    before = kept(demo)
    response = admin_client.post(reverse("admin:plans_target_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    assert kept(demo) == judged(demo)
    assert kept(demo) != before


def test_figures_and_year_locks_are_read_only_in_the_admin(admin_client, plan, reviewer):
    review.lock_year(plan=plan, year=2021, by=reviewer, locked=True)
    figure = Observation.objects.first()
    year = ReportingYear.objects.get(plan=plan, year=2021)
    for model, obj in [("observation", figure), ("reportingyear", year)]:
        change = reverse(f"admin:figures_{model}_change", args=[obj.pk])
        page = admin_client.get(change)
        assert page.status_code == 200 and not page.context["has_change_permission"], model
        assert admin_client.post(change, {}).status_code == 403
        assert admin_client.get(reverse(f"admin:figures_{model}_add")).status_code == 403
        assert (
            admin_client.post(reverse(f"admin:figures_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
            == 403
        )
        assert admin_client.get(reverse(f"admin:figures_{model}_history", args=[obj.pk])).status_code == 200
    assert ReportingYear.objects.get(pk=year.pk).locked and Observation.objects.filter(pk=figure.pk).exists()


def test_renaming_a_district_in_the_admin_shows_on_the_cached_pages_at_once(admin_client, plan, reviewer):
    client = Client()
    client.force_login(reviewer)
    page = reverse("tasks:district-targets")
    assert "福州市" in client.get(page).content.decode()  # rendered and cached
    fuzhou = District.objects.get(code="350100")
    url = reverse("admin:plans_district_change", args=[fuzhou.pk])
    data = form_data(admin_client, url)
    data.update(name="福州市（新名）", short_name="榕城")
    assert admin_client.post(url, data).status_code == 302
    assert "福州市（新名）" in client.get(page).content.decode()


@pytest.mark.parametrize(
    ("field", "typed"),
    [("value", "99999999999999.99"), ("upper", "100000000000"), ("value", "1e14"), ("value", "123456789012.5")],
)
def test_a_target_beyond_what_the_database_keeps_is_refused_with_a_form_message(admin_client, plan, field, typed):
    target = Target.objects.filter(indicator__plan=plan, upper__isnull=True).first()
    url = reverse("admin:plans_target_change", args=[target.pk])
    data = {**form_data(admin_client, url), field: typed}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {field}
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(reverse("admin:plans_target_changelist")).status_code == 200


def test_the_largest_target_the_database_keeps_is_saved_and_read_back_exactly(admin_client, plan):
    target = Target.objects.filter(indicator__plan=plan, upper__isnull=True).first()
    url = reverse("admin:plans_target_change", args=[target.pk])

    response = admin_client.post(url, {**form_data(admin_client, url), "value": "99999999999.9999"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.value == Decimal("99999999999.9999")
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("field", ["min_value", "max_value", "level_gap"])
def test_an_indicators_bound_beyond_what_the_database_keeps_is_refused(admin_client, plan, field):
    indicator = plan.indicators.get(code="putonghua_rate")
    url = reverse("admin:plans_indicator_change", args=[indicator.pk])
    data = form_data_with_inlines(admin_client, url)
    data[field] = "99999999999999.99"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
