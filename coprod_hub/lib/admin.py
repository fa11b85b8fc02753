"""Pieces the admin of several apps shares."""

from django import forms


def choices_form(model, **choices):
    """A ModelForm for `model` in which each JSON field named in `choices` (a list of values
    of a TextChoices) is a set of checkboxes. The JSON field's own admin box takes any JSON:
    a number or a misspelt value saved there broke the public pages that list the labels."""
    fields = {
        name: forms.MultipleChoiceField(
            choices=options.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=model._meta.get_field(name).verbose_name.capitalize(),
        )
        for name, options in choices.items()
    }
    meta = type("Meta", (), {"model": model, "fields": "__all__"})
    return type(f"{model.__name__}AdminForm", (forms.ModelForm,), {**fields, "Meta": meta})
