"""Staff running a session agree taxis in the hub (payments.TaxiAgreement), from the session's
taxis page; the person sees it on their place page. Who may, the page itself, the audit
trail, erasure and the admin. How claims rely on an agreement: test_taxi_claims.py."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coprod_hub.users import privacy as account_privacy
from participation import services as participation_services
from participation.models import Opportunity, SignUp
from payments import privacy, services
from payments.models import ExpenseCategory, ExpenseRule, TaxiAgreement
from payments.services import PaymentError
from tests.concurrency import exactly_one_refused, run_at_once
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(policy, project_with_team, staff):
    """A workshop next week that pays expenses, run by the project's owner and team."""
    starts = (timezone.now() + timedelta(days=7)).replace(hour=10, minute=0, second=0)
    return OpportunityFactory(
        project=project_with_team,
        created_by=staff,
        starts_at=starts,
        status=Opportunity.Status.PUBLISHED,
    )


@pytest.fixture
def place(session, resident):
    return SignUpFactory(opportunity=session, resident=resident, attendance="")


def _url(session):
    return reverse("payments:taxis", args=[session.pk])


def _agree(client, person, session, place, note=""):
    client.force_login(person)
    return client.post(_url(session), {"agree": str(place.pk), "note": note})


def _row(page, place) -> str:
    """The taxis page's table row for this place."""
    start = page.index(f'id="taxi-{place.pk}"')
    return page[start : page.index("</tr>", start)]


def _day(moment) -> str:
    return f"{timezone.localdate(moment):%-d %B %Y}"


# --- Who may agree and withdraw ------------------------------------------------------------


def test_a_project_team_member_agrees_a_taxi_with_a_note_and_the_page_shows_it(
    client, team_member, session, place
):
    response = _agree(client, team_member, session, place, note="  There and back from home ")

    assert response.status_code == 302
    agreement = TaxiAgreement.objects.get()
    assert (agreement.signup, agreement.agreed_by) == (place, team_member)
    assert agreement.note == "There and back from home"
    page = client.get(response["Location"]).content.decode()
    assert "Taxi agreed for Rita Resident." in page
    assert (
        f"By Tara Team on {_day(agreement.agreed_at)}: "
        '<span class="hub-break-words">There and back from home</span>'
    ) in page
    assert 'Withdraw<span class="govuk-visually-hidden"> the taxi for Rita Resident' in page


def test_a_team_member_withdraws_it_and_the_agreement_is_kept_as_withdrawn(
    client, team_member, staff, session, place
):
    agreement = services.agree_taxi(place, by=staff)
    client.force_login(team_member)

    response = client.post(_url(session), {"withdraw": str(agreement.pk)})

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.withdrawn_by == team_member and agreement.withdrawn_at is not None
    assert not agreement.is_live
    page = client.get(response["Location"]).content.decode()
    assert "Taxi for Rita Resident withdrawn." in page
    assert "Not agreed" in page


def test_commissioners_may_too_as_they_may_manage_every_session(
    client, commissioner, session, place
):
    assert _agree(client, commissioner, session, place).status_code == 302
    assert TaxiAgreement.objects.live().count() == 1


@pytest.mark.parametrize("who", ["other_staff", "resident", "other_resident", "moderator"])
def test_anyone_else_gets_a_404_and_changes_nothing(client, request, staff, session, place, who):
    agreement = services.agree_taxi(place, by=staff)
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url(session)).status_code == 404
    assert client.post(_url(session), {"withdraw": str(agreement.pk)}).status_code == 404
    assert TaxiAgreement.objects.live().get() == agreement
    agreement.delete()
    assert client.post(_url(session), {"agree": str(place.pk)}).status_code == 404
    assert not TaxiAgreement.objects.exists()


def test_people_not_signed_in_are_sent_to_sign_in(client, session):
    assert client.get(_url(session))["Location"].startswith("/accounts/login/")


def test_the_service_refuses_staff_who_do_not_run_the_session(other_staff, staff, place):
    with pytest.raises(PaymentError, match="Only staff running this session"):
        services.agree_taxi(place, by=other_staff)
    agreement = services.agree_taxi(place, by=staff)
    with pytest.raises(PaymentError, match="Only staff running this session"):
        services.withdraw_taxi(agreement, by=other_staff)
    assert TaxiAgreement.objects.live().get() == agreement


