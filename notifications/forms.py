from django import forms

from coprod_hub.lib.forms import clean_uk_phone
from participation.models import Profile

from .kinds import Category
from .models import Message

RESIDENT_CATEGORIES = [
    Category.SIGN_UPS,
    Category.REMINDERS,
    Category.CLAIMS,
    Category.UPDATES,
    Category.ALERTS,
    Category.SURVEYS,
]


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Message.Status.choices], required=False
    )


class PreferencesForm(forms.Form):
    contact_by = forms.ChoiceField(
        label="How should we contact you?",
        choices=Profile.ContactBy.choices,
        widget=forms.RadioSelect,
        help_text="If you choose post or phone, a member of staff will contact you instead.",
    )
    phone = forms.CharField(
        label="Mobile or phone number",
        required=False,
        max_length=40,
        help_text="We need this to send you text messages, or to phone you.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    alert_frequency = forms.ChoiceField(
        label="New opportunities that match your interests",
        choices=Profile.AlertFrequency.choices,
        widget=forms.RadioSelect,
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

    def clean_phone(self):
        return clean_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact_by") == Profile.ContactBy.TEXT and not cleaned.get("phone"):
            self.add_error("phone", "Enter a mobile number so we can send you text messages")
        return cleaned
