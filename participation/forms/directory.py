"""The public directory's search and filters."""

from django import forms
from django.utils.functional import cached_property

from projects.ladder import STEP_IN_PLAIN_WORDS, Level, Step
from projects.models import Project

from ..models import Opportunity, Venue
from .fields import UKDateField


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters. Every value lives in the URL (GET)."""

    # "No fee" says what it means: such a session may still pay expenses (most do), and the
    # label must not promise otherwise (OpportunityQuerySet.filtered: fee_basis alone).
    PAID_CHOICES = [
        ("", "Paid or not"),
        ("paid", "Paid a fee"),
        ("unpaid", "No fee (we may still pay expenses, such as travel)"),
    ]
    MORE_FILTERS = [
        "kind",
        "topic",
        "from_date",
        "to_date",
        "area",
        "access",
        "level",
        "step",
        "include_past",
    ]
    SORT_CHOICES = [("date", "Soonest first"), ("relevance", "Best match")]

    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.MultipleChoiceField(
        label="Kind of activity",
        required=False,
        choices=Opportunity.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose kinds of activity from the list"},
    )
    format = forms.MultipleChoiceField(
        label="How it happens",
        required=False,
        choices=Opportunity.Format.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose how it happens from the list"},
    )
    paid = forms.ChoiceField(
        label="Paid",
        required=False,
        choices=PAID_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose paid, not paid, or either"},
    )
    topic = forms.MultipleChoiceField(
        label="Topic",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose topics from the list"},
    )
    from_date = UKDateField(label="From date", required=False)
    to_date = UKDateField(label="To date", required=False)
    access = forms.MultipleChoiceField(
        label="The venue has",
        required=False,
        choices=Venue.ACCESS_FACTS,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only in-person sessions at venues with everything you choose are shown.",
        error_messages={"invalid_choice": "Choose access facts from the list"},
    )
    area = forms.ChoiceField(
        label="Area",
        required=False,
        error_messages={"invalid_choice": "Choose an area from the list"},
    )
    level = forms.MultipleChoiceField(
        label="Level",
        required=False,
        choices=Level.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose levels from the list"},
    )
    step = forms.TypedMultipleChoiceField(
        label="How much say you have",
        required=False,
        coerce=int,
        # All seven steps. The directory lists opportunities at the "doing to" steps too: a
        # standalone one may be set to any step up to engagement, and a project's honest step
        # can be coercion or educating. Leaving those steps out would hide them from anyone
        # filtering, when people deserve to find (or rule out) them in plain words.
        choices=[(step.value, f"{step.label}: {STEP_IN_PLAIN_WORDS[step]}") for step in Step],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose steps from the list"},
    )
    include_past = forms.BooleanField(label="Include past opportunities", required=False)
    # Set by the "see all" link on a project's page; carried along as the filters change.
    project = forms.CharField(required=False, max_length=220, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=SORT_CHOICES,
        error_messages={"invalid_choice": "Choose how to sort from the list"},
    )

    def __init__(self, *args, topics=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [(t.slug, t.name) for t in topics]
        self.fields["area"].choices = [("", "Any area")] + [(a, a) for a in areas]

    @property
    def more_filters_open(self) -> bool:
        # The filters most people use stay in view; the rest fold away so that, on a phone,
        # the results are not pushed below a long list of checkboxes. Once someone has used
        # one of the folded filters, it stays unfolded so they can see what they chose.
        return bool(set(self.data) & set(self.MORE_FILTERS))

    @cached_property
    def options(self) -> dict[str, list[tuple[str, str, bool]]]:
        """(value, label, chosen) for every choice of every filter with choices, by name.

        The template writes each option out itself: rendering every option through a widget
        template or an include took about a third of a fresh directory page. Chosen follows
        what was submitted, valid or not, so a mistake is shown next to what the person chose.
        """
        options = {}
        for name, field in self.fields.items():
            if not isinstance(field, forms.ChoiceField):
                continue
            submitted = self[name].value()
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                chosen = {str(value) for value in submitted or ()}
            else:
                # Nothing submitted marks the empty option ("Paid or not"), as Django's Select
                # widget does, so a set of radios never starts with none of them chosen.
                chosen = {"" if submitted is None else str(submitted)}
            options[name] = [
                (str(value), label, str(value) in chosen) for value, label in field.choices
            ]
        return options

    def clean_project(self):
        slug = self.cleaned_data["project"].strip()
        if not slug:
            return None
        project = Project.objects.published().only("pk", "title", "slug").filter(slug=slug).first()
        if project is None:
            raise forms.ValidationError(
                "We could not find that project, so we have shown opportunities from every "
                "project instead"
            )
        return project

    def clean(self):
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", "The 'to' date must be the same as or after the 'from' date")
        return data

    def usable_filters(self) -> dict:
        """The filters that made sense. Bad values are reported and left out, so people still
        see results for everything else they chose."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors and value not in (None, False, "", [])
        }
