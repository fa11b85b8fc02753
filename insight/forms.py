"""Forms only check what people typed; views hand `cleaned_data` to services.py."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from .equality import QUESTIONS
from .statements import I_STATEMENTS, NOT_YET, PREFER_NOT_TO_SAY, WE_STATEMENTS, Agreement

COMMENT_MAX = 2000
EVIDENCE_MAX = 3000


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return helper


def _agreement_choices(*, prefer_not: bool, not_yet: str = ""):
    choices = [Choice(str(value), label) for value, label in Agreement.choices]
    if prefer_not:
        choices[-1] = Choice(choices[-1].value, choices[-1].label, divider="or")
        if not_yet:
            choices.append(Choice(NOT_YET, not_yet))
        choices.append(Choice(PREFER_NOT_TO_SAY, "Prefer not to say"))
    return choices


class SurveyForm(forms.Form):
    """The six "I" statements, one set of radios each, and one comment box."""

    comment = forms.CharField(
        label="Is there anything else you would like to tell us?",
        help_text=(
            "This is optional. Staff will read what you write, but will not see your name. "
            "Please leave out names, addresses and phone numbers. We try to remove details "
            "like these automatically, but we might miss some."
        ),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Keep your answer to {COMMENT_MAX:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        statement_fields = {}
        for statement in I_STATEMENTS:
            statement_fields[statement.key] = forms.ChoiceField(
                label=statement.text,
                choices=_agreement_choices(prefer_not=True, not_yet=statement.not_yet),
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose an answer for \u201c{statement.text}\u201d, "
                    "or choose \u201cPrefer not to say\u201d"
                },
            )
        self.fields = {**statement_fields, "comment": self.fields["comment"]}
        self.helper = _helper(
            *[Field.radios(s.key, legend_size=Size.SMALL) for s in I_STATEMENTS],
            Field.textarea("comment", label_size=Size.SMALL),
        )

    @staticmethod
    def initial_from(response) -> dict:
        if response is None:
            return {}
        initial = {"comment": response.comment}
        for statement in I_STATEMENTS:
            value = getattr(response, statement.key)
            if statement in response.said_not_yet():
                initial[statement.key] = NOT_YET
            else:
                initial[statement.key] = PREFER_NOT_TO_SAY if value is None else str(value)
        return initial

    def answers(self) -> dict:
        """Each statement's key: 1 to 5, None for "prefer not to say", or NOT_YET."""
        answers = {}
        for s in I_STATEMENTS:
            answer = self.cleaned_data[s.key]
            answers[s.key] = answer if answer == NOT_YET else _rating_or_none(answer)
        return answers


def _rating_or_none(answer: str) -> int | None:
    return None if answer == PREFER_NOT_TO_SAY else int(answer)


class WeAssessmentForm(forms.Form):
    """Each "We" statement: a rating and the evidence for it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        layout = []
        for statement in WE_STATEMENTS:
            self.fields[statement.key] = forms.ChoiceField(
                label=statement.text,
                choices=_agreement_choices(prefer_not=False),
                widget=forms.RadioSelect,
                error_messages={"required": f"Rate \u201c{statement.text}\u201d"},
            )
            self.fields[f"{statement.key}_evidence"] = forms.CharField(
                label=f"Evidence for \u201c{statement.text}\u201d",
                help_text="What did the team do this quarter that shows this? Give examples.",
                max_length=EVIDENCE_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "required": f"Give your evidence for \u201c{statement.text}\u201d",
                    "max_length": f"Keep the evidence to {EVIDENCE_MAX:,} characters or fewer",
                },
            )
            layout += [
                Field.radios(statement.key, legend_size=Size.MEDIUM, legend_tag="h2"),
                Field.textarea(f"{statement.key}_evidence", label_size=Size.SMALL),
            ]
        self.helper = _helper(*layout)

    @staticmethod
    def initial_from(assessment) -> dict:
        if assessment is None:
            return {}
        initial = {}
        for statement in WE_STATEMENTS:
            initial[statement.key] = str(getattr(assessment, statement.key))
            initial[f"{statement.key}_evidence"] = getattr(assessment, f"{statement.key}_evidence")
        return initial

    def ratings(self) -> dict:
        return {s.key: int(self.cleaned_data[s.key]) for s in WE_STATEMENTS}

    def evidence(self) -> dict:
        return {s.key: self.cleaned_data[f"{s.key}_evidence"] for s in WE_STATEMENTS}


class EqualityForm(forms.Form):
    """Every question is optional; "Prefer not to say" is always an answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        layout = []
        for question in QUESTIONS:
            choices = [Choice(value, label) for value, label in question.choices.choices]
            choices[-2] = Choice(choices[-2].value, choices[-2].label, divider="or")
            self.fields[question.field] = forms.ChoiceField(
                label=question.text,
                help_text=question.hint,
                choices=choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": f"Choose one of the answers: {question.text}"},
            )
            layout.append(Field.radios(question.field, legend_size=Size.SMALL))
        self.helper = _helper(*layout)

    @staticmethod
    def initial_from(record) -> dict:
        if record is None:
            return {}
        return {q.field: getattr(record, q.field) for q in QUESTIONS}
