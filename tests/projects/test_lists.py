"""The public project list, the staff overview and the "we said, we did" feed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, Update
from projects.services import record_step

from .factories import (
    CONSULTATION_EVIDENCE,
    ProjectFactory,
    ServiceAreaFactory,
    UpdateFactory,
    evidence,
)

pytestmark = pytest.mark.django_db


def _titles(response):
    return [project.title for project in response.context["projects"]]


@pytest.fixture
def mix(owner):
    carers = ServiceAreaFactory(name="Carers", slug="carers")
    mental_health = ServiceAreaFactory(name="Mental health", slug="mental-health")
    breaks = ProjectFactory(
        title="Short breaks",
        service_area=carers,
        level="service",
        owner=owner,
        summary="Making respite easier to book.",
    )
    record_step(breaks, by=owner, claimed=7, evidence=evidence())
    strategy = ProjectFactory(
        title="Mental health strategy",
        service_area=mental_health,
        level="strategic",
        status="planning",
        owner=owner,
        summary="A five-year plan for mental health support.",
    )
    record_step(
        strategy, by=owner, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="Statutory plan."
    )
    ProjectFactory(title="Unpublished idea", service_area=carers, is_published=False, owner=owner)
    return {"breaks": breaks, "strategy": strategy}


def test_the_public_list_shows_published_projects_by_name_with_a_count(client, mix):
    response = client.get(reverse("projects:list"))
    assert _titles(response) == ["Mental health strategy", "Short breaks"]
    assert "2 projects" in response.text
    # The filters use the ladder's words; the page that explains them is one link away.
    ladder = reverse("projects:ladder")
    assert f'href="{ladder}">What the steps and levels mean</a>' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("level=strategic", ["Mental health strategy"]),
        ("service_area=carers", ["Short breaks"]),
        ("status=planning", ["Mental health strategy"]),
        ("step=4", ["Mental health strategy"]),  # the honest step, not the claim of 7
        ("step=7", ["Short breaks"]),
        ("q=respite", ["Short breaks"]),
        ("q=MENTAL+strategy", ["Mental health strategy"]),
        ("q=carers", ["Short breaks"]),  # matches the service area's name
        ("q=unpublished", []),
        ("level=service&step=4", []),
    ],
)
def test_filters_and_search(client, mix, query, expected):
    response = client.get(f"{reverse('projects:list')}?{query}")
    assert response.status_code == 200
    assert _titles(response) == expected


def test_no_results_says_so_and_offers_a_way_out(client, mix):
    response = client.get(reverse("projects:list") + "?q=zebra")
    assert "0 projects found" in response.text
    assert "No projects match your search." in response.text
    assert "Clear filters" in response.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("level=galactic", "Choose a level from the list"),
        ("step=99", "Choose a step from the list"),
        ("step=two", "Choose a step from the list"),
        ("service_area=nowhere", "Choose a service area from the list"),
        ("status=%00", "Choose a status from the list"),
        ("page=banana", None),
        ("page=999", None),
    ],
)
def test_nonsense_filters_give_a_clear_message_not_an_error(client, mix, query, message):
    for name in ["projects:list", "projects:manage"]:
        if name == "projects:manage":
            client.force_login(mix["breaks"].owner)
        response = client.get(f"{reverse(name)}?{query}")
        assert response.status_code == 200
        if message:
            assert message in response.text
            assert "There is a problem" in response.text
        assert len(response.context["projects"]) == 2 if name == "projects:list" else 3


def test_pages_keep_the_filters_in_their_links(client, owner):
    area = ServiceAreaFactory(name="Carers", slug="carers")
    for number in range(25):
        ProjectFactory(title=f"Carers project {number:02d}", service_area=area, owner=owner)
    ProjectFactory(title="Other", owner=owner)
    response = client.get(reverse("projects:list") + "?service_area=carers")
    assert "25 projects found" in response.text
    assert len(response.context["projects"]) == 20
    assert 'href="?page=2&amp;service_area=carers"' in response.text
    second = client.get(reverse("projects:list") + "?page=2&service_area=carers")
    assert len(second.context["projects"]) == 5


def test_the_list_page_title_says_which_page(client, owner):
    for number in range(21):
        ProjectFactory(owner=owner, title=f"P{number}")
    assert "<title>Projects (page 2)" in client.get(reverse("projects:list") + "?page=2").text


def _make_projects(count, owner):
    area = ServiceAreaFactory()
    for number in range(count):
        project = ProjectFactory(title=f"Project {number}", service_area=area, owner=owner)
        record_step(
            project, by=owner, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="Statutory."
        )
        UpdateFactory(project=project)


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/projects/", "/projects/manage/", "/updates/"])
def test_query_counts_do_not_grow_with_the_number_of_projects(
    client, owner, url, django_assert_max_num_queries
):
    client.force_login(owner)
    _make_projects(5, owner)
    few = _count_queries(client, url, django_assert_max_num_queries)
    _make_projects(45, owner)
    many = _count_queries(client, url, django_assert_max_num_queries)
    print(f"{url}: {few} queries with 5 projects, {many} with 50")  # shown with pytest -s
    assert few == many, f"{url}: {few} queries with 5 projects, {many} with 50"


def test_a_closed_project_that_posted_an_update_is_not_chased_for_more(owner):
    old = timezone.now() - timedelta(weeks=30)
    ended = ProjectFactory(owner=owner, title="Ended", status=Project.Status.CLOSED)
    silent = ProjectFactory(owner=owner, title="Ended silently", status=Project.Status.CLOSED)
    running = ProjectFactory(owner=owner, title="Running", status=Project.Status.ACTIVE)
    Project.objects.filter(pk__in=[ended.pk, silent.pk, running.pk]).update(created_at=old)
    for project in (ended, running):
        UpdateFactory(project=project, posted_at=old)

    flags = {p.title: p.update_overdue for p in Project.objects.with_update_flags()}

    assert flags == {"Ended": False, "Ended silently": True, "Running": True}


def test_the_overview_shows_drafts_and_flags_inflated_claims_and_overdue_updates(
    client, owner, mix
):
    old = timezone.now() - timedelta(weeks=13)
    Project.objects.filter(pk=mix["strategy"].pk).update(created_at=old)
    Project.objects.filter(pk=mix["breaks"].pk).update(created_at=old)
    UpdateFactory(project=mix["breaks"])  # recent, so not overdue
    client.force_login(owner)

    response = client.get(reverse("projects:manage"))

    assert _titles(response) == ["Mental health strategy", "Short breaks", "Unpublished idea"]
    rows = {p.title: p for p in response.context["projects"]}
    assert rows["Mental health strategy"].is_inflated
    assert rows["Mental health strategy"].update_overdue
    assert not rows["Short breaks"].is_inflated
    assert not rows["Short breaks"].update_overdue
    assert not rows["Unpublished idea"].update_overdue  # new: the clock has only just started
    assert "Claim higher than evidence" in response.text
    assert "No update in 12 weeks" in response.text
    assert "Not published" in response.text


def test_an_old_update_does_not_stop_the_overdue_flag(client, owner, mix):
    old = timezone.now() - timedelta(weeks=20)
    Project.objects.filter(pk=mix["breaks"].pk).update(created_at=old)
    update = UpdateFactory(project=mix["breaks"])
    Update.objects.filter(pk=update.pk).update(posted_at=old)
    client.force_login(owner)
    response = client.get(reverse("projects:manage") + "?flag=overdue")
    assert _titles(response) == ["Short breaks"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("flag=inflated", ["Mental health strategy"]),
        ("flag=no_step", ["Unpublished idea"]),
        ("flag=draft", ["Unpublished idea"]),
        ("sort=-title", ["Unpublished idea", "Short breaks", "Mental health strategy"]),
        ("sort=step", ["Mental health strategy", "Short breaks", "Unpublished idea"]),
        ("sort=-step", ["Short breaks", "Mental health strategy", "Unpublished idea"]),
        ("sort=sideways", ["Mental health strategy", "Short breaks", "Unpublished idea"]),
    ],
)
def test_the_overview_filters_by_flag_and_sorts(client, owner, mix, query, expected):
    client.force_login(owner)
    response = client.get(f"{reverse('projects:manage')}?{query}")
    assert _titles(response) == expected


def test_the_overview_sorts_by_last_changed_newest_first(client, owner, mix):
    Project.objects.filter(pk=mix["breaks"].pk).update(updated_at=timezone.now() + timedelta(1))
    client.force_login(owner)
    response = client.get(reverse("projects:manage") + "?sort=updated")
    assert _titles(response)[0] == "Short breaks"
    assert 'aria-sort="descending"' in response.text
    response = client.get(reverse("projects:manage") + "?sort=-updated")
    assert _titles(response)[-1] == "Short breaks"
    assert 'aria-sort="ascending"' in response.text


def test_sort_links_keep_filters_and_turn_the_order_round(client, owner, mix):
    client.force_login(owner)
    response = client.get(reverse("projects:manage") + "?level=service&sort=title&page=1")
    assert 'href="?level=service&amp;sort=-title"' in response.text
    assert 'href="?level=service&amp;sort=step"' in response.text


def test_only_my_projects(client, owner, staff, mix):
    ProjectFactory(title="Someone else's", owner=staff)
    client.force_login(owner)
    response = client.get(reverse("projects:manage") + "?mine=on")
    assert "Someone else's" not in _titles(response)
    assert len(_titles(response)) == 3


@pytest.mark.django_db
def test_a_project_page_links_to_practice_guide_entries_about_it(client):
    from tests.learning.factories import PublishedEntryFactory
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory()
    PublishedEntryFactory(project=project, title="Quiet rooms helped people speak up")
    PublishedEntryFactory(title="Something about another project")

    page = client.get(project.get_absolute_url()).content.decode()

    assert "What we learned" in page
    assert "Quiet rooms helped people speak up" in page
    assert "Something about another project" not in page


def test_the_overview_filters_by_working_together_for_change_stage(client, owner, mix):
    Project.objects.filter(pk=mix["breaks"].pk).update(wtfc_stage="plan")
    client.force_login(owner)

    response = client.get(reverse("projects:manage") + "?wtfc_stage=plan")

    assert _titles(response) == ["Short breaks"]
    response = client.get(reverse("projects:manage") + "?wtfc_stage=dream")
    assert "Choose a stage from the list. We have shown all of them instead" in response.text
    assert len(_titles(response)) == 3


def test_the_project_page_says_which_stage_of_eight_and_what_it_means(client, owner, mix):
    Project.objects.filter(pk=mix["breaks"].pk).update(wtfc_stage="plan")

    page = client.get(mix["breaks"].get_absolute_url()).text

    assert "Stage 6 of 8: Plan. Plan the changes together." in page
    assert f'href="{reverse("projects:ladder")}#working-together"' in page
    assert 'id="working-together"' in client.get(reverse("projects:ladder")).text


def test_activity_types_are_public_only_from_the_co_design_step_up(client, owner, mix):
    Project.objects.filter(pk__in=[mix["breaks"].pk, mix["strategy"].pk]).update(
        activity_types=["co_design"]
    )

    assert "Co-design" in _about(client.get(mix["breaks"].get_absolute_url()))  # step 7
    # At consultation, "co-design" would promise more say than people have.
    consultation = client.get(mix["strategy"].get_absolute_url())
    assert "Types of activity" not in consultation.text
    client.force_login(owner)
    staff_view = client.get(mix["strategy"].get_absolute_url()).text
    assert "Types of activity (staff only)" in staff_view
    assert "The public do not see these while the step is below co-design" in staff_view


def _about(response):
    text = response.text
    return text[text.index("Types of activity") :]


def test_the_overview_flags_projects_still_active_after_their_end_date(client, owner, mix):
    yesterday = timezone.localdate() - timedelta(days=1)
    Project.objects.filter(pk=mix["breaks"].pk).update(status="active", end_date=yesterday)
    Project.objects.filter(pk=mix["strategy"].pk).update(
        status="active", end_date=timezone.localdate()
    )
    client.force_login(owner)

    response = client.get(reverse("projects:manage") + "?flag=past_end")

    assert _titles(response) == ["Short breaks"]
    assert "Active after its end date</strong>" in response.text
