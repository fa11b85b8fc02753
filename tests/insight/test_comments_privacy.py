"""Survey comments are one person's words: staff see them only from sessions enough people
answered that nobody can tell who wrote one, and are told the scanner can miss details."""

import pytest

from insight.tokens import survey_token

from .factories import OpportunityFactory, SignUpFactory, invitation_for, response_for

pytestmark = pytest.mark.django_db


def _session(title, answered, comment):
    session = OpportunityFactory(title=title)
    signups = [SignUpFactory(opportunity=session) for _ in range(answered)]
    response_for(signups[0], comment=comment)
    for signup in signups[1:]:
        response_for(signup)
    return session


def test_comments_from_a_small_session_are_not_shown(client, staff):
    _session("Small focus group", 3, "The chair talked over me every time.")
    _session("Big open meeting", 10, "The room was too cold.")
    client.force_login(staff)

    comments = client.get("/insight/comments/").content.decode()
    dashboard = client.get("/insight/").content.decode()

    for page in (comments, dashboard):
        assert "The room was too cold." in page
        assert "Big open meeting" in page
        assert "The chair talked over me every time." not in page
        assert "Small focus group" not in page
    assert "1 comment<" in comments
    assert "We only show comments about sessions at least 10 people answered" in comments


def test_with_no_comments_to_show_staff_are_told_so_not_to_fix_good_filters(client, staff):
    _session("Small focus group", 3, "The chair talked over me every time.")
    client.force_login(staff)

    for query in ("", "?start=2025-04-01&end=2026-03-31"):
        page = client.get(f"/insight/comments/{query}").content.decode()
        assert "No comments match these filters." in page
        assert "show once at least 10 people have answered" in page
        assert "Fix the filters" not in page


def test_a_small_sessions_comment_shows_once_ten_people_have_answered(client, staff):
    session = _session("Focus group", 9, "The chair talked over me every time.")
    client.force_login(staff)
    assert "The chair talked over me" not in client.get("/insight/comments/").content.decode()

    response_for(SignUpFactory(opportunity=session))

    assert "The chair talked over me" in client.get("/insight/comments/").content.decode()


def test_staff_are_told_comments_may_still_hold_personal_details(client, staff):
    client.force_login(staff)
    page = client.get("/insight/comments/").content.decode()
    assert "nobody on our staff ever sees them" not in page
    assert "This can miss things, so a comment may still contain details about someone" in page
    assert "Treat them with care" in page


def test_people_answering_are_asked_to_leave_details_out_and_told_we_might_miss_some(client):
    signup = SignUpFactory()
    invitation_for(signup)
    page = client.get(f"/survey/{survey_token(signup)}/").content.decode()
    assert "before anyone on our staff reads it" not in page
    assert "Please leave out names, addresses and phone numbers." in page
    assert "We try to remove details like these automatically, but we might miss some." in page
