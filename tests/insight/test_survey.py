"""The outcome survey: invitations, the tokenised link, answering and changing answers."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from insight import services
from insight.models import SurveyInvitation, SurveyResponse
from insight.tasks import invite_recent_attendees
from insight.tokens import survey_token
from notifications.models import Message
from notifications.tokens import unsubscribe_token
from participation.models import SignUp

from .factories import OpportunityFactory, SignUpFactory, invitation_for, response_for

pytestmark = pytest.mark.django_db

ALL_AGREE = {
    "valued": "5",
    "strengths": "4",
    "respect": "5",
    "shaped": "3",
    "paid_fairly": "prefer_not",
    "heard_back": "2",
}


ALL_AGREE_AS_SAVED = {
    "valued": 5,
    "strengths": 4,
    "respect": 5,
    "shaped": 3,
    "paid_fairly": None,
    "heard_back": 2,
}


def _link(message_body):
    return re.search(r"http://\S+/survey/\S+/", message_body).group(0)


def _path(signup):
    return f"/survey/{survey_token(signup)}/"


# --- invitations ---------------------------------------------------------------------


def test_attending_brings_one_invitation_by_email(client, django_capture_on_commit_callbacks):
    signup = SignUpFactory(resident__display_name="Nadia Patel")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_to_survey(signup)
        services.invite_to_survey(signup)
    assert SurveyInvitation.objects.filter(signup=signup).count() == 1
    message = Message.objects.get(kind="outcome_survey", recipient=signup.resident)
    assert message.event_key == f"signup:{signup.pk}:outcome_survey"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == f"How did it go? {signup.opportunity.title}"
    assert "Hello Nadia," in email.body
    # The emailed link opens this person's survey.
    link = _link(email.body)
    assert link.startswith("http://127.0.0.1:8000/survey/")
    assert (
        "How did it go?" in client.get(link.removeprefix("http://127.0.0.1:8000")).content.decode()
    )


def test_the_survey_closes_eight_weeks_after_the_session():
    signup = SignUpFactory()
    invitation = services.invite_to_survey(signup)
    assert invitation.closes_at == signup.opportunity.ends_at + timedelta(weeks=8)


@pytest.mark.parametrize(
    "fields",
    [
        {"attendance": SignUp.Attendance.NO_SHOW},
        {"attendance": SignUp.Attendance.APOLOGIES},
        {"attendance": SignUp.Attendance.UNKNOWN},
        {"status": SignUp.Status.CANCELLED},
    ],
)
def test_only_people_who_attended_are_invited(fields):
    signup = SignUpFactory(**fields)
    assert services.invite_to_survey(signup) is None
    assert not Message.objects.filter(kind="outcome_survey").exists()


def test_nobody_is_invited_to_a_survey_that_has_already_closed():
    old = OpportunityFactory(starts_at=timezone.now() - timedelta(weeks=9))
    assert services.invite_to_survey(SignUpFactory(opportunity=old)) is None


def test_the_periodic_task_invites_anyone_the_hook_missed():
    missed = SignUpFactory()
    already = SignUpFactory()
    services.invite_to_survey(already)
    SignUpFactory(attendance=SignUp.Attendance.NO_SHOW)
    SignUpFactory(opportunity=OpportunityFactory(starts_at=timezone.now() - timedelta(weeks=9)))
    assert invite_recent_attendees() == 1
    assert SurveyInvitation.objects.filter(signup=missed).exists()
    assert Message.objects.filter(kind="outcome_survey").count() == 2
    assert invite_recent_attendees() == 0


def test_the_periodic_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["invite-to-surveys"]
    assert entry["task"] == "insight.tasks.invite_recent_attendees"


# --- the link ------------------------------------------------------------------------


@pytest.fixture
def invited():
    signup = SignUpFactory()
    invitation_for(signup)
    return signup


def test_the_link_opens_the_survey_without_signing_in(client, invited):
    page = client.get(_path(invited)).content.decode()
    assert "How did it go?" in page
    assert invited.opportunity.title in page
    # One fieldset per statement, each a set of GOV.UK radios with "Prefer not to say".
    assert page.count('<fieldset class="govuk-fieldset"') == 6
    assert page.count('value="prefer_not"') == 6
    assert "I was paid, and got my expenses back, fairly and on time" in page


def test_an_altered_link_gets_a_clear_message(client, invited):
    token = survey_token(invited)
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/survey/{altered}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_made_for_something_else_does_not_open_a_survey(client, invited):
    other_purpose = unsubscribe_token(invited.resident_id, "surveys")
    response = client.get(f"/survey/{other_purpose}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_link_for_someone_not_invited_does_not_work(client):
    signup = SignUpFactory()
    response = client.get(_path(signup))
    assert response.status_code == 404


def test_a_link_stops_working_if_attendance_is_corrected(client, invited):
    SignUp.objects.filter(pk=invited.pk).update(attendance=SignUp.Attendance.NO_SHOW)
    assert client.get(_path(invited)).status_code == 404


def test_an_expired_link_gets_a_clear_message(client, invited):
    path = _path(invited)
    with time_machine.travel(timezone.now() + timedelta(weeks=8, days=1), tick=False):
        response = client.get(path)
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()


def test_a_long_sessions_link_works_until_the_closing_date_in_the_email(
    client, django_capture_on_commit_callbacks
):
    """A 12-week course: attendance is recorded at its first meeting, so the invitation (and
    its link) is made then, but the survey closes 8 weeks after the course ends."""
    start = timezone.now().replace(microsecond=0)
    course = OpportunityFactory(starts_at=start, ends_at=start + timedelta(weeks=12))
    signup = SignUpFactory(opportunity=course)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_to_survey(signup, now=start + timedelta(hours=1))
    path = _link(mail.outbox[0].body).removeprefix("http://127.0.0.1:8000")
    assert invitation.closes_at == start + timedelta(weeks=20)
    closes = timezone.localtime(invitation.closes_at)
    assert f"You can change your answers until {closes:%-d %B %Y}" in (mail.outbox[0].body)

    # Ten weeks after the link was made: past 8 weeks, but well before the closing date.
    with time_machine.travel(start + timedelta(weeks=10), tick=False):
        assert "How did it go?" in client.get(path).content.decode()
        assert client.post(path, ALL_AGREE).status_code == 302
    assert SurveyResponse.objects.filter(signup=signup).exists()

    # The day before the closing date it still works; the day after, it has closed.
    with time_machine.travel(invitation.closes_at - timedelta(days=1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(invitation.closes_at + timedelta(days=1), tick=False):
        response = client.get(path)
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()


def test_a_link_reused_after_the_survey_closed_gets_a_clear_message(client, invited):
    path = _path(invited)
    assert client.post(path, ALL_AGREE).status_code == 302
    SurveyInvitation.objects.filter(signup=invited).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(path)
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    response = client.post(path, {**ALL_AGREE, "valued": "1"})
    assert response.status_code == 410
    assert SurveyResponse.objects.get(signup=invited).valued == 5


# --- answering -----------------------------------------------------------------------


def test_answers_are_saved_with_prefer_not_to_say_as_no_rating(client, invited):
    path = _path(invited)
    response = client.post(path, ALL_AGREE)
    assert response.status_code == 302
    assert response["Location"] == path + "thanks/"
    saved = SurveyResponse.objects.get(signup=invited)
    assert (saved.valued, saved.shaped, saved.paid_fairly, saved.heard_back) == (5, 3, None, 2)
    assert saved.opportunity == invited.opportunity
    page = client.get(response["Location"]).content.decode()
    assert "Thank you" in page
    assert "change your answers" in page


def test_answering_again_changes_the_same_response(client, invited):
    client.post(_path(invited), ALL_AGREE)
    page = client.get(_path(invited)).content.decode()
    assert "You can change your answers until" in page
    assert re.search(r'value="5"\s+checked', page)  # the earlier answers are filled in
    client.post(_path(invited), {**ALL_AGREE, "valued": "1", "comment": "Changed my mind."})
    assert SurveyResponse.objects.filter(signup=invited).count() == 1
    saved = SurveyResponse.objects.get(signup=invited)
    assert (saved.valued, saved.comment) == (1, "Changed my mind.")


def test_one_response_per_person_per_opportunity_is_enforced_by_the_database(invited):
    from django.db import IntegrityError, transaction

    response_for(invited)
    with pytest.raises(IntegrityError), transaction.atomic():
        response_for(invited)


def test_a_missing_answer_shows_an_error_and_keeps_what_was_chosen(client, invited):
    answers = {**ALL_AGREE, "comment": "Good biscuits."}
    del answers["respect"]
    response = client.post(_path(invited), answers)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Choose an answer for “I was treated with respect and dignity”" in page
    assert "<title>Error: How did it go?" in page
    assert "Good biscuits." in page
    assert re.search(r'value="prefer_not"\s+checked', page)
    assert not SurveyResponse.objects.exists()


def test_a_made_up_answer_is_refused(client, invited):
    response = client.post(_path(invited), {**ALL_AGREE, "valued": "11"})
    assert "There is a problem" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_people_can_say_they_have_not_been_paid_or_heard_back_yet(client, invited):
    page = client.get(_path(invited)).content.decode()
    # Only the two statements about what comes later offer "not yet".
    assert page.count('value="not_yet"') == 2
    assert "I have not been paid yet" in page and "I have not heard back yet" in page

    response = client.post(_path(invited), {**ALL_AGREE, "paid_fairly": "not_yet"})

    saved = SurveyResponse.objects.get(signup=invited)
    assert (saved.paid_fairly, saved.paid_fairly_not_yet) == (None, True)
    assert (saved.heard_back, saved.heard_back_not_yet) == (2, False)
    thanks = client.get(response["Location"]).content.decode()
    assert "<li>I have not been paid yet</li>" in thanks
    assert 'href="/claims/">your claims</a>' in thanks
    assert "When that changes, you can" in thanks
    # Coming back, "not yet" is still chosen; answering again replaces it.
    assert re.search(r'value="not_yet"\s+checked', client.get(_path(invited)).content.decode())
    client.post(_path(invited), {**ALL_AGREE, "paid_fairly": "5"})
    saved.refresh_from_db()
    assert (saved.paid_fairly, saved.paid_fairly_not_yet) == (5, False)


def test_not_yet_is_refused_for_a_statement_that_does_not_offer_it(client, invited):
    response = client.post(_path(invited), {**ALL_AGREE, "valued": "not_yet"})
    assert "There is a problem" in response.content.decode()
    with pytest.raises(services.InsightError):
        services.save_survey_response(
            invited, answers={**ALL_AGREE_AS_SAVED, "valued": "not_yet"}, comment=""
        )
    assert not SurveyResponse.objects.exists()


def test_the_database_refuses_a_rating_beside_not_yet(invited):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            signup=invited, opportunity=invited.opportunity, heard_back=4, heard_back_not_yet=True
        )


def test_personal_details_in_the_comment_are_removed_before_anything_is_saved(client, invited):
    invited.resident.display_name = "Bernadette Okonkwo"
    invited.resident.save()
    comment = (
        "Bernadette here. Call me on 07700 900123 or write to 12 Acacia Avenue. "
        "The room was too cold."
    )
    client.post(_path(invited), {**ALL_AGREE, "comment": comment})
    saved = SurveyResponse.objects.get(signup=invited)
    assert "Bernadette" not in saved.comment
    assert "07700" not in saved.comment
    assert "Acacia" not in saved.comment
    assert "The room was too cold." in saved.comment
    assert saved.comment_redactions == 3
    page = client.get(_path(invited) + "thanks/").content.decode()
    assert "We removed personal details" in page


def test_a_long_comment_gets_an_error(client, invited):
    response = client.post(_path(invited), {**ALL_AGREE, "comment": "x" * 2001})
    assert "Keep your answer to 2,000 characters or fewer" in response.content.decode()


def test_the_thanks_page_sends_people_who_have_not_answered_to_the_survey(client, invited):
    path = _path(invited)
    response = client.get(path + "thanks/")
    assert response.status_code == 302
    assert response["Location"] == path


def test_attendance_recorded_by_staff_leads_to_an_invitation(
    staff, django_capture_on_commit_callbacks
):
    """Whether or not participation calls the hook, the sweep makes sure of it."""
    from participation.services import record_attendance

    signup = SignUpFactory(attendance=SignUp.Attendance.UNKNOWN)
    with django_capture_on_commit_callbacks(execute=True):
        record_attendance(
            signup.opportunity, by=staff, marks={signup.pk: SignUp.Attendance.ATTENDED}
        )
        invite_recent_attendees()
    assert SurveyInvitation.objects.filter(signup=signup).count() == 1
    assert Message.objects.filter(kind="outcome_survey", recipient=signup.resident).count() == 1


def test_the_hook_can_run_inside_the_attendance_transaction():
    from django.db import transaction

    signup = SignUpFactory()
    with transaction.atomic():
        services.invite_to_survey(signup)
    assert SurveyInvitation.objects.filter(signup=signup).exists()


def test_a_session_without_a_project_has_a_survey_too(client):
    signup = SignUpFactory(opportunity__project=None, opportunity__level="service")
    invitation_for(signup)
    path = _path(signup)
    assert client.post(path, {**ALL_AGREE, "comment": "Fine."}).status_code == 302
    assert SurveyResponse.objects.get(signup=signup).comment == "Fine."


def test_the_call_list_copy_of_an_invitation_carries_no_private_link(client):
    from participation.permissions import running_in_person

    signup = SignUpFactory(resident__display_name="Nadia Patel", resident__email="")

    services.invite_to_survey(signup)

    message = Message.objects.get(kind="outcome_survey")
    assert message.status == Message.Status.CALL_LIST
    # The staff running the session see the call (the call list shows each their own).
    (runner,) = running_in_person([signup.opportunity])[signup.opportunity.pk]
    client.force_login(runner)
    page = client.get("/notifications/call-list/").content.decode()
    assert "Please call Nadia" in page
    assert survey_token(signup) not in page and "/survey/" not in page
