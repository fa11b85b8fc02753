"""Opportunities and places in the admin: the hub's pages change places, times and statuses
(they keep capacity and the waiting list right and tell people); the admin shows them, keeps
the record of who took part, and never shows or filters anyone's access needs."""

import pytest
from django.urls import reverse

from participation import services
from participation.models import Opportunity, Profile, SignUp
from tests.projects.test_admin_and_pages import _admin_form

from .factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_places_times_and_status_cannot_be_changed_in_the_admin(
    client, admin_user, opportunity, make_residents
):
    """Fewer places than people booked, or a new time nobody was told about, got through."""
    first, second = make_residents(2)
    services.sign_up(opportunity, resident=first)
    services.sign_up(opportunity, resident=second)
    url = reverse("admin:participation_opportunity_change", args=[opportunity.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    assert not {"capacity", "status", "starts_at_0", "project", "venue"} & set(data)
    data.update(
        capacity=["1"],
        status=["cancelled"],
        starts_at_0=["2031-01-01"],
        starts_at_1=["10:00"],
        title=["Carers' lunch and a chat"],
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.text[:2000]
    changed = Opportunity.objects.get(pk=opportunity.pk)
    assert changed.title == "Carers' lunch and a chat"  # the words can still be corrected
    assert (changed.capacity, changed.status) == (opportunity.capacity, opportunity.status)
    assert changed.starts_at == opportunity.starts_at


def test_opportunities_are_added_on_the_hubs_pages_not_the_admin(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("admin:participation_opportunity_add")).status_code == 403


def test_an_opportunity_people_signed_up_to_cannot_be_deleted_in_the_admin(
    client, admin_user, opportunity, resident
):
    services.sign_up(opportunity, resident=resident)
    client.force_login(admin_user)

    page = client.post(
        reverse("admin:participation_opportunity_delete", args=[opportunity.pk]), {"post": "yes"}
    ).text
    client.post(
        reverse("admin:participation_opportunity_changelist"),
        {"action": "delete_selected", "_selected_action": [opportunity.pk], "post": "yes"},
    )

    assert "1 sign up: people signed up, came or waited" in page
    assert SignUp.objects.filter(opportunity=opportunity, resident=resident).exists()


def test_a_draft_nobody_signed_up_to_can_be_deleted_in_the_admin(client, admin_user, staff):
    draft = OpportunityFactory(created_by=staff, status=Opportunity.Status.DRAFT)
    client.force_login(admin_user)

    client.post(reverse("admin:participation_opportunity_delete", args=[draft.pk]), {"post": "yes"})

    assert not Opportunity.objects.filter(pk=draft.pk).exists()


def test_places_can_be_looked_at_but_not_added_moved_or_deleted_in_the_admin(
    client, admin_user, opportunity, resident, other_resident
):
    signup = services.sign_up(opportunity, resident=resident)
    client.force_login(admin_user)
    url = reverse("admin:participation_signup_change", args=[signup.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"resident": other_resident.pk}).status_code == 403
    assert client.get(reverse("admin:participation_signup_add")).status_code == 403
    delete = reverse("admin:participation_signup_delete", args=[signup.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert SignUp.objects.get(pk=signup.pk).resident == resident


def test_the_admin_neither_shows_nor_filters_by_access_needs(
    client, admin_user, opportunity, resident
):
    """Special category data: the hub shows it to those who run the person's sessions and
    records each look. The admin showed every profile's needs, unrecorded, and let them be
    typed in without the person's consent."""
    profile, _ = Profile.objects.get_or_create(user=resident)
    services.set_access_needs(profile, access_needs="I use a wheelchair", consent=True)
    signup = services.sign_up(opportunity, resident=resident, access_needs_note="Hearing loop")
    client.force_login(admin_user)

    pages = [
        client.get(reverse("admin:participation_profile_change", args=[profile.pk])).text,
        client.get(reverse("admin:participation_signup_change", args=[signup.pk])).text,
    ]
    for page in pages:
        assert "wheelchair" not in page and "Hearing loop" not in page
        assert "access_needs" not in page
    for model, lookup, value in [
        ("profile", "access_needs__icontains", "wheelchair"),
        ("profile", "access_needs_consent_at__isnull", "False"),
        ("signup", "access_needs_note__icontains", "loop"),
    ]:
        response = client.get(reverse(f"admin:participation_{model}_changelist"), {lookup: value})
        assert response.status_code == 400, lookup  # DisallowedModelAdminLookup


def test_saving_a_profile_in_the_admin_keeps_the_persons_access_needs(client, admin_user, resident):
    profile, _ = Profile.objects.get_or_create(user=resident)
    services.set_access_needs(profile, access_needs="Large print, please", consent=True)
    url = reverse("admin:participation_profile_change", args=[profile.pk])
    client.force_login(admin_user)
    data = _admin_form(client, url)
    data.update(phone=["07700 900123"])

    assert client.post(url, data).status_code == 302

    profile.refresh_from_db()
    assert profile.phone == "07700 900123"
    assert profile.access_needs == "Large print, please" and profile.has_access_needs
