"""A participant answers the outcome survey from the emailed link; a commissioner then sees
the answer in the outcomes chart and its data table. Keyboard only, zero axe violations."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from insight.models import SurveyResponse
from insight.tasks import invite_recent_attendees
from participation.models import Opportunity, SignUp
from projects.models import Project, ServiceArea
from tests.factories import UserFactory
from tests.insight.factories import response_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def attended(staff):
    area = ServiceArea.objects.create(name="Carers", slug="carers")
    project = Project.objects.create(
        title="Short breaks for carers",
        slug="short-breaks",
        summary="Shaping short breaks with carers.",
        service_area=area,
        level="service",
        owner=staff,
        claimed_step=6,
        evidenced_step=6,
    )
    starts = timezone.now() - timedelta(days=3)
    session = Opportunity.objects.create(
        project=project,
        title="Short breaks workshop",
        description="What makes a good short break?",
        kind=Opportunity.Kind.WORKSHOP,
        format=Opportunity.Format.IN_PERSON,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=12,
        status=Opportunity.Status.CLOSED,
        created_by=staff,
    )
    person = UserFactory(display_name="Nadia Patel")
    return SignUp.objects.create(
        opportunity=session,
        resident=person,
        status=SignUp.Status.BOOKED,
        attendance=SignUp.Attendance.ATTENDED,
        attendance_recorded_at=timezone.now(),
    )


def _tab_to(page, predicate_js, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_a_participant_answers_and_a_commissioner_sees_it(
    page, axe, fits_320, sign_in, attended, commissioner
):
    # The periodic sweep invites the attendee; the outbox delivers the email.
    assert invite_recent_attendees() == 1
    email = next(m for m in mail.outbox if m.to == [attended.resident.email])
    link = re.search(r"http://\S+/survey/\S+/", email.body).group(0)
    page.goto(re.sub(r"^http://[^/]+", "", link))
    page.get_by_role("heading", name="How did it go?").wait_for()
    axe(page)
    fits_320()

    # Sending nothing shows the error summary.
    _tab_to(page, "document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    assert page.title().startswith("Error:")
    axe(page)

    # Answer every statement with the keyboard: Tab into each group, Space to choose the
    # first answer, an arrow key to move to the next one.
    _tab_to(page, "document.activeElement.id === 'id_valued_1'")
    for group in ["valued", "strengths", "respect", "shaped", "paid_fairly", "heard_back"]:
        assert page.evaluate("document.activeElement.name") == group
        page.keyboard.press("Space")
        if group == "heard_back":
            page.keyboard.press("ArrowDown")  # "Agree" rather than "Strongly agree"
        if group == "paid_fairly":
            for _ in range(5):  # past the five ratings and the "or"
                page.keyboard.press("ArrowDown")
            assert page.evaluate("document.activeElement.value") == "not_yet"
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("Good session. Call me on 07700 900123 if you need more.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you").wait_for()
    axe(page)
    assert page.get_by_text("I have not been paid yet").is_visible()
    assert page.get_by_role("link", name="your claims").is_visible()
    saved = SurveyResponse.objects.get(signup=attended)
    assert (saved.valued, saved.heard_back) == (5, 4)
    assert (saved.paid_fairly, saved.paid_fairly_not_yet) == (None, True)
    assert "07700" not in saved.comment

    # Nine others at the session answered too: staff only see results from ten people up.
    for _ in range(9):
        other = SignUp.objects.create(
            opportunity=attended.opportunity,
            resident=UserFactory(),
            status=SignUp.Status.BOOKED,
            attendance=SignUp.Attendance.ATTENDED,
            attendance_recorded_at=timezone.now(),
        )
        response_for(other, rating=4)
    # Results show once every survey about the quarter has closed (8 weeks after it ends):
    # as if the session had been five months ago.
    long_ago = timezone.now() - timedelta(days=160)
    Opportunity.objects.filter(pk=attended.opportunity_id).update(
        starts_at=long_ago, ends_at=long_ago + timedelta(hours=2)
    )

    # The commissioner sees it on the dashboard.
    page.context.clear_cookies()
    sign_in(commissioner)
    page.goto("/insight/")
    page.get_by_role("heading", name="Outcomes", exact=True).wait_for()
    axe(page)
    chart = page.get_by_role("img", name="Share of participants who agree with each “I” statement")
    assert chart.is_visible()
    assert "100% agree" in chart.text_content()

    # Keyboard: the contents link, then into the outcomes section, then open the table.
    _tab_to(page, "document.activeElement.textContent.trim() === 'Outcomes'")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    summary = page.evaluate("document.activeElement.textContent")
    assert "Show the data as a table" in summary
    page.keyboard.press("Enter")
    table = page.get_by_role("table", name="What participants said: each “I” statement")
    table.wait_for()
    row = table.get_by_role("row", name=re.compile("I heard back about what changed"))
    assert row.get_by_role("cell").all_inner_texts() == ["10", "10", "100%", "4.0", "0"]
    paid = table.get_by_role("row", name=re.compile("I was paid"))
    assert paid.get_by_role("cell").all_inner_texts() == ["9", "9", "100%", "4.0", "1"]
    assert "[phone number]" in page.locator(".hub-comments").inner_text()
    axe(page)
    fits_320()


def test_equality_answers_by_keyboard(page, axe, fits_320, sign_in, resident):
    sign_in(resident)
    page.goto("/my/equality/")
    axe(page)
    fits_320()
    _tab_to(page, "document.activeElement.name === 'age_band'")
    page.keyboard.press("Space")
    _tab_to(page, "document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.get_by_text("Your answers are saved").wait_for()
    page.get_by_role("link", name="Delete all your answers").focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Delete your answers to the optional questions?").wait_for()
    axe(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Delete my answers").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Your answers to the optional questions have been deleted").wait_for()
    axe(page)
