"""Staff run a session again: "Copy as a new draft" fills the form in from the old one."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from participation import services
from participation.models import Opportunity, SignUp, Venue
from tests.factories import UserFactory, date_boxes

from .factories import OpportunityFactory, ProjectFactory
from .test_staff_pages import url

pytestmark = pytest.mark.django_db


def _monthly_session(staff, **fields):
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    defaults = {
        "created_by": staff,
        "title": "Carers' coffee morning",
        "description": "A cuppa and a chat about what would help.",
        "kind": Opportunity.Kind.DROP_IN,
        "in_person": True,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "capacity": 12,
        "fee_basis": Opportunity.FeeBasis.PER_ACTIVITY,
        "refreshments": True,
        "who_for": "Unpaid carers",
        "contact_name": "Sam Patel",
        "contact_email": "sam@council.example",
    }
    return OpportunityFactory(**{**defaults, **fields})


def _next_month():
    return timezone.localdate() + timedelta(days=31)


def test_staff_copy_a_session_to_run_it_again_as_a_new_draft(client, staff, make_residents):
    original = _monthly_session(staff)
    for person in make_residents(2):
        services.sign_up(original, resident=person)
    client.force_login(staff)

    manage = client.get(url("manage", original)).text
    form = client.get(url("copy", original)).text

    assert f'href="{url("copy", original)}"' in manage
    assert "Copy as a new draft" in form
    assert 'value="Carers&#x27; coffee morning"' in form
    assert "A cuppa and a chat" in form
    assert f'<option value="{original.venue_id}" selected>' in form
    assert 'value="10:30"' in form and 'value="12:30"' in form
    assert 'name="capacity" value="12"' in form
    assert 'value="Sam Patel"' in form
    data = _posted(form)
    assert data["date_0"] == data["date_1"] == data["date_2"] == ""  # a new date to choose
    data |= date_boxes("date", _next_month())
    response = client.post(url("copy", original), data, follow=True)

    copy = Opportunity.objects.exclude(pk=original.pk).get()
    assert response.redirect_chain[-1][0] == url("manage", copy)
    assert "Copied as a new draft. Publish it when it is ready." in response.text
    assert copy.status == Opportunity.Status.DRAFT and copy.published_at is None
    assert copy.created_by == staff
    assert timezone.localtime(copy.starts_at).date() == _next_month()
    assert timezone.localtime(copy.starts_at).strftime("%H:%M") == "10:30"
    for name in ("title", "description", "kind", "format", "venue", "capacity", "fee_basis"):
        assert getattr(copy, name) == getattr(original, name), name
    assert copy.refreshments and copy.who_for == "Unpaid carers"
    assert copy.contact_email == "sam@council.example"
    # Nobody comes with it, and the session it came from is untouched.
    assert not copy.signups.exists()
    assert original.signups.filter(status=SignUp.Status.BOOKED).count() == 2
    original.refresh_from_db()
    assert original.status == Opportunity.Status.PUBLISHED


def test_a_copy_stays_in_the_project_with_its_honest_step(client, staff):
    project = ProjectFactory(owner=staff, title="Short breaks review")
    original = _monthly_session(staff, project=project, level="", step=None)
    client.force_login(staff)

    data = _posted(client.get(url("copy", original)).text)
    data |= date_boxes("date", _next_month())
    client.post(url("copy", original), data)

    copy = Opportunity.objects.exclude(pk=original.pk).get()
    assert copy.project == project and copy.effective_step == project.public_step


def test_a_cancelled_session_can_be_copied_to_run_on_a_new_date(client, staff):
    original = _monthly_session(staff)
    services.cancel_opportunity(original, by=staff, reason="The hall flooded.")
    client.force_login(staff)

    manage = client.get(url("manage", original)).text
    data = _posted(client.get(url("copy", original)).text)
    data |= date_boxes("date", _next_month())
    client.post(url("copy", original), data)

    assert "Copy as a new draft" in manage and "Change details" not in manage
    copy = Opportunity.objects.exclude(pk=original.pk).get()
    assert copy.status == Opportunity.Status.DRAFT and copy.cancellation_reason == ""


def test_an_old_link_to_change_a_cancelled_session_leads_to_copying_it(client, staff):
    original = _monthly_session(staff)
    services.cancel_opportunity(original, by=staff, reason="The hall flooded.")
    client.force_login(staff)

    response = client.get(url("edit", original), follow=True)

    assert response.redirect_chain == [(url("manage", original), 302)]
    assert "A cancelled opportunity cannot be changed. To run it again, copy it" in response.text


def test_a_copy_without_a_new_date_says_so_and_keeps_what_was_typed(client, staff):
    original = _monthly_session(staff)
    client.force_login(staff)
    data = _posted(client.get(url("copy", original)).text)
    data["title"] = "Carers' coffee morning: May"

    response = client.post(url("copy", original), data)

    assert response.status_code == 200
    assert "There is a problem" in response.text and "Enter the date" in response.text
    assert 'value="Carers&#x27; coffee morning: May"' in response.text
    assert "Copy as a new draft" in response.text
    assert Opportunity.objects.count() == 1


def test_adding_a_venue_while_copying_comes_back_to_the_copy(client, staff):
    original = _monthly_session(staff)
    client.force_login(staff)
    data = _posted(client.get(url("copy", original)).text)
    data.update(title="At the new hall", add_venue="yes")

    to_venue = client.post(url("copy", original), data)
    back = client.post(to_venue["Location"], {"name": "Mill Lane Hall", "address": "3 Mill Lane"})
    form = client.get(back["Location"]).text

    venue = Venue.objects.get(name="Mill Lane Hall")
    assert back["Location"] == f"{url('copy', original)}?venue={venue.pk}"
    assert "Copy as a new draft" in form and 'value="At the new hall"' in form
    assert f'<option value="{venue.pk}" selected>Mill Lane Hall' in form
    assert Opportunity.objects.count() == 1


def test_only_staff_who_run_a_session_can_copy_it(client, staff, other_staff, commissioner):
    member = UserFactory(roles=["staff"])
    project = ProjectFactory(owner=staff)
    project.team.add(member)
    in_project = _monthly_session(staff, project=project, level="", step=None)
    standalone = _monthly_session(staff)

    for person in (other_staff, UserFactory()):
        client.force_login(person)
        assert client.get(url("copy", in_project)).status_code == 404
        assert client.post(url("copy", standalone), {"title": "Mine now"}).status_code == 404
    for person in (member, commissioner):
        client.force_login(person)
        assert client.get(url("copy", in_project)).status_code == 200
    assert Opportunity.objects.count() == 2


class _FilledIn(HTMLParser):
    """The values a browser would send from the forms on a page, as they are filled in."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") not in ("checkbox", "radio"):
                self.data[name] = attrs.get("value") or ""
            elif "checked" in attrs:
                self.data[name] = attrs.get("value", "on")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that starts a textarea's content.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _posted(page: str) -> dict:
    parser = _FilledIn()
    parser.feed(page[page.index("<main") :])
    return parser.data
