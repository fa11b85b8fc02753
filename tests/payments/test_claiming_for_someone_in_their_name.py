"""Staff claiming for someone are asked about that person, by name: asked "How do you want to
be paid?" they could answer about themselves, and the answer would be recorded against the
resident, whom commissioners judge by it. The person claiming for themselves is asked as
before."""

import pytest
from django.urls import reverse

from payments import services
from tests.factories import UserFactory

from .factories import OpportunityFactory, SignUpFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doris(db):
    return UserFactory(display_name="Doris Day")


@pytest.fixture
def claim(policy, staff, doris):
    attended = SignUpFactory(
        resident=doris, opportunity=OpportunityFactory(created_by=staff, project=None)
    )
    return services.start_claim(attended, by=staff, on_behalf_note="She rang me")


def _details(client, claim, data=None):
    url = reverse("payments:claim_details", args=[claim.pk])
    return (client.post(url, data) if data is not None else client.get(url)).text


class TestThePaymentDetailsPage:
    def test_staff_are_asked_about_the_person_by_name(self, client, staff, claim):
        client.force_login(staff)

        page = _details(client, claim)

        assert "<title>Payment details for Doris Day" in page
        assert '<h1 class="govuk-heading-l">Payment details for Doris Day</h1>' in page
        assert "Answer about Doris Day, as they told you, not about yourself." in page
        assert "How does Doris want to be paid?" in page
        assert "Does Doris work for the council or one of its partners?" in page
        assert "How does Doris want to get their vouchers?" in page
        assert "Doris has told me this activity was not part of their paid job" in page
        assert "Our finance team will contact them for their bank details" in page
        for about_yourself in (
            "Your payment details",
            "How do you want to be paid?",
            "Do you work for the council",
            "my paid job",
            "your bank",
        ):
            assert about_yourself not in page

    def test_staff_mistakes_are_about_the_person_too(self, client, staff, claim):
        client.force_login(staff)

        page = _details(client, claim, {"employed_by_partner": "yes"})

        assert "Choose how Doris wants to be paid" in page
        assert "Confirm that Doris did not do this activity as part of their paid job" in page

    def test_the_person_is_asked_as_before(self, client, doris, claim):
        client.force_login(doris)

        page = _details(client, claim)

        assert "<title>Your payment details" in page
        assert "How do you want to be paid?" in page
        assert "Do you work for the council or one of its partners?" in page
        assert "I confirm this activity was not part of my paid job" in page
        assert "How do you want to get your vouchers?" in page
        assert "How does Doris" not in page and "as they told you" not in page

    def test_someone_we_have_no_name_for_is_the_person(self, client, staff, claim, doris):
        doris.display_name = ""
        doris.save(update_fields=["display_name"])
        client.force_login(staff)

        page = _details(client, claim)

        assert "How does the person want to be paid?" in page
        assert "The person has told me this activity was not part of their paid job" in page


class TestTheExpenseForm:
    def test_staff_are_asked_what_the_person_spent(self, client, staff, claim):
        client.force_login(staff)

        page = client.get(reverse("payments:expense_add", args=[claim.pk])).text

        assert "Add an expense for Doris Day" in page
        assert "What did Doris spend money on?" in page
        assert "How many miles did Doris travel?" in page
        assert "Who agreed it before Doris travelled?" in page
        assert "must be agreed with us before Doris travels" in page
        assert "What did you spend money on?" not in page

    def test_staff_mistakes_name_the_person(self, client, staff, claim):
        client.force_login(staff)

        page = client.post(
            reverse("payments:expense_add", args=[claim.pk]), {"category": "mileage"}
        ).text

        assert "Enter how many miles Doris travelled" in page

    def test_the_person_is_asked_as_before(self, client, doris, claim):
        client.force_login(doris)

        page = client.get(reverse("payments:expense_add", args=[claim.pk])).text
        mistake = client.post(
            reverse("payments:expense_add", args=[claim.pk]), {"category": "mileage"}
        ).text

        assert "What did you spend money on?" in page
        assert "must be agreed with us before you travel" in page
        assert "Add an expense for" not in page
        assert "Enter how many miles you travelled" in mistake


def test_the_claim_page_tells_staff_what_to_answer_for_the_person(client, staff, claim):
    client.force_login(staff)

    page = client.get(reverse("payments:claim", args=[claim.pk])).text

    assert "Choose how Doris wants to be paid" in page
    assert "Say whether Doris works for the council or one of its partners" in page
    assert "Choose how you want to be paid" not in page
