"""Every banner a moderator sees after acting on a practice-guide entry ends with a full stop,
as banners do across the hub ("Claim CL-00001 from Rita Resident approved.")."""

import html
import re

import pytest
from django.urls import reverse

from learning import services
from learning.forms import ResolveFindingsForm

from .factories import submit
from .test_moderation import _edit_form

pytestmark = pytest.mark.django_db

PHONE_NUMBER = "Ring 07700 900461 to join."


def _banner(response) -> str:
    (text,) = re.findall(
        r'class="govuk-notification-banner__heading hub-break-words">(.*?)</p>',
        response.content.decode(),
        re.S,
    )
    return html.unescape(text).strip()


def _decide(client, entry, decision, **data):
    url = reverse("learning:decide", args=[entry.pk])
    return client.post(url, {"decision": decision, "note": "", **data}, follow=True)


def _published(moderator):
    return services.publish_entry(submit(), by=moderator)


def _publish(client, moderator):
    return _decide(client, submit(), "publish")


def _return(client, moderator):
    entry = submit(contact_email="sharer@example.org")
    return _decide(client, entry, "return", note="Please say which group.")


def _reject(client, moderator):
    return _decide(client, submit(), "reject")


def _withdraw(client, moderator):
    entry = _published(moderator)
    url = reverse("learning:withdraw", args=[entry.pk])
    return client.post(url, {"note": "Asked to by a carer"}, follow=True)


def _edit_waiting(client, moderator):
    entry = submit()
    url = reverse("learning:edit", args=[entry.pk])
    return client.post(url, _edit_form(entry, text="We met on a Monday."), follow=True)


def _edit_published(client, moderator):
    entry = _published(moderator)
    url = reverse("learning:edit", args=[entry.pk])
    return client.post(url, _edit_form(entry, text="We met on a Monday."), follow=True)


def _save_decisions(client, moderator):
    entry = submit(text=PHONE_NUMBER)
    (finding,) = entry.findings.all()
    url = reverse("learning:resolve", args=[entry.pk])
    return client.post(url, {f"finding_{finding.pk}": "redact"}, follow=True)


def _keep_undecided_hidden(client, moderator):
    entry = submit(text=PHONE_NUMBER)
    button = ResolveFindingsForm.KEEP_UNDECIDED_HIDDEN
    page = client.get(entry.get_moderation_url()).text
    value = re.search(rf'name="{button}" value="([\d ]*)"', page).group(1)
    url = reverse("learning:resolve", args=[entry.pk])
    return client.post(url, {button: value}, follow=True)


def _edit_rejected(client, moderator):
    entry = submit()
    services.reject_entry(entry, by=moderator)
    return client.get(reverse("learning:edit", args=[entry.pk]), follow=True)


@pytest.mark.parametrize(
    ("act", "starts"),
    [
        (_publish, "Entry published."),
        (_return, "Entry returned."),
        (_reject, "Entry rejected."),
        (_withdraw, "Entry withdrawn."),
        (_edit_waiting, "Changes saved."),
        (_edit_published, "Changes saved."),
        (_save_decisions, "Your decisions are saved"),
        (_keep_undecided_hidden, "Saved: everything"),
        (_edit_rejected, "Only entries awaiting moderation"),
    ],
)
def test_the_banner_after_each_moderation_step_ends_with_a_full_stop(
    client, moderator, act, starts
):
    client.force_login(moderator)

    banner = _banner(act(client, moderator))

    assert banner.startswith(starts)
    assert banner.endswith(".") and not banner.endswith("..")
