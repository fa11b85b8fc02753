"""Equality monitoring: optional, the person's own, kept apart, deletable."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from insight import privacy, services
from insight.models import EqualityMonitoring, SurveyResponse

from .factories import SignUpFactory, invitation_for, response_for

pytestmark = pytest.mark.django_db

URL = "/my/equality/"


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_question_is_optional_with_prefer_not_to_say(client, resident):
    client.force_login(resident)
    page = client.get(URL).content.decode()
    # A plain title, not "Equality monitoring".
    assert "<title>Optional questions to help us reach everyone" in page
    assert '<h1 class="govuk-heading-l">Optional questions to help us reach everyone</h1>' in page
    assert "Equality monitoring" not in page
    assert page.count('<fieldset class="govuk-fieldset"') == 8
    assert page.count('value="prefer_not"') == 8
    for question in ["What is your age?", "What is your ethnic group?", "religion or belief"]:
        assert question in page
    assert "Nobody on our staff can see your answers" in page
    response = client.post(URL, {})
    assert response.status_code == 302
    record = EqualityMonitoring.objects.get(person=resident)
    assert record.ethnic_group == "" and record.carer == ""


def test_answers_are_saved_and_shown_back_to_the_person(client, resident):
    client.force_login(resident)
    client.post(URL, {"age_band": "65_74", "carer": "yes", "religion": "prefer_not"})
    record = EqualityMonitoring.objects.get(person=resident)
    assert (record.age_band, record.carer, record.religion) == ("65_74", "yes", "prefer_not")
    page = client.get(URL).content.decode()
    assert "Your answers are saved" in page
    assert re.search(r'value="65_74"\s+checked', page)


def test_an_answer_not_on_the_list_is_refused(client, resident):
    client.force_login(resident)
    page = client.post(URL, {"sex": "banana", "age_band": "25_34"}).content.decode()
    assert "There is a problem" in page
    assert "Choose one of the answers: What is your sex?" in page
    assert not EqualityMonitoring.objects.exists()


def test_people_only_ever_see_their_own_answers(client, resident, other_resident):
    EqualityMonitoring.objects.create(person=other_resident, ethnic_group="black")
    client.force_login(resident)
    page = client.get(URL).content.decode()
    assert "checked" not in page


def test_a_person_can_delete_all_their_answers(client, resident):
    EqualityMonitoring.objects.create(person=resident, ethnic_group="black")
    client.force_login(resident)
    assert "Delete all your answers" in client.get(URL).content.decode()
    assert "cannot be undone" in client.get(URL + "delete/").content.decode()
    response = client.post(URL + "delete/")
    assert response.status_code == 302
    assert not EqualityMonitoring.objects.filter(person=resident).exists()
    assert "have been deleted" in client.get(URL).content.decode()


def test_deleting_when_there_is_nothing_says_so(client, resident):
    client.force_login(resident)
    response = client.post(URL + "delete/", follow=True)
    assert "nothing to delete" in response.content.decode()


def test_deleting_needs_a_post_from_the_person(client, resident):
    EqualityMonitoring.objects.create(person=resident, ethnic_group="black")
    assert client.post(URL + "delete/").status_code == 302  # to sign in
    assert EqualityMonitoring.objects.filter(person=resident).exists()


def test_the_user_model_has_no_way_back_to_the_answers(resident):
    assert not hasattr(resident, "equalitymonitoring")
    names = [f.name for f in resident._meta.get_fields()]
    assert not any("equality" in name for name in names)


def test_the_admin_site_does_not_list_equality_answers(admin_user):
    from django.contrib import admin

    assert EqualityMonitoring not in admin.site._registry


# --- download my data / delete my account ------------------------------------------------


def test_a_persons_data_export_includes_their_answers(resident):
    EqualityMonitoring.objects.create(person=resident, ethnic_group="black", carer="yes")
    signup = SignUpFactory(resident=resident)
    invitation_for(signup)
    response_for(signup, rating=4, valued=None, comment="Good.", not_yet=["heard_back"])
    data = privacy.export(resident)
    assert data["equality_monitoring"]["What is your ethnic group?"] == (
        "Black, Black British, Caribbean or African"
    )
    assert data["equality_monitoring"]["What is your age?"] == "Not answered"
    answers = data["survey_answers"][0]
    assert answers["I felt valued for my contribution"] == "Prefer not to say"
    assert answers["I was treated with respect and dignity"] == "Agree"
    assert answers["I heard back about what changed"] == "I have not heard back yet"
    assert answers["comment_as_saved"] == "Good."


def test_erasing_a_person_deletes_their_answers_and_comments_but_keeps_the_numbers(resident):
    EqualityMonitoring.objects.create(person=resident, ethnic_group="black")
    signup = SignUpFactory(resident=resident)
    response_for(signup, rating=4, comment="My neighbour helped.")
    privacy.erase(resident)
    assert not EqualityMonitoring.objects.filter(person=resident).exists()
    kept = SurveyResponse.objects.get(signup=signup)
    assert (kept.comment, kept.valued) == ("", 4)


def test_a_persons_data_export_includes_earlier_answers_kept_until_the_figures_change(resident):
    uk = ZoneInfo("Europe/London")
    EqualityMonitoring.objects.create(
        person=resident, ethnic_group="black", updated_at=datetime(2025, 6, 1, tzinfo=uk)
    )
    assert privacy.export(resident)["equality_monitoring_earlier_answers_still_counted"] is None

    services.save_equality_answers(
        resident, answers={"ethnic_group": "asian"}, now=datetime(2026, 4, 15, tzinfo=uk)
    )

    data = privacy.export(resident)
    assert data["equality_monitoring"]["What is your ethnic group?"] == "Asian or Asian British"
    earlier = data["equality_monitoring_earlier_answers_still_counted"]
    assert earlier["What is your ethnic group?"] == "Black, Black British, Caribbean or African"
    assert earlier["What is your age?"] == "Not answered"


def test_the_page_tells_people_the_totals_change_only_every_three_months(client, resident):
    client.force_login(resident)
    page = client.get(URL).content.decode()
    assert "The totals are updated once every 3 months" in page
