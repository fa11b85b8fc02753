from django import forms

from participation.models import Profile

from .kinds import Category
from .models import Message

# Not Category.ALERTS: the alert_frequency question already asks about new opportunities. A
# tick-box for them as well let people choose "Once a week" and untick it, and then read
# "Once a week" on their profile while getting nothing.
RESIDENT_CATEGORIES = [
    Category.SIGN_UPS,
    Category.REMINDERS,
    Category.CLAIMS,
    Category.UPDATES,
    Category.SURVEYS,
]


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Message.Status.choices], required=False
    )


class PreferencesForm(forms.Form):
    """What we send: alerts about new opportunities and which kinds of message. How we send
    them (email, text, post or phone) is asked once, on the profile's contact page."""

    alert_frequency = forms.ChoiceField(
        label="New opportunities that match your interests",
        choices=Profile.AlertFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when to hear about new opportunities"},
    )
    categories = forms.MultipleChoiceField(
        label="What would you like to hear about?",
        choices=[(c.value, c.label) for c in RESIDENT_CATEGORIES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Untick anything you do not want. You can change this at any time.",
    )

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            choices = [*self.fields["categories"].choices, (Category.STAFF, Category.STAFF.label)]
            self.fields["categories"].choices = choices
