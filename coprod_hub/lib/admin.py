"""Pieces the admin of several apps shares."""

from django import forms
from django.contrib.admin.utils import model_ngettext


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


class ViewOnly:
    """A ModelAdmin mixin for records that are history (a step recorded, a moderation
    decision, a place booked): the admin shows them, and only the hub's own pages, through
    their services, write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class KeepsHistory:
    """A ModelAdmin mixin: a record is not deleted while rows that are its history point to
    it. Those rows would go with it (CASCADE), and they are what happened: who took part, the
    step recorded, what people were told. `history` names the reverse relations to check, each
    with what to do instead. Django's own delete page and "delete selected" action then list
    them as protected and refuse, as they do for PROTECT."""

    history: dict[str, str] = {}

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        kept = []
        for name, instead in self.history.items():
            relation = self.model._meta.get_field(name)
            rows = relation.related_model._default_manager.filter(
                **{f"{relation.field.name}__in": objs}
            )
            count = rows.count()
            if count:
                kept.append(f"{count} {model_ngettext(relation.related_model, count)}: {instead}")
        if kept:
            # Refused either way; say why rather than "you may not delete sign-ups" (rows an
            # admin is not allowed to delete on their own are often these very rows).
            return deleted, counts, set(), [*protected, *kept]
        return deleted, counts, perms_needed, protected
