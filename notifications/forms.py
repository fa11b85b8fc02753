from django import forms

from .models import Message


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Message.Status.choices], required=False
    )
