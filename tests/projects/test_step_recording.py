"""Recording the honest step: the claim, the evidence, the warning, the reason and the history."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Message, Unsubscribe
from participation import services as participation
from participation.models import SignUp
from projects import services as projects_services
from projects.ladder import Step
from projects.models import StepChange
from projects.services import ProjectError, record_step
from tests.factories import UserFactory
from tests.participation.factories import OpportunityFactory

from .factories import CONSULTATION_EVIDENCE, ProjectFactory, evidence, step_post_data
from .html import checked, option_labels

pytestmark = pytest.mark.django_db


def _step_url(project):
    return reverse("projects:step", args=[project.slug])


def test_an_honest_co_production_claim_saves_at_once(client, owner, draft):
    client.force_login(owner)
    response = client.post(_step_url(draft), step_post_data(7, evidence()))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.claimed_step, draft.evidenced_step) == (Step.CO_PRODUCTION, Step.CO_PRODUCTION)
    assert draft.public_step == Step.CO_PRODUCTION
    change = draft.step_changes.get()
    assert (change.from_claimed, change.to_claimed, change.changed_by) == (None, 7, owner)


def test_an_inflated_claim_is_explained_in_plain_words_before_anything_is_saved(
    client, owner, draft
):
    client.force_login(owner)
    data = step_post_data(7, CONSULTATION_EVIDENCE, reason="The council sets the budget.")

    response = client.post(_step_url(draft), data)

    assert response.status_code == 200
    page = response.text
    assert "Your answers show Consultation, not Co-production." in page
    assert "If you save, the public will see Consultation." in page
    assert "Check before you save the step" in page
    # Every answer is kept on the page for the second submit.
    assert 'name="confirmed_gap" value="7&gt;4"' in page
    assert checked(page, "decides") == {"council_after_hearing"}
    assert checked(page, "claimed_step") == {"7"}
    assert checked(page, "voluntary") == {"yes"}
    assert checked(page, "sets_agenda") == {"no"}
    assert "The council sets the budget." in page
    draft.refresh_from_db()
    assert draft.claimed_step is None
    assert not StepChange.objects.exists()

    response = client.post(_step_url(draft), {**data, "confirmed_gap": "7>4"})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.claimed_step, draft.evidenced_step) == (7, 4)
    assert draft.public_step == Step.CONSULTATION
    assert draft.is_inflated
    change = draft.step_changes.get()
    assert (change.to_claimed, change.to_evidenced) == (7, 4)
    assert change.reason == "The council sets the budget."


def test_the_steps_are_numbered_as_on_the_rest_of_the_hub(client, owner, draft):
    client.force_login(owner)
    page = client.get(_step_url(draft)).text
    assert option_labels(page, "claimed_step") == [
        "1. Coercion",
        "2. Educating",
        "3. Informing",
        "4. Consultation",
        "5. Engagement",
        "6. Co-design",
        "7. Co-production",
    ]
    assert ">Save the step</button>" in page


def test_the_button_says_what_the_public_will_see_when_the_claim_is_higher(client, owner, draft):
    client.force_login(owner)
    data = step_post_data(7, CONSULTATION_EVIDENCE, reason="The council sets the budget.")
    page = client.post(_step_url(draft), data).text
    assert ">Save: the public will see Consultation (step 4)</button>" in page


def test_changing_the_answers_after_the_warning_warns_again(client, owner, draft):
    client.force_login(owner)
    # The person saw the 7>4 warning, then changed an answer so the evidence is now lower.
    data = step_post_data(
        7, evidence(communication="tell"), reason="We only tell people.", confirmed_gap="7>4"
    )
    response = client.post(_step_url(draft), data)
    assert response.status_code == 200
    assert "Your answers show Informing, not Co-production." in response.text
    assert not StepChange.objects.exists()


def test_the_warning_also_shows_with_errors_and_then_one_more_save_is_enough(client, owner, draft):
    client.force_login(owner)
    data = step_post_data(7, CONSULTATION_EVIDENCE, reason="")
    response = client.post(_step_url(draft), data)
    page = response.text
    assert "There is a problem" in page
    assert "Explain why this is not co-production" in page
    assert "Your answers show Consultation, not Co-production." in page
    assert "<title>Error: " in page

    data = {**data, "reason": "Statutory decision.", "confirmed_gap": "7>4"}
    assert client.post(_step_url(draft), data).status_code == 302
    assert draft.step_changes.count() == 1


@pytest.mark.parametrize("claimed", ["0", "8", "-1", "seven", ""])
def test_a_step_outside_one_to_seven_is_an_error_and_saves_nothing(client, owner, draft, claimed):
    client.force_login(owner)
    data = {**step_post_data(7, evidence()), "claimed_step": claimed}
    response = client.post(_step_url(draft), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "Choose a step from 1 (coercion) to 7 (co-production)" in response.text
        or "Choose the step you believe the project is at" in response.text
    )
    draft.refresh_from_db()
    assert draft.claimed_step is None
    assert not StepChange.objects.exists()


def test_a_missing_reason_below_co_production_is_an_error(client, owner, draft):
    client.force_login(owner)
    response = client.post(_step_url(draft), step_post_data(4, CONSULTATION_EVIDENCE))
    assert "Explain why this is not co-production" in response.text
    assert not StepChange.objects.exists()


def test_a_reason_of_only_spaces_is_not_a_reason(client, owner, draft):
    client.force_login(owner)
    response = client.post(_step_url(draft), step_post_data(4, CONSULTATION_EVIDENCE, "   "))
    assert "Explain why this is not co-production" in response.text
    assert not StepChange.objects.exists()


def test_an_unanswered_or_unknown_evidence_answer_is_an_error(client, owner, draft):
    client.force_login(owner)
    data = step_post_data(7, evidence())
    del data["decides"]
    data["first_involved"] = "yesterday"
    response = client.post(_step_url(draft), data)
    assert "Answer the question: Who makes the final decisions?" in response.text
    assert "Choose one of the answers to: When were people first involved?" in response.text
    assert not StepChange.objects.exists()


def test_a_claim_lower_than_the_evidence_is_what_the_public_sees(client, owner, draft):
    client.force_login(owner)
    data = step_post_data(5, evidence(), reason="We are starting small this year.")
    assert client.post(_step_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.public_step == Step.ENGAGEMENT
    assert not draft.is_inflated


def test_the_form_starts_with_the_current_answers(client, owner, project):
    client.force_login(owner)
    page = client.get(_step_url(project)).text
    assert "The law says the council must set the charging policy." in page
    assert checked(page, "first_involved") == {"options_drafted"}
    assert checked(page, "claimed_step") == {"4"}


def test_every_save_adds_to_the_history_including_moves_down(client, owner, project):
    record_step(project, by=owner, claimed=7, evidence=evidence())
    record_step(
        project,
        by=owner,
        claimed=5,
        evidence=evidence(decides="council_after_hearing"),
        reason="The budget was cut, so the council now decides.",
    )
    changes = list(project.step_changes.all())
    assert [c.direction for c in changes] == ["first", "up", "down"]
    assert changes[2].from_public == Step.CO_PRODUCTION
    assert changes[2].to_public == Step.ENGAGEMENT

    page = client.get(project.get_absolute_url()).text
    assert "Moved down the ladder, from Co-production to Engagement" in page
    assert "Moved up the ladder, from Consultation to Co-production" in page
    assert "Step first recorded: Consultation" in page
    assert "The budget was cut, so the council now decides." in page
    # Newest first.
    assert page.index("Moved down") < page.index("Moved up") < page.index("first recorded")


def test_the_public_never_sees_an_inflated_claim(client, owner):
    project = ProjectFactory(title="Home care charging", slug="home-care-charging", owner=owner)
    record_step(
        project,
        by=owner,
        claimed=7,
        evidence=CONSULTATION_EVIDENCE,
        reason="Charging rules are set in law.",
    )
    page = client.get(project.get_absolute_url()).text
    assert "This project is at step 4 of 7: <strong>Consultation</strong>" in page
    assert "Why this is not co-production" in page
    assert "Charging rules are set in law." in page
    assert 'aria-current="step"' in page
    assert "Claimed by staff" not in page
    assert "Staff claimed" not in page
    assert "claimed Co-production" not in page
    listing = client.get(reverse("projects:list")).text
    assert "4. Consultation" in listing
    assert "Co-production" not in listing.split('id="results-heading"')[1]


def test_staff_see_the_claim_and_the_gap(client, owner, staff):
    project = ProjectFactory(owner=owner)
    record_step(project, by=owner, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="Law.")
    client.force_login(staff)
    page = client.get(project.get_absolute_url()).text
    assert "Staff claimed Co-production, but the evidence supports Consultation" in page
    assert "Claimed by staff, not shown to the public" in page
    assert "Staff only: claimed Co-production" in page


def test_staff_history_shows_a_claim_brought_down_to_match_the_evidence(client, owner, staff):
    # The public step stays at Consultation, so only the claim says what was changed.
    project = ProjectFactory(owner=owner, is_published=True)
    record_step(project, by=owner, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="Law.")
    record_step(project, by=owner, claimed=4, evidence=CONSULTATION_EVIDENCE, reason="Law.")

    client.force_login(staff)
    page = client.get(project.get_absolute_url()).text
    assert "Step reviewed: stayed at Consultation" in page
    assert "Staff only: the claimed step changed from Co-production to Consultation." in page
    client.logout()
    page = client.get(project.get_absolute_url()).text
    assert "claimed step changed" not in page and "Co-production to Consultation" not in page


def test_co_production_needs_no_reason_and_shows_none(client, owner):
    project = ProjectFactory(owner=owner)
    record_step(project, by=owner, claimed=7, evidence=evidence(), reason="")
    page = client.get(project.get_absolute_url()).text
    assert "Why this is not co-production" not in page


def test_moving_up_to_co_production_drops_the_old_reason_from_the_public_history(client, owner):
    project = ProjectFactory(owner=owner, is_published=True)
    why = "The law says the council must make this decision."
    record_step(project, by=owner, claimed=4, evidence=CONSULTATION_EVIDENCE, reason=why)

    # The form offers the old reason again; saving co-production without clearing it.
    record_step(project, by=owner, claimed=7, evidence=evidence(), reason=why)

    project.refresh_from_db()
    assert project.not_coproduction_reason == ""
    assert project.step_changes.order_by("-pk").first().reason == ""
    page = client.get(project.get_absolute_url()).text
    assert page.count(why) == 1  # only on the earlier history entry, where it was true


def test_the_service_refuses_bad_input_itself(owner):
    project = ProjectFactory(owner=owner)
    with pytest.raises(ProjectError, match="from 1"):
        record_step(project, by=owner, claimed=9, evidence=evidence())
    with pytest.raises(ProjectError, match="Explain why"):
        record_step(project, by=owner, claimed=4, evidence=CONSULTATION_EVIDENCE, reason=" ")
    with pytest.raises(ProjectError, match="Answer the question"):
        record_step(project, by=owner, claimed=7, evidence={"voluntary": True})
    assert not StepChange.objects.exists()
    project.refresh_from_db()
    assert project.claimed_step is None


def test_the_reason_is_checked_against_the_lower_step_not_the_claim(owner):
    # Claiming co-production does not excuse a missing reason when the evidence is lower.
    project = ProjectFactory(owner=owner)
    with pytest.raises(ProjectError, match="Explain why"):
        record_step(project, by=owner, claimed=7, evidence=CONSULTATION_EVIDENCE, reason="")


def test_the_history_says_what_changed_when_the_step_moves_up_to_co_production(
    client, owner, project
):
    # A move up to co-production has no "why not co-production" reason, so without a note the
    # public history would not say why the step moved.
    url = _step_url(project)
    client.force_login(owner)
    assert "What has changed since the step was last recorded?" in client.get(url).text
    client.post(
        url,
        {
            **step_post_data(7, evidence()),
            "note": "Carers now co-chair the group and help check the results.",
        },
    )

    change = project.step_changes.order_by("-pk").first()
    assert change.to_public == Step.CO_PRODUCTION
    assert change.note == "Carers now co-chair the group and help check the results."
    client.logout()
    page = client.get(project.get_absolute_url()).text
    entry = page.split("Moved up the ladder, from Consultation to Co-production")[1]
    assert "What changed: Carers now co-chair the group and help check the results." in entry


def test_the_first_step_recorded_asks_nothing_about_what_changed(client, owner, draft):
    client.force_login(owner)
    page = client.get(_step_url(draft)).text
    assert "What has changed since the step was last recorded?" not in page
    assert "check it still fits" not in page
    client.post(_step_url(draft), {**step_post_data(7, evidence()), "note": "Ignored"})
    assert draft.step_changes.get().note == ""


def test_a_reason_given_before_is_marked_to_be_checked_against_the_new_step(client, owner, project):
    client.force_login(owner)
    page = client.get(_step_url(project)).text
    assert "It shows what was written last time: check it still fits." in page


def test_the_note_is_kept_when_an_inflated_claim_is_shown_for_checking(client, owner, project):
    client.force_login(owner)
    data = {**step_post_data(7, CONSULTATION_EVIDENCE, reason="Law."), "note": "New chair."}
    page = client.post(_step_url(project), data).text
    assert "Check before you save the step" in page
    assert "New chair.</textarea>" in page
    client.post(_step_url(project), {**data, "confirmed_gap": "7>4"})
    assert project.step_changes.order_by("-pk").first().note == "New chair."


def test_staff_history_does_not_repeat_a_claim_change_the_heading_already_gives(
    client, owner, staff, project
):
    record_step(project, by=owner, claimed=7, evidence=evidence())
    client.force_login(staff)
    page = client.get(project.get_absolute_url()).text
    assert "Moved up the ladder, from Consultation to Co-production" in page
    assert "the claimed step changed" not in page


# --- Telling people booked on a project's sessions that its step went down ------------------


def _session(project, *, days=10, **fields):
    """A published online session of the project, `days` from now (negative: in the past)."""
    starts_at = timezone.now() + timedelta(days=days)
    return OpportunityFactory(
        project=project, created_by=project.owner, starts_at=starts_at, **fields
    )


def _lowered(project, owner, **extra):
    """Co-production, then what the evidence really shows: consultation."""
    record_step(project, by=owner, claimed=7, evidence=evidence())
    return record_step(
        project,
        by=owner,
        claimed=7,
        evidence=CONSULTATION_EVIDENCE,
        reason="The council sets the budget after hearing from carers.",
        **extra,
    )


def _told():
    return Message.objects.filter(kind="step_lowered")


def test_a_lower_step_tells_everyone_booked_on_sessions_to_come_once(owner, project):
    soon = _session(project, capacity=1, title="Short breaks workshop")
    later = _session(project, days=20, title="Short breaks panel")
    booked, waiting, both = UserFactory.create_batch(3)
    booked_place = participation.sign_up(soon, resident=booked)
    waiting_place = participation.sign_up(soon, resident=waiting)
    both_places = [participation.sign_up(later, resident=both)]
    both_places.insert(0, participation.sign_up(_session(project, days=5), resident=both))
    # Not told: a place given up, a session called off, a session that took place.
    participation.cancel_sign_up(participation.sign_up(later, resident=UserFactory()), by=owner)
    called_off = _session(project)
    participation.sign_up(called_off, resident=UserFactory())
    participation.cancel_opportunity(called_off, by=owner, reason="The room flooded.")
    SignUp.objects.create(
        opportunity=_session(project, days=-3), resident=UserFactory(), status=SignUp.Status.BOOKED
    )

    change = _lowered(project, owner, note="Carers told us the council still decides.")

    assert sorted(_told().values_list("recipient", flat=True)) == sorted(
        [booked.pk, waiting.pk, both.pk]
    )
    message = _told().get(recipient=booked)
    assert message.status == Message.Status.PENDING
    assert message.subject == "Changed: you will have less say in Carers short breaks review"
    body = message.body_text
    assert (
        "We have looked again at how much say people have in Carers short breaks review. "
        "It is less than we told you.\n\n"
        "We said it was Co-production. "
        "It is now Consultation: you give your views and the council decides.\n\n"
        "Why you will not share the decisions: The council sets the budget after hearing from "
        "carers.\n\n"
        "What changed: Carers told us the council still decides.\n\n"
        "You signed up for:\n\nShort breaks workshop\n"
    ) in body
    assert f"Your place: {settings.SITE_URL}{booked_place.get_absolute_url()}\n" in body
    assert f"{settings.SITE_URL}{project.get_absolute_url()}#step" in body
    assert waiting_place.get_absolute_url() in _told().get(recipient=waiting).body_text
    # One message for someone on two sessions, with a link to each place, soonest first.
    listed = _told().get(recipient=both).body_text
    first, second = (listed.index(place.get_absolute_url()) for place in both_places)
    assert first < second

    # Saving the same step again is no news; a retry of the same change sends nothing twice.
    record_step(
        project,
        by=owner,
        claimed=7,
        evidence=CONSULTATION_EVIDENCE,
        reason="The council sets the budget after hearing from carers.",
    )
    projects_services._tell_people_booked_about_lower_step(project, change)
    assert _told().count() == 3


def test_a_move_up_or_the_first_step_tells_nobody(owner, project):
    participation.sign_up(_session(project), resident=UserFactory())

    record_step(project, by=owner, claimed=7, evidence=evidence())

    assert not _told().exists()


def test_a_lower_step_while_the_project_is_hidden_tells_nobody(owner, draft):
    hidden_session = _session(draft)
    SignUp.objects.create(
        opportunity=hidden_session, resident=UserFactory(), status=SignUp.Status.BOOKED
    )

    _lowered(draft, owner)

    assert draft.public_step == Step.CONSULTATION
    assert not _told().exists()


def test_people_who_stopped_session_messages_still_hear_the_step_went_down(owner, project):
    person = UserFactory()
    participation.sign_up(_session(project), resident=person)
    Unsubscribe.objects.create(user=person, category="sign_ups")

    _lowered(project, owner)

    assert _told().get(recipient=person).status == Message.Status.PENDING


def test_telling_people_the_step_went_down_takes_as_many_queries_for_many_as_for_few(owner):
    def queries_to_lower_the_step(people):
        project = ProjectFactory(owner=owner)
        record_step(project, by=owner, claimed=7, evidence=evidence())
        for session in (_session(project), _session(project, days=12)):
            for person in UserFactory.create_batch(people):
                SignUp.objects.create(
                    opportunity=session, resident=person, status=SignUp.Status.BOOKED
                )
        with CaptureQueriesContext(connection) as queries:
            record_step(
                project,
                by=owner,
                claimed=4,
                evidence=CONSULTATION_EVIDENCE,
                reason="The council decides.",
            )
        assert _told().filter(event_key__startswith="stepchange:").count() >= 2 * people
        return len(queries)

    assert queries_to_lower_the_step(1) == queries_to_lower_the_step(10)
