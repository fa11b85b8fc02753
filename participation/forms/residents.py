"""Residents' forms: signing up and their profile."""

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.forms.utils import ErrorDict

from coprod_hub.lib.forms import (
    LimitedTextField,
    ModelMultipleChoiceField,
    clean_uk_phone,
    is_uk_mobile,
    with_character_count,
)
from notifications.channels import notify_configured
from projects.ladder import Level
from projects.models import ServiceArea

from ..models import Opportunity, Profile
from ..services import JOINING_NEEDED, JOINING_NEEDED_FOR_SOMEONE, POST_OR_PHONE_NEEDS_DETAILS
from .fields import contact_by_choices, gds_helper, joining_field, joining_layout

NOTE_MAX_LENGTH = 2000

NOTIFY_LARGE_PRINT_HINT = (
    "Our emails come in one text size, but your email app can make the text bigger. "
    "If our staff write to you, they use large print."
)


def _note_field(label, help_text):
    return LimitedTextField(
        what="what you need for this session",
        label=label,
        help_text=help_text,
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea,
    )


def _note_layout(rows, *before, **label):
    # The GOV.UK character count: the browser never cuts a long note off without a word.
    return gds_helper(
        *before,
        with_character_count(
            Field.textarea("access_needs_note", rows=rows, max_characters=NOTE_MAX_LENGTH, **label)
        ),
    )