def test_a_sign_up_or_agreement_of_another_session_is_not_found_here(
    client, team_member, staff, session, policy
):
    elsewhere = SignUpFactory(opportunity=OpportunityFactory(project=session.project))
    other = services.agree_taxi(elsewhere, by=staff)
    client.force_login(team_member)

    assert client.post(_url(session), {"agree": str(elsewhere.pk)}).status_code == 404
    assert client.post(_url(session), {"withdraw": str(other.pk)}).status_code == 404
    assert client.post(_url(session), {"agree": "²"}).status_code == 404
    assert TaxiAgreement.objects.live().get() == other


# --- One live agreement per place ----------------------------------------------------------


def test_a_second_agreement_is_refused_and_there_is_still_one(
    client, team_member, staff, session, place
):
    first = services.agree_taxi(place, by=staff, note="From home")

    response = _agree(client, team_member, session, place, note="Another")

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "A taxi is already agreed for Rita Resident, by Sam Staff." in page
    assert TaxiAgreement.objects.get() == first
    with pytest.raises(PaymentError, match="already agreed"):
        services.agree_taxi(place, by=team_member)
    assert TaxiAgreement.objects.count() == 1


def test_after_a_withdrawal_a_new_one_can_be_agreed_and_the_old_one_stays(
    staff, team_member, place
):
    old = services.agree_taxi(place, by=staff)
    services.withdraw_taxi(old, by=staff)

    new = services.agree_taxi(place, by=team_member, note="Home only")

    assert list(TaxiAgreement.objects.live()) == [new]
    assert TaxiAgreement.objects.count() == 2
    with pytest.raises(PaymentError, match="already withdrawn, by Sam Staff"):
        services.withdraw_taxi(old, by=team_member)


