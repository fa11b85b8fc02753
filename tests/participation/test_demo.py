import pytest
from django.core.management import call_command

from participation import demo
from participation.models import Opportunity, SignUp, Venue
from projects import demo as projects_demo

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Opportunity.objects.count(),
        Venue.objects.count(),
        sorted(SignUp.objects.values_list("opportunity__title", "resident__email", "status")),
    )


def test_the_demo_seeds_40_opportunities_and_a_years_history_and_a_second_run_changes_nothing():
    projects_demo.seed(scale="small", log=lambda _: None)

    demo.seed(scale="small", log=lambda _: None)
    first = snapshot()
    demo.seed(scale="small", log=lambda _: None)

    assert snapshot() == first
    # About 40 coming up or recent, and the sessions held in the year and more before them.
    history = Opportunity.objects.filter(title__in=[spec[0] for spec in demo.HISTORY])
    assert history.count() == len(demo.HISTORY) >= 12
    assert 35 <= Opportunity.objects.count() - history.count() <= 45
    assert all(o.signups.filter(attendance="attended").count() >= 16 for o in history)
    assert Opportunity.objects.filter(project__isnull=False).count() >= 20
    full = [o for o in Opportunity.objects.with_place_counts() if o.is_full and o.waiting_count]
    assert len(full) >= 2
    resident_places = SignUp.objects.filter(resident__email="resident@example.org")
    assert resident_places.filter(status=SignUp.Status.OFFERED).count() == 1
    assert resident_places.filter(attendance=SignUp.Attendance.ATTENDED).count() >= 5
    assert set(Opportunity.objects.values_list("kind", flat=True)) == set(Opportunity.Kind.values)
    assert set(Opportunity.objects.values_list("format", flat=True)) == set(
        Opportunity.Format.values
    )
    # Never over capacity.
    for opportunity in Opportunity.objects.with_place_counts():
        assert opportunity.held_count <= opportunity.capacity


def test_everyone_booked_on_a_hybrid_demo_session_has_said_how_they_will_join():
    projects_demo.seed(scale="small", log=lambda _: None)

    demo.seed(scale="small", log=lambda _: None)

    hybrid = SignUp.objects.filter(opportunity__format=Opportunity.Format.HYBRID)
    assert hybrid.exists()
    assert not hybrid.filter(joining=SignUp.Joining.NOT_SAID).exists()
    assert hybrid.filter(joining=SignUp.Joining.ONLINE).exists()
    assert hybrid.filter(joining=SignUp.Joining.IN_PERSON).exists()
    others = SignUp.objects.exclude(opportunity__format=Opportunity.Format.HYBRID)
    assert set(others.values_list("joining", flat=True)) == {SignUp.Joining.NOT_SAID}


def test_the_demo_works_without_the_projects_demo():
    demo.seed(scale="small", log=lambda _: None)

    assert Opportunity.objects.filter(project__isnull=True).count() >= 35
    assert all(o.effective_step for o in Opportunity.objects.select_related("project"))


def test_every_session_standing_alone_in_the_whole_demo_has_a_topic():
    """People hear of new sessions through the topics they follow."""
    call_command("seed_demo")

    alone = Opportunity.objects.filter(project__isnull=True)
    assert alone.count() >= 10
    assert not alone.filter(topic__isnull=True).exists()


def test_no_closed_project_in_the_demo_has_sessions_still_to_come():
    from django.utils import timezone

    projects_demo.seed(scale="small", log=lambda _: None)
    demo.seed(scale="small", log=lambda _: None)

    recruiting = Opportunity.objects.filter(
        project__status="closed",
        status__in=Opportunity.GOING_AHEAD,
        starts_at__gt=timezone.now(),
    )
    assert Opportunity.objects.filter(project__status="closed").exists()
    assert not recruiting.exists()
