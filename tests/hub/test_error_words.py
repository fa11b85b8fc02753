"""Form errors in the hub's own words, not Django's developer wording ("This field is
required.", "Ensure this value is greater than or equal to 0.")."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES" / "django.po"


def _entries():
    """(msgid, msgid_plural or None, [msgstr...]) for each entry of the .po file."""
    text = CATALOGUE.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        fields = dict(re.findall(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', block, re.M))
        if fields.get("msgid"):
            plurals = [fields[k] for k in sorted(fields) if k.startswith("msgstr[")]
            yield fields["msgid"], fields.get("msgid_plural"), plurals or [fields["msgstr"]]


def test_the_compiled_catalogue_matches_the_words_written():
    """Fails when django.po was changed without `make messages` (the .mo is what runs)."""
    entries = list(_entries())
    assert len(entries) > 20
    with translation.override("en-gb"):
        for msgid, plural, words in entries:
            if plural is None:
                assert translation.gettext(msgid) == words[0], msgid
            else:
                assert translation.ngettext(msgid, plural, 1) == words[0], msgid
                assert translation.ngettext(msgid, plural, 2) == words[1], msgid


class _Form(forms.Form):
    name = forms.CharField(max_length=5)
    places = forms.IntegerField(min_value=0)
    colour = forms.ChoiceField(choices=[("red", "Red")])
    email = forms.EmailField()


def test_any_form_says_what_to_do_in_plain_words():
    empty = _Form({}).errors
    wrong = _Form({"name": "Too long", "places": "-3", "colour": "blue", "email": "nope"}).errors

    assert set(empty) == {"name", "places", "colour", "email"}
    assert empty["name"] == ["This question needs an answer"]
    assert wrong["name"] == ["This must be 5 characters or fewer (it has 8)"]
    assert wrong["places"] == ["Enter a number of 0 or more"]
    assert wrong["colour"] == ["Choose one of the options shown"]
    assert wrong["email"] == ["Enter an email address in the correct format, like name@example.com"]


@pytest.mark.django_db
def test_the_account_pages_name_what_is_missing(client, resident):
    client.force_login(resident)

    email = client.post(reverse("account_email"), {"action_add": "", "email": ""}).text
    erase = client.post(reverse("my_data_erase"), {"password": "", "confirm": "on"}).text

    assert "Enter your new email address" in email
    assert "Enter your password" in erase
    for page in (email, erase):
        assert "This field is required" not in page and "This question needs" not in page
