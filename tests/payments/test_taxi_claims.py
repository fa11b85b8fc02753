"""A claim for a place with a taxi agreed in the hub: the person is not asked who agreed it,
the line records the agreement, and the commissioner sees who agreed it and when. A
withdrawn agreement no longer counts: the person is asked again, as before."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import Claim, TaxiAgreement
from payments.services import PaymentError

from .conftest import PNG_BYTES
from .factories import OpportunityFactory, SignUpFactory, claim_in_state
from .test_questions_shown_under_their_answer import _read

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(policy, staff, project_with_team):
    """Last week's workshop, run by Sam Staff's project with Tara Team on the team."""
    return OpportunityFactory(project=project_with_team, created_by=staff)


@pytest.fixture
def attended(session, resident):
    return SignUpFactory(opportunity=session, resident=resident)


@pytest.fixture
def draft(attended, resident):
    return claim_in_state(resident, status=Claim.Status.DRAFT, signup=attended, bus=0)


def _agreed_before_the_session(agreement):
    """As it would be: agreed the week before (the session here is in the past)."""
    before = agreement.signup.opportunity.starts_at - timedelta(days=7)
    TaxiAgreement.objects.filter(pk=agreement.pk).update(agreed_at=before)
    agreement.refresh_from_db()
    return agreement


def _taxi(claim, by, *, agreed_with="", amount_pence=1800):
    receipt = services.store_receipt(
        SimpleUploadedFile("taxi.png", PNG_BYTES),
        owner=claim.claimant,
        by=by,
        content_type="image/png",
    )
    return services.save_expense(
        claim,
        by=by,
        category="taxi",
        description="",
        amount_pence=amount_pence,
        miles=None,
        agreed_with=agreed_with,
        receipt=receipt,
    )


def _words(response) -> str:
    return " ".join(response.content.decode().split())


def _day(moment) -> str:
    return f"{timezone.localdate(moment):%-d %B %Y}"


# --- The claim form ------------------------------------------------------------------------


def test_with_a_taxi_agreed_the_form_does_not_ask_who_agreed_it(
    client, resident, staff, attended, draft
):
    services.agree_taxi(attended, by=staff)
    client.force_login(resident)

    response = client.get(reverse("payments:expense_add", args=[draft.pk]))

    page = _read(response)
    assert "agreed_with" not in page.input_names
    assert page.reveals == {("category", "mileage"): (True, ["miles"])}
    assert "Sam Staff agreed a taxi for you for this session" in _words(response)


def test_a_taxi_sent_without_a_name_is_saved_relying_on_the_agreement(
    client, resident, staff, attended, draft, other_resident
):
    agreement = services.agree_taxi(attended, by=staff)
    # Someone else's agreement, sent in the form: the line never takes it from there.
    elsewhere = SignUpFactory(opportunity=attended.opportunity, resident=other_resident)
    other = services.agree_taxi(elsewhere, by=staff)
    client.force_login(resident)

    response = client.post(
        reverse("payments:expense_add", args=[draft.pk]),
        {"category": "taxi", "amount": "18.00", "taxi_agreement": str(other.pk)},
    )

    assert response.status_code == 302
    line = draft.lines.get(category="taxi")
    assert (line.taxi_agreement, line.agreed_with, line.amount_pence) == (agreement, "", 1800)


def test_without_an_agreement_the_name_is_still_required(client, resident, draft):
    client.force_login(resident)

    response = client.post(
        reverse("payments:expense_add", args=[draft.pk]), {"category": "taxi", "amount": "18.00"}
    )

    assert "Enter the name of the person who agreed the taxi before you travelled" in (
        response.content.decode()
    )
    assert "agreed_with" in _read(response).input_names
    assert not draft.lines.filter(category="taxi").exists()
    with pytest.raises(PaymentError, match="Enter the name of the person"):
        _taxi(draft, resident)


def test_a_taxi_agreed_for_someone_else_at_the_session_does_not_count(
    resident, staff, attended, draft, other_resident
):
    services.agree_taxi(
        SignUpFactory(opportunity=attended.opportunity, resident=other_resident), by=staff
    )

    with pytest.raises(PaymentError, match="Enter the name of the person"):
        _taxi(draft, resident)


def test_a_withdrawn_agreement_does_not_count_and_the_question_comes_back(
    client, resident, staff, attended, draft
):
    services.withdraw_taxi(services.agree_taxi(attended, by=staff), by=staff)
    client.force_login(resident)

    page = _read(client.get(reverse("payments:expense_add", args=[draft.pk])))

    assert page.reveals[("category", "taxi")] == (True, ["agreed_with"])
    with pytest.raises(PaymentError, match="Enter the name of the person"):
        _taxi(draft, resident)


def test_a_taxi_claimed_before_the_agreement_relies_on_it_once_agreed(
    resident, staff, attended, draft
):
    line = _taxi(draft, resident, agreed_with="Jo Bloggs")

    agreement = services.agree_taxi(attended, by=staff)

    line.refresh_from_db()
    assert line.taxi_agreement == agreement


def test_a_claim_already_decided_keeps_what_the_commissioner_saw(
    resident, staff, commissioner, attended, draft
):
    line = _taxi(draft, resident, agreed_with="Jo Bloggs")
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    services.approve_claim(claim, by=commissioner)

    services.agree_taxi(attended, by=staff)

    line.refresh_from_db()
    assert line.taxi_agreement is None


def test_the_person_sees_on_their_claim_who_agreed_the_taxi(
    client, resident, staff, attended, draft
):
    agreement = services.agree_taxi(attended, by=staff)
    _taxi(draft, resident)
    client.force_login(resident)

    page = _words(client.get(draft.get_absolute_url()))

    assert f"Agreed by Sam Staff on {_day(agreement.agreed_at)}" in page
    assert "Check with" not in page


# --- Reviewing -----------------------------------------------------------------------------


def test_the_commissioner_sees_who_agreed_it_and_when_instead_of_being_asked_to_check(
    client, resident, staff, commissioner, attended, draft
):
    agreement = _agreed_before_the_session(
        services.agree_taxi(attended, by=staff, note="There and back from home")
    )
    _taxi(draft, resident)
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    client.force_login(commissioner)

    page = _words(client.get(claim.get_absolute_url()))

    assert (
        f"Agreed in the hub by Sam Staff on {_day(agreement.agreed_at)}: "
        "Taxi (agreed with us before the journey), £18."
    ) in page
    assert 'Their note: <span class="hub-break-words">There and back from home</span>' in page
    assert "after the session started" not in page
    assert "Check with" not in page


def test_an_agreement_recorded_after_the_session_says_so(
    client, resident, staff, commissioner, attended, draft
):
    services.agree_taxi(attended, by=staff)  # the session was last week
    _taxi(draft, resident)
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    client.force_login(commissioner)

    page = _words(client.get(claim.get_absolute_url()))

    assert "They recorded it after the session started." in page


def test_withdrawn_after_the_claim_was_sent_it_shows_as_withdrawn_and_the_prompt_comes_back(
    client, resident, staff, team_member, commissioner, attended, draft
):
    agreement = services.agree_taxi(attended, by=staff)
    _taxi(draft, resident)
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    services.withdraw_taxi(agreement, by=team_member)
    agreement.refresh_from_db()
    client.force_login(commissioner)

    page = _words(client.get(claim.get_absolute_url()))

    assert (
        f"A taxi was agreed in the hub by Sam Staff on {_day(agreement.agreed_at)}, but Tara "
        f"Team withdrew it on {_day(agreement.withdrawn_at)}"
    ) in page
    assert (
        "Check with the staff running the session that the taxi was agreed before Rita "
        "Resident travelled, before you approve it."
    ) in page
    assert "Agreed in the hub by" not in page
    assert claim.lines.get(category="taxi").taxi_agreement == agreement  # its history stays


def test_withdrawn_with_a_name_given_it_asks_to_check_with_that_person(
    client, resident, staff, commissioner, attended, draft
):
    agreement = services.agree_taxi(attended, by=staff)
    _taxi(draft, resident)
    services.withdraw_taxi(agreement, by=staff)
    line = draft.lines.get(category="taxi")
    services.save_expense(
        draft,
        by=resident,
        line=line,
        category="taxi",
        description="",
        amount_pence=1800,
        miles=None,
        agreed_with="Jo Bloggs",
    )
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    client.force_login(commissioner)

    page = _words(client.get(claim.get_absolute_url()))

    assert "but Sam Staff withdrew it" in page
    assert "Check with Jo Bloggs before you approve it." in page
    line.refresh_from_db()
    assert line.taxi_agreement == agreement and line.agreed_with == "Jo Bloggs"


def test_a_claim_whose_agreement_was_withdrawn_cannot_be_sent_until_they_say_who_agreed_it(
    client, resident, staff, attended, draft
):
    agreement = services.agree_taxi(attended, by=staff)
    line = _taxi(draft, resident)  # saved while it stood, so nobody asked who agreed it
    services.withdraw_taxi(agreement, by=staff)
    client.force_login(resident)

    page = _words(client.get(draft.get_absolute_url()))

    assert "Tell us who agreed your taxi before you travelled" in page
    change = reverse("payments:expense_change", args=[draft.pk, line.pk])
    assert f'href="{change}#id_agreed_with"' in page
    with pytest.raises(PaymentError, match="Tell us who agreed your taxi"):
        services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    form = _read(client.get(change))
    assert form.reveals[("category", "taxi")] == (False, ["agreed_with"])


def test_a_correction_may_pay_an_agreed_taxi(resident, staff, commissioner, attended, draft):
    services.agree_taxi(attended, by=staff)
    _taxi(draft, resident)
    claim = services.submit_claim(draft, by=resident, benefits_acknowledged=True)
    claim = services.approve_claim(claim, by=commissioner)

    assert services.correction_limits(claim).expenses_pence == 1800