def test_withdrawing_twice_from_the_page_says_so_and_withdraws_once(
    client, team_member, staff, session, place
):
    agreement = services.agree_taxi(place, by=staff)
    client.force_login(team_member)
    client.post(_url(session), {"withdraw": str(agreement.pk)})

    response = client.post(_url(session), {"withdraw": str(agreement.pk)}, follow=True)

    assert "was already withdrawn, by Tara Team" in response.content.decode()
    assert LogEntry.objects.get_for_object(agreement).count() == 2  # agreed, withdrawn once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_agreeing_at_once_make_one_agreement(staff, team_member, place):
    _, errors = run_at_once(
        [
            lambda: services.agree_taxi(SignUp.objects.get(pk=place.pk), by=staff),
            lambda: services.agree_taxi(SignUp.objects.get(pk=place.pk), by=team_member),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert TaxiAgreement.objects.count() == 1
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(TaxiAgreement)
        ).count()
        == 1
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_withdrawing_twice_at_once_withdraws_once(staff, team_member, place):
    agreement = services.agree_taxi(place, by=staff)

    _, errors = run_at_once(
        [
            lambda: services.withdraw_taxi(agreement, by=staff),
            lambda: services.withdraw_taxi(agreement, by=team_member),
        ]
    )

    assert exactly_one_refused(errors, PaymentError), errors
    assert LogEntry.objects.get_for_object(agreement).count() == 2


# --- When a taxi cannot be agreed ----------------------------------------------------------


def test_nobody_agrees_their_own_taxi(team_member, session):
    own_place = SignUpFactory(opportunity=session, resident=team_member, attendance="")

    with pytest.raises(PaymentError, match="cannot agree a taxi for yourself"):
        services.agree_taxi(own_place, by=team_member)


def test_someone_on_the_waiting_list_has_no_place_to_travel_to(staff, session, other_resident):
    waiting = SignUpFactory(
        opportunity=session,
        resident=other_resident,
        status=SignUp.Status.WAITING,
        waiting_since=timezone.now(),
        attendance="",
    )

    with pytest.raises(PaymentError, match="Oscar Other does not have a place"):
        services.agree_taxi(waiting, by=staff)


def test_a_session_that_pays_no_expenses_has_no_agree_buttons(client, team_member, session, place):
    Opportunity.objects.filter(pk=session.pk).update(pays_expenses=False)
    client.force_login(team_member)

    page = client.get(_url(session)).content.decode()

    assert "This session does not pay expenses, so we do not pay for taxis to it." in page
    assert 'name="agree"' not in page
    with pytest.raises(PaymentError, match="does not pay expenses"):
        services.agree_taxi(place, by=team_member)


@pytest.mark.parametrize("session_format", ["online", "phone"])
def test_nobody_travels_to_a_session_online_or_by_phone(
    client, team_member, session, place, session_format
):
    Opportunity.objects.filter(pk=session.pk).update(format=session_format)
    client.force_login(team_member)

    page = client.get(_url(session)).content.decode()
    manage = client.get(reverse("participation:manage", args=[session.pk])).content.decode()

    assert "This session is online or by phone, so nobody travels to it." in page
    assert 'name="agree"' not in page and _url(session) not in manage
    with pytest.raises(PaymentError, match="nobody travels to it"):
        services.agree_taxi(place, by=team_member)


def test_no_taxis_are_agreed_while_the_policy_does_not_pay_for_them(team_member, session, place):
    ExpenseRule.objects.create(
        category=ExpenseCategory.TAXI,
        allowed=False,
        starts_on=timezone.localdate(session.starts_at) - timedelta(days=1),
    )

    with pytest.raises(PaymentError, match="does not pay for taxis for sessions on this date"):
        services.agree_taxi(place, by=team_member)


def test_a_note_too_long_is_shown_again_next_to_its_box_with_what_was_typed(
    client, team_member, session, place
):
    response = _agree(client, team_member, session, place, note="x" * 201)

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert f'href="#note-{place.pk}"' in page
    assert f'id="note-{place.pk}-error"' in page
    assert 'value="' + "x" * 201 + '"' in page
    assert page.count("The note must be 200 characters or fewer") == 2  # summary and box
    assert not TaxiAgreement.objects.exists()


# --- The audit trail -----------------------------------------------------------------------


def test_agreeing_and_withdrawing_are_in_the_audit_trail_with_who_did_them(
    client, team_member, staff, session, place
):
    _agree(client, team_member, session, place, note="From home")
    agreement = TaxiAgreement.objects.get()
    services.withdraw_taxi(agreement, by=staff)

    agreed, withdrawn = LogEntry.objects.get_for_object(agreement).order_by("pk")

    assert (agreed.action, agreed.actor) == (LogEntry.Action.CREATE, team_member)
    assert agreed.changes["note"] == [None, "From home"]
    assert agreed.changes["signup"] == [None, str(place.pk)]
    assert (withdrawn.action, withdrawn.actor) == (LogEntry.Action.UPDATE, staff)
    assert withdrawn.changes["withdrawn_by"] == [None, str(staff.pk)]
    # The trail names the agreement by ids only: nothing in it to erase but the note.
    assert "Rita" not in agreed.object_repr


# --- The page: many people, one page at a time ----------------------------------------------


def _people_with_places(session, count, *, agreed_by):
    people = [UserFactory(display_name=f"Person {n:03}") for n in range(count)]
    places = SignUp.objects.bulk_create(
        [SignUp(opportunity=session, resident=person, status="booked") for person in people]
    )
    for place in places[::2]:
        TaxiAgreement.objects.create(signup=place, agreed_by=agreed_by, note="From home")


def test_the_page_costs_the_same_queries_for_5_people_as_for_50(
    client, team_member, staff, session, django_assert_max_num_queries
):
    _people_with_places(session, 5, agreed_by=staff)
    client.force_login(team_member)
    client.get(_url(session))  # fills the caches (the signed-in person, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(session)).status_code == 200

    _people_with_places(session, 45, agreed_by=team_member)
    with django_assert_max_num_queries(len(few)):
        page = client.get(_url(session)).content.decode()

    assert page.count('<strong class="govuk-tag govuk-tag--green">Agreed</strong>') == 3 + 23


def test_people_come_fifty_to_a_page_in_name_order(client, team_member, staff, session):
    _people_with_places(session, 55, agreed_by=staff)
    client.force_login(team_member)

    first = client.get(_url(session)).content.decode()
    second = client.get(_url(session), {"page": "2"}).content.decode()

    assert "People with a place (55)" in first
    assert "Person 000" in first and "Person 049" in first and "Person 050" not in first
    assert "Showing numbers 51 to 55, by name." in second
    assert "Person 054" in second and "Person 049" not in second


def test_agreeing_from_a_later_page_comes_back_to_it(client, team_member, staff, session):
    _people_with_places(session, 55, agreed_by=staff)
    last = SignUp.objects.get(resident__display_name="Person 053")
    client.force_login(team_member)

    response = client.post(_url(session) + "?page=2", {"agree": str(last.pk), "note": ""})

    assert response["Location"] == _url(session) + "?page=2"
    assert TaxiAgreement.objects.live().filter(signup=last).exists()


def test_a_note_refused_for_someone_not_on_this_page_still_shows_next_to_their_box(
    client, team_member, staff, session
):
    _people_with_places(session, 55, agreed_by=staff)
    last = SignUp.objects.get(resident__display_name="Person 053")
    client.force_login(team_member)

    page = client.post(_url(session), {"agree": str(last.pk), "note": "x" * 201}).content.decode()

    assert f'href="#note-{last.pk}"' in page and f'id="note-{last.pk}"' in page
    assert "Person 053" in page


# --- Where staff find the page, and what the person sees ------------------------------------


def _manage_page(client, person, session):
    client.force_login(person)
    return client.get(reverse("participation:manage", args=[session.pk])).content.decode()


def test_the_manage_page_links_to_the_taxis_page(client, team_member, session):
    assert f'href="{_url(session)}">Agree taxis</a>' in _manage_page(client, team_member, session)


def test_no_link_when_the_session_pays_no_expenses(client, team_member, session):
    Opportunity.objects.filter(pk=session.pk).update(pays_expenses=False)

    assert "Agree taxis" not in _manage_page(client, team_member, session)


def test_no_link_while_the_policy_does_not_pay_for_taxis(client, team_member, session):
    ExpenseRule.objects.create(
        category=ExpenseCategory.TAXI,
        allowed=False,
        starts_on=timezone.localdate(session.starts_at) - timedelta(days=1),
    )

    assert "Agree taxis" not in _manage_page(client, team_member, session)


def test_the_link_follows_a_change_to_the_taxi_rule_at_once(client, team_member, session):
    assert "Agree taxis" in _manage_page(client, team_member, session)

    ExpenseRule.objects.create(
        category=ExpenseCategory.TAXI,
        allowed=False,
        starts_on=timezone.localdate(session.starts_at) - timedelta(days=1),
    )

    assert "Agree taxis" not in _manage_page(client, team_member, session)


def test_no_link_without_a_taxi_rule(client, team_member, session):
    ExpenseRule.objects.filter(category=ExpenseCategory.TAXI).delete()

    assert "Agree taxis" not in _manage_page(client, team_member, session)


def test_the_person_sees_on_their_place_page_that_a_taxi_is_agreed(client, resident, staff, place):
    services.agree_taxi(place, by=staff, note="there and back from home")
    client.force_login(resident)

    page = client.get(place.get_absolute_url()).content.decode()

    assert (
        "A taxi has been agreed for this session: there and back from home. "
        "Keep the receipt and claim it afterwards."
    ) in " ".join(page.split())


def test_staff_see_it_on_the_place_page_too(client, team_member, staff, place):
    services.agree_taxi(place, by=staff)
    client.force_login(team_member)

    page = " ".join(client.get(place.get_absolute_url()).content.decode().split())

    assert "A taxi has been agreed for Rita Resident for this session." in page


def test_once_withdrawn_the_place_page_no_longer_says_so(client, resident, staff, place):
    services.withdraw_taxi(services.agree_taxi(place, by=staff), by=staff)
    client.force_login(resident)

    assert "A taxi has been agreed" not in client.get(place.get_absolute_url()).content.decode()


def test_cancelling_the_place_withdraws_its_taxi_so_booking_again_needs_a_new_one(
    client, resident, team_member, session, place
):
    agreement = services.agree_taxi(place, by=team_member)
    client.force_login(resident)
    client.post(reverse("participation:cancel", args=[place.pk]))
    again = participation_services.sign_up(session, resident=resident, by=team_member)

    assert (again.pk, again.status) == (place.pk, SignUp.Status.BOOKED)  # the same sign-up
    agreement.refresh_from_db()
    assert (agreement.withdrawn_by, agreement.is_live) == (resident, False)
    assert "A taxi has been agreed" not in client.get(place.get_absolute_url()).content.decode()
    client.force_login(team_member)
    row = _row(client.get(_url(session)).content.decode(), place)
    assert "Not agreed" in row and "Agree a taxi" in row
    withdrawal = LogEntry.objects.get_for_object(agreement).get(action=LogEntry.Action.UPDATE)
    assert withdrawal.actor == resident


def test_staff_cancelling_a_place_for_someone_withdraw_the_taxi_as_themselves(
    team_member, staff, place
):
    agreement = services.agree_taxi(place, by=team_member)

    participation_services.cancel_sign_up(place, by=staff)

    agreement.refresh_from_db()
    assert agreement.withdrawn_by == staff and agreement.withdrawn_at is not None


def test_a_withdrawn_taxi_stays_withdrawn_when_the_place_is_cancelled(team_member, staff, place):
    agreement = services.withdraw_taxi(services.agree_taxi(place, by=team_member), by=staff)

    participation_services.cancel_sign_up(place, by=place.resident)

    agreement.refresh_from_db()
    assert agreement.withdrawn_by == staff


# --- Their data ----------------------------------------------------------------------------


def test_the_download_holds_taxis_agreed_for_the_person(resident, staff, place):
    services.agree_taxi(place, by=staff, note="From 3 Elm Road")

    (taxi,) = privacy.export(resident)["taxis_agreed_for_you"]

    assert (taxi["agreed_by"], taxi["note"], taxi["withdrawn"]) == (
        "Sam Staff",
        "From 3 Elm Road",
        None,
    )


def test_erasing_blanks_the_note_and_keeps_who_agreed_it_for_a_place_kept(
    resident, staff, commissioner, make_claim, project_with_team
):
    attended = SignUpFactory(
        resident=resident, opportunity=OpportunityFactory(project=project_with_team)
    )
    agreement = services.agree_taxi(attended, by=staff, note="From 3 Elm Road")
    make_claim(resident, status="paid", reviewer=commissioner, signup=attended)

    account_privacy.erase(resident)

    agreement.refresh_from_db()
    assert agreement.note == "" and agreement.agreed_by == staff
    entries = LogEntry.objects.get_for_object(agreement)
    assert entries.exists()
    assert "Elm Road" not in str(list(entries.values_list("changes", flat=True)))


def test_erasing_deletes_agreements_for_places_that_go(resident, staff, place):
    services.agree_taxi(place, by=staff, note="From 3 Elm Road")

    account_privacy.erase(resident)

    assert not SignUp.objects.filter(pk=place.pk).exists()
    assert not TaxiAgreement.objects.exists()
    assert "Elm Road" not in str(
        list(
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(TaxiAgreement)
            ).values_list("changes", flat=True)
        )
    )


# --- The admin -----------------------------------------------------------------------------


def test_the_admin_lists_agreements_to_read_only_at_a_fixed_cost(
    client, admin_user, staff, session, django_assert_max_num_queries
):
    url = reverse("admin:payments_taxiagreement_changelist")
    _people_with_places(session, 4, agreed_by=staff)
    client.force_login(admin_user)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _people_with_places(session, 20, agreed_by=staff)

    with django_assert_max_num_queries(len(few)):
        page = client.get(url).content.decode()

    assert "Person 018" in page  # every other person has a taxi agreed
    agreement = TaxiAgreement.objects.first()
    change = client.get(reverse("admin:payments_taxiagreement_change", args=[agreement.pk]))
    assert 'name="note"' not in change.content.decode()  # shown, not editable
    assert client.get(reverse("admin:payments_taxiagreement_add")).status_code == 403
