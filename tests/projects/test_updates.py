""" "We said, we did" updates: posting, the project page, the hub-wide feed and Atom feed."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.models import Profile, SignUp
from projects.models import Update
from projects.services import ProjectError, post_update
from tests.factories import UserFactory

from .factories import ProjectFactory, UpdateFactory, make_opportunity

pytestmark = pytest.mark.django_db


def test_a_team_member_posts_an_update_and_it_shows_everywhere(client, team_member, project):
    session = make_opportunity(project, days_ahead=-7, status="closed", title="Listening event")
    client.force_login(team_member)
    url = reverse("projects:update_create", args=[project.slug])
    assert "Listening event" in client.get(url).text

    response = client.post(
        url,
        {
            "said": "Booking a short break takes too many phone calls.",
            "did": "We set up one phone number and an online form.",
            "next_steps": "We will ask carers in June if it is easier.",
            "opportunities": [str(session.pk)],
            "send": "yes",  # the second press, after checking it
        },
    )

    assert response.status_code == 302
    update = Update.objects.get()
    assert update.posted_by == team_member
    assert list(update.opportunities.all()) == [session]
    client.logout()
    page = client.get(project.get_absolute_url()).text
    assert "We said, we did" in page
    assert "Booking a short break takes too many phone calls." in page
    assert "We will ask carers in June if it is easier." in page
    feed = client.get(reverse("projects:updates")).text
    assert "We set up one phone number and an online form." in feed
    assert project.title in feed


def test_an_update_needs_what_people_said_and_what_we_did(client, owner, project):
    client.force_login(owner)
    response = client.post(
        reverse("projects:update_create", args=[project.slug]), {"said": " ", "did": ""}
    )
    assert "Enter what people said" in response.text
    assert "Enter what we did" in response.text
    assert "<title>Error: " in response.text
    assert not Update.objects.exists()


def test_only_this_projects_sessions_can_be_linked(client, owner, project):
    other = make_opportunity(ProjectFactory(), title="Someone else's session")
    draft_session = make_opportunity(project, status="draft", title="Draft session")
    make_opportunity(project, title="This project's session")
    client.force_login(owner)
    url = reverse("projects:update_create", args=[project.slug])
    page = client.get(url).text
    assert "This project&#x27;s session" in page
    assert "Someone else's session" not in page
    assert "Draft session" not in page
    response = client.post(url, {"said": "a", "did": "b", "opportunities": [str(other.pk)]})
    assert "Choose sessions from this project" in response.text
    response = client.post(url, {"said": "a", "did": "b", "opportunities": [str(draft_session.pk)]})
    assert "Choose sessions from this project" in response.text
    assert not Update.objects.exists()


def test_the_form_offers_recent_and_coming_sessions_and_a_correction_keeps_its_own(
    client, owner, project
):
    make_opportunity(project, days_ahead=7, title="Coming up")
    make_opportunity(project, days_ahead=-30, status="closed", title="Last month")
    long_ago = make_opportunity(project, days_ahead=-400, status="closed", title="Long ago")
    client.force_login(owner)

    new = client.get(reverse("projects:update_create", args=[project.slug])).text
    refused = client.post(
        reverse("projects:update_create", args=[project.slug]),
        {"said": "a", "did": "b", "opportunities": [str(long_ago.pk)], "send": "yes"},
    )
    update = post_update(project, by=owner, said="x", did="y", opportunities=[long_ago])
    correct = reverse("projects:update_correct", args=[project.slug, update.pk])
    correcting = client.get(correct).text

    assert "Coming up" in new and "Last month" in new and "Long ago" not in new
    assert "Sessions from the last 6 months, and those coming up." in new
    assert "Choose sessions from this project" in refused.text
    assert "Long ago" in correcting and "Last month" in correcting
    client.post(correct, {"said": "x", "did": "y.", "opportunities": [str(long_ago.pk)]})
    update.refresh_from_db()
    assert update.did == "y." and list(update.opportunities.all()) == [long_ago]


def test_the_session_question_is_left_out_when_the_project_has_none(client, owner, project):
    client.force_login(owner)
    page = client.get(reverse("projects:update_create", args=[project.slug])).text
    assert "Sessions this update is about" not in page


def test_the_service_refuses_blank_text_and_other_projects_sessions(owner, project):
    other = make_opportunity(ProjectFactory())
    with pytest.raises(ProjectError, match="what people said"):
        post_update(project, by=owner, said="", did="x")
    with pytest.raises(ProjectError, match="only link"):
        post_update(project, by=owner, said="x", did="y", opportunities=[other])
    assert not Update.objects.exists()


def test_updates_on_unpublished_projects_are_not_public(client, draft, staff):
    UpdateFactory(project=draft, said="Secret draft words")
    assert "Secret draft words" not in client.get(reverse("projects:updates")).text
    assert "Secret draft words" not in client.get(reverse("projects:updates_feed")).text
    narrowed = reverse("projects:updates") + f"?project={draft.slug}"
    assert "Secret draft words" not in client.get(narrowed).text
    client.force_login(staff)
    assert "Secret draft words" in client.get(draft.get_absolute_url()).text
    # "See all updates" from the draft project's page shows them to staff.
    assert "Secret draft words" in client.get(narrowed).text
    assert "Secret draft words" not in client.get(reverse("projects:updates")).text


def test_the_feed_is_newest_first_paginated_and_can_narrow_to_one_project(client, project):
    other = ProjectFactory(title="Other project")
    for number in range(22):
        UpdateFactory(project=project, said=f"Said number {number}")
    UpdateFactory(project=other, said="Other said")
    response = client.get(reverse("projects:updates"))
    updates = list(response.context["updates"])
    assert len(updates) == 20
    assert updates[0].said == "Other said"
    assert 'href="?page=2"' in response.text

    response = client.get(reverse("projects:updates") + f"?project={project.slug}")
    assert all(u.project == project for u in response.context["updates"])
    assert "Showing updates from" in response.text

    response = client.get(reverse("projects:updates") + "?project=nope")
    assert "We could not find that project" in response.text


def test_the_project_page_shows_the_newest_five_and_links_to_the_rest(client, project):
    for number in range(7):
        UpdateFactory(project=project, said=f"Said number {number}")
    page = client.get(project.get_absolute_url()).text
    assert page.count('class="hub-update"') == 5
    assert "See all 7 updates for this project" in page
    assert f"/updates/?project={project.slug}" in page


def test_the_atom_feed_lists_updates_with_links_to_the_project(client, project):
    update = UpdateFactory(project=project, said="Too many forms")
    response = client.get(reverse("projects:updates_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "<feed" in body
    assert reverse("projects:update", args=[update.pk]) in body
    assert 'type="application/atom+xml"' in client.get(reverse("projects:updates")).text


def test_an_updates_lasting_address_finds_it_however_old_it_is(client, project):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    updates = [UpdateFactory(project=project, posted_at=now - timedelta(days=n)) for n in range(25)]

    def lands(update):
        return client.get(reverse("projects:update", args=[update.pk]))["Location"]

    # The newest few are on the project's page; older ones on their page of its list.
    assert lands(updates[0]) == f"{project.get_absolute_url()}#update-{updates[0].pk}"
    assert lands(updates[4]) == f"{project.get_absolute_url()}#update-{updates[4].pk}"
    assert lands(updates[5]) == f"/updates/?project={project.slug}&page=1#update-{updates[5].pk}"
    assert lands(updates[24]) == f"/updates/?project={project.slug}&page=2#update-{updates[24].pk}"
    page_two = client.get(f"/updates/?project={project.slug}&page=2").text
    assert f'id="update-{updates[24].pk}"' in page_two


def test_an_update_on_an_unpublished_project_has_no_public_address(client):
    hidden = UpdateFactory(project=ProjectFactory(is_published=False))
    assert client.get(reverse("projects:update", args=[hidden.pk])).status_code == 404


def _feed_summaries(client):
    atom = "{http://www.w3.org/2005/Atom}"
    body = client.get(reverse("projects:updates_feed")).content
    feed = ElementTree.fromstring(body)  # noqa: S314 - our own feed, made by this test
    summaries = feed.findall(f"{atom}entry/{atom}summary")
    assert all(summary.get("type") == "html" for summary in summaries)
    return [summary.text for summary in summaries]


def test_feed_readers_show_what_staff_typed_as_text_with_its_paragraphs(client, project):
    UpdateFactory(
        project=project,
        said="Waits of <4 weeks & fewer forms, <b>please</b>.\n\nAnd letters in plain English.",
        did="We cut the form to one page.\nWe rewrote the letters.",
        next_steps="",
    )

    (summary,) = _feed_summaries(client)

    # A feed reader reads the summary as HTML: what was typed shows as typed, never as markup.
    assert summary == (
        "<p>What people said: Waits of &lt;4 weeks &amp; fewer forms, "
        "&lt;b&gt;please&lt;/b&gt;.</p>\n\n"
        "<p>And letters in plain English.</p>\n\n"
        "<p>What we did: We cut the form to one page.<br>We rewrote the letters.</p>"
    )


def test_text_people_type_is_escaped_on_pages(client, project):
    UpdateFactory(project=project, said="<script>alert(1)</script>")
    page = client.get(project.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_upcoming_published_sessions_show_on_the_project_page(client, project):
    make_opportunity(project, title="Coffee morning")
    make_opportunity(project, title="Old session", days_ahead=-3)
    make_opportunity(project, title="Draft session", status="draft")
    page = client.get(project.get_absolute_url()).text
    assert "Ways to get involved" in page
    assert "Coffee morning" in page
    assert "Old session" not in page
    assert "Draft session" not in page


def test_empty_sections_are_hidden(client, owner):
    project = ProjectFactory(owner=owner, contact_name="", contact_email="")
    page = client.get(project.get_absolute_url()).text
    for heading in [
        "Ways to get involved",
        "We said, we did</h2>",
        "How the step has changed",
        ">Contact<",
    ]:
        assert heading not in page


# --- Posting twice by mistake ---------------------------------------------------------------


def _took_part(project, count):
    session = make_opportunity(project, days_ahead=-20, status="closed")
    people = UserFactory.create_batch(count)
    for person in people:
        SignUp.objects.create(
            opportunity=session, resident=person, status="booked", attendance="attended"
        )
    return people


UPDATE_FORM = {
    "said": "Booking a short break takes too many phone calls.",
    "did": "We set up one phone number and an online form.",
    "next_steps": "",
    "send": "yes",  # the second press, after checking it
}


def test_sending_the_update_form_twice_posts_once_and_messages_everyone_once(
    client, owner, project, django_capture_on_commit_callbacks
):
    people = _took_part(project, 2)
    client.force_login(owner)
    url = reverse("projects:update_create", args=[project.slug])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, UPDATE_FORM)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, UPDATE_FORM)  # a double click

    assert first.status_code == second.status_code == 302
    assert Update.objects.count() == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)
    page = client.get(project.get_absolute_url()).text
    assert page.count("Booking a short break takes too many phone calls.") == 1


def test_posting_the_same_words_again_returns_the_update_already_posted(owner, project):
    first = post_update(project, by=owner, said=" Said ", did="Did")
    again = post_update(project, by=owner, said="Said", did="Did")
    assert again.pk == first.pk
    assert Update.objects.count() == 1


def test_the_same_words_later_or_from_someone_else_are_a_new_update(owner, team_member, project):
    first = post_update(project, by=owner, said="Said", did="Did")
    assert post_update(project, by=team_member, said="Said", did="Did").pk != first.pk
    later = timezone.now() + timedelta(minutes=11)
    assert post_update(project, by=owner, said="Said", did="Did", now=later).pk != first.pk
    different = post_update(project, by=owner, said="Said", did="Did", next_steps="More")
    assert different.pk != first.pk
    assert Update.objects.count() == 4


def test_an_easy_read_version_goes_to_people_who_asked_and_shows_on_the_project_page(
    client, owner, project, django_capture_on_commit_callbacks
):
    easy, standard = _took_part(project, 2)
    Profile.objects.create(user=easy, format=Profile.InformationFormat.EASY_READ)
    client.force_login(owner)
    url = reverse("projects:update_create", args=[project.slug])
    assert "1 person who took part asked for easy read" in client.get(url).text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {**UPDATE_FORM, "easy_read": "You said booking was hard.\nWe made it easy."}
        )

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "You said booking was hard.\nWe made it easy." in bodies[easy.email]
    assert UPDATE_FORM["said"] not in bodies[easy.email]
    assert UPDATE_FORM["said"] in bodies[standard.email]
    assert "You said booking was hard." not in bodies[standard.email]
    client.logout()
    page = client.get(project.get_absolute_url()).text
    assert "Easy read version" in page
    assert "<p>You said booking was hard.<br>We made it easy.</p>" in page


def test_without_an_easy_read_version_people_who_asked_get_the_update_as_written(
    project, owner, django_capture_on_commit_callbacks
):
    (easy,) = _took_part(project, 1)
    Profile.objects.create(user=easy, format=Profile.InformationFormat.EASY_READ)

    with django_capture_on_commit_callbacks(execute=True):
        post_update(project, by=owner, said="Buses are late.", did="We asked for more buses.")

    (message,) = mail.outbox
    assert "What you told us:\nBuses are late." in message.body
    assert "Easy read version" not in client_page(project)


def client_page(project):
    from django.test import Client

    return Client().get(project.get_absolute_url()).text


def test_staff_are_told_how_many_people_will_hear_about_their_update(client, owner, project, draft):
    from django.contrib.messages import get_messages

    def told(response):
        return [str(m) for m in get_messages(response.wsgi_request)][-1:]

    client.force_login(owner)
    url = reverse("projects:update_create", args=[project.slug])
    alone = client.post(url, UPDATE_FORM)
    assert told(alone) == [
        "Update posted. Nobody is recorded as having taken part in this project yet, so it is "
        "not sent to anyone. It shows on the project page."
    ]

    _took_part(project, 3)
    posted = client.post(url, {**UPDATE_FORM, "said": "Something else people said."})
    assert told(posted) == ["Update posted. The 3 people who took part will hear about it."]

    _took_part(draft, 1)
    hidden = client.post(reverse("projects:update_create", args=[draft.slug]), UPDATE_FORM)
    assert told(hidden) == [
        "Update posted. The 1 person who took part will hear about it when the project is "
        "published."
    ]


def test_the_first_press_shows_the_update_and_its_email_to_check_and_sends_nothing(
    client, owner, project, django_capture_on_commit_callbacks
):
    _took_part(project, 2)
    client.force_login(owner)
    url = reverse("projects:update_create", args=[project.slug])
    first_press = {**UPDATE_FORM, "send": None, "did": "We set up one number.\r\nAnd a form."}
    first_press = {k: v for k, v in first_press.items() if v is not None}

    with django_capture_on_commit_callbacks(execute=True):
        check = client.post(url, first_press).text
        change = client.post(url, {**first_press, "change": "yes"}).text

    assert "Check your update before posting" in check
    assert "2 people who took part will hear about it." in check
    email = check.split("The email</h2>")[1].split("</div>")[0]
    assert "Hello [their name]," in email and "We set up one number." in email
    assert 'type="hidden" name="said"' in check and 'name="send" value="yes"' in check
    assert "Check your update before posting" not in change
    assert "We set up one number." in change and "govuk-error-summary" not in change
    assert not Update.objects.exists() and not mail.outbox


def test_an_update_can_be_corrected_and_says_so_without_being_sent_again(
    client, owner, project, django_capture_on_commit_callbacks
):
    _took_part(project, 2)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:update_create", args=[project.slug]), UPDATE_FORM)
    update = Update.objects.get()
    sent = len(mail.outbox)
    correct = reverse("projects:update_correct", args=[project.slug, update.pk])
    assert f'href="{correct}"' in client.get(project.get_absolute_url()).text

    form = client.get(correct).text
    empty = client.post(correct, {**UPDATE_FORM, "did": ""})
    assert "Enter what we did" in empty.text and Update.objects.get().did == UPDATE_FORM["did"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(correct, {**UPDATE_FORM, "did": "We set up one phone number."})

    assert UPDATE_FORM["said"] in form  # the words as they are, to put right
    update.refresh_from_db()
    assert update.did == "We set up one phone number."
    assert update.corrected_by == owner and update.corrected_at is not None
    assert len(mail.outbox) == sent  # nobody is sent it again
    client.logout()
    page = client.get(project.get_absolute_url()).text
    assert "We set up one phone number." in page and "Corrected" in page
    assert "Correct this update" not in page


def test_an_update_is_corrected_only_through_its_own_project(client, owner, project):
    other = ProjectFactory(owner=owner)
    theirs = other.updates.create(said="a", did="b", posted_by=owner)
    client.force_login(owner)

    response = client.get(reverse("projects:update_correct", args=[project.slug, theirs.pk]))

    assert response.status_code == 404


def test_the_team_can_correct_older_updates_from_the_projects_own_list(
    client, owner, team_member, staff, project
):
    # The project page shows the newest five; "See all" is the only way to the older ones,
    # so that is where they are put right.
    oldest = UpdateFactory(project=project, said="The oldest update")
    Update.objects.filter(pk=oldest.pk).update(posted_at=timezone.now() - timedelta(days=60))
    for number in range(6):
        UpdateFactory(project=project, said=f"Said number {number}")
    correct = reverse("projects:update_correct", args=[project.slug, oldest.pk])
    narrowed = reverse("projects:updates") + f"?project={project.slug}"

    for person in (owner, team_member):
        client.force_login(person)
        assert f'href="{correct}"' not in client.get(project.get_absolute_url()).text
        page = client.get(narrowed).text
        assert f'href="{correct}"' in page
        assert page.count("Correct this update") == 7
        # The page names the project once; each update is headed by its date.
        assert page.count(f">{project.title}</a>") == 1
        assert client.get(correct).status_code == 200

    client.force_login(staff)  # staff, but not on this project's team
    assert "Correct this update" not in client.get(narrowed).text
    client.force_login(owner)
    assert "Correct this update" not in client.get(reverse("projects:updates")).text
    client.logout()
    assert "Correct this update" not in client.get(narrowed).text