class SignUpForm(forms.Form):
    NOTE_MAX_LENGTH = NOTE_MAX_LENGTH

    # Asked only of a hybrid session (`ask_how_joining`), before what they need: how they join
    # decides some of it (a lift from the station, say). The form is checked before the
    # session is loaded (the service loads it under its lock), so it is optional here and the
    # service refuses a hybrid sign-up without it (services.JOINING_NEEDED).
    joining = joining_field("How will you join?", JOINING_NEEDED)
    access_needs_note = _note_field(
        "Is there anything else you need for this session? (optional)",
        "For example, a lift from the station, or a break every hour. Only you and the staff "
        "running this session will see it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["joining"].required = False
        self.helper = _note_layout(3)

    def ask_how_joining(self):
        """The session is hybrid: show the question, and, on a form sent without an answer,
        say so with any other errors, so people put everything right at once."""
        self.helper = _note_layout(3, joining_layout())
        if self.is_bound and "joining" not in self.errors and not self.data.get("joining"):
            self.add_error("joining", JOINING_NEEDED)
            # Added after the other fields were checked: the error summary lists the errors
            # in the order they were added, and should follow the page.
            errors = self._errors
            self._errors = ErrorDict(
                {name: errors[name] for name in ["joining", *errors] if name in errors},
                renderer=errors.renderer,
            )

    def asked_with_nothing_kept(self):
        """Asked of someone who has told us no access needs: nothing "else" to add to."""
        label = "Is there anything you need for this session? (optional)"
        self.fields["access_needs_note"].label = label
        # A form already checked (sent with a mistake) has made its fields for the page, with
        # the label they had then: the one on the page must change too.
        self["access_needs_note"].label = label


class SessionNeedsForm(forms.Form):
    """The question is the page's heading (GOV.UK's one question on a page)."""

    access_needs_note = _note_field(
        "What else do you need for this session?",
        "For example, a lift from the station, or a break every hour. Only you and the staff "
        "running this session will see it. Leave it empty if you need nothing else.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _note_layout(4, label_size=Size.LARGE, label_tag="h1")


class JoiningForm(forms.Form):
    """How someone will join a hybrid session, asked again from their place's page. The
    question is the page's heading."""

    joining = joining_field("How will you join?", JOINING_NEEDED)

    def __init__(self, *args, for_someone=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_someone:  # staff running the session, say after a phone call
            field = self.fields["joining"]
            field.label = "How will they join?"
            field.error_messages["required"] = JOINING_NEEDED_FOR_SOMEONE
        self.helper = gds_helper(Field.radios("joining", legend_size=Size.LARGE, legend_tag="h1"))


class InterestsForm(forms.Form):
    interests = ModelMultipleChoiceField(
        label="Topics you are interested in",
        queryset=ServiceArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_levels = forms.MultipleChoiceField(
        label="Levels you would like to work at",
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Individual: your own care. Service: shaping a service. "
            "Strategic: plans and policy across the council."
        ),
    )
    preferred_formats = forms.MultipleChoiceField(
        label="How you like to take part",
        choices=Opportunity.Format.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            Field.checkboxes("interests", legend_size=Size.MEDIUM),
            Field.checkboxes("preferred_levels", legend_size=Size.MEDIUM),
            Field.checkboxes("preferred_formats", legend_size=Size.MEDIUM),
        )


class AccessNeedsForm(forms.Form):
    access_needs = forms.CharField(
        label="What support do you need to take part?",
        help_text=(
            "For example: step-free access, a hearing loop, a British Sign Language interpreter, "
            "information in easy read, a quiet space, or someone to come with you."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    consent = forms.BooleanField(
        label=(
            "I agree that the council can keep this information and share it with the staff "
            "running each session I sign up for"
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if (data.get("access_needs") or "").strip() and not data.get("consent"):
            self.add_error(
                "consent",
                "Tick the box to agree that we can keep your access needs, or leave them empty",
            )
        return data


TEXT_PHONE_HINT = "Needed if you choose text messages: a mobile number, starting 07."
PHONE_HINT = "Needed if you choose post or phone and do not give a postal address."


class ContactPreferencesForm(forms.Form):
    contact_by = forms.ChoiceField(
        label="How should we contact you?",
        choices=contact_by_choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how we should contact you"},
    )
    # Each is needed for some answers above, so neither is marked "(optional)": the hints
    # say when.
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        help_text=TEXT_PHONE_HINT,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    postal_address = forms.CharField(
        label="Postal address",
        required=False,
        max_length=500,
        help_text=(
            "Include your postcode. Needed if you choose post or phone and do not give a "
            "phone number. We only write to you if you choose post or phone."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
    )
    format = forms.ChoiceField(
        label="How should information be written for you?",
        choices=Profile.InformationFormat.choices,
        help_text=(
            "Easy read: our emails about your sessions and payments use short sentences. "
            "If our staff write to you, they use what you choose too."
        ),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how information should be written for you"},
    )
    # Apart from the words above: someone may need easy read and big text both.
    large_print = forms.BooleanField(
        label="Send me information in large print",
        help_text="Our emails use big text. If our staff write to you, they use large print too.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if Profile.ContactBy.TEXT not in dict(self.fields["contact_by"].choices):
            self.fields["phone"].help_text = PHONE_HINT
        if notify_configured():
            # Emails then go through GOV.UK Notify, which sends every email in one text size
            # (notifications.channels): promising big type would be untrue.
            self.fields["large_print"].help_text = NOTIFY_LARGE_PRINT_HINT
        self.helper = gds_helper(
            Field.radios("contact_by", legend_size=Size.MEDIUM),
            Field.text("phone", field_width=20),
            Field.textarea("postal_address"),
            Field.radios("format", legend_size=Size.MEDIUM),
            Fieldset(Field.checkbox("large_print"), legend="Large print", legend_size=Size.MEDIUM),
        )

    def clean_phone(self):
        return clean_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        contact_by = data.get("contact_by")
        if contact_by == Profile.ContactBy.TEXT and not data.get("phone"):
            self.add_error("phone", "Enter a mobile number so we can send you text messages")
        elif contact_by == Profile.ContactBy.TEXT and not is_uk_mobile(data["phone"]):
            self.add_error(
                "phone", "Enter a mobile number, starting 07, so we can send you text messages"
            )
        if (
            contact_by == Profile.ContactBy.POST_OR_PHONE
            and "phone" in data
            and not (data["phone"] or data.get("postal_address", "").strip())
        ):
            # On the phone box, the first of the two: the error summary leads there.
            self.add_error("phone", POST_OR_PHONE_NEEDS_DETAILS)
        return data
