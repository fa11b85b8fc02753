"""Forms only check what people typed; views hand `cleaned_data` to `learning.services`."""

import re

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size
from django import forms
from django.utils.functional import cached_property
from django.utils.html import format_html

from coprod_hub.lib.forms import LimitedTextField, with_character_count
from projects.ladder import (
    LEVEL_DESCRIPTIONS,
    PRINCIPLE_DESCRIPTIONS,
    STEP_IN_PLAIN_WORDS,
    Level,
    Principle,
    Step,
)
from projects.models import Project

from .models import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH, Entry, Finding, Topic
from .rendering import in_context

# What a project's web address can look like. Only such a value is looked up: PostgreSQL
# refuses a NUL byte in a query outright (a server error), and nothing else can match.
PROJECT_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")

# Control characters (other than tab and line breaks) never appear in typed text; they mean
# a file or binary data was pasted. NUL bytes would also break PostgreSQL text columns.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

KIND_HINTS = {
    Entry.Kind.LESSON: "Something you learned from taking part or running a piece of work.",
    Entry.Kind.GOOD_PRACTICE: "Something that worked well and others could copy.",
    Entry.Kind.FEEDBACK: "What you think about how the council involves people.",
    Entry.Kind.HOW_TO: "Step-by-step advice on doing something well.",
}


class PlainTextField(LimitedTextField):
    """Text typed by a person: line breaks made consistent, binary data refused."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        value = super().to_python(value)
        if CONTROL_CHARACTERS.search(value):
            raise forms.ValidationError(
                f"{self.what.capitalize()} contains characters that are not ordinary text, "
                f"perhaps from copying a file. Remove them, or type it again, and send it again.",
                code="binary",
            )
        return value


def _optional_choice(label, choices, empty_label, what):
    return forms.ChoiceField(
        label=label,
        choices=[("", empty_label), *choices],
        required=False,
        error_messages={"invalid_choice": f"Choose {what} from the list"},
    )


def _step_field(label, empty_label="Not sure", *, plain_words=False, help_text=""):
    def name(step):
        if plain_words:  # "Consultation: you give your views and the council decides"
            return f"{step.label}: {STEP_IN_PLAIN_WORDS[step]}"
        return f"{step.value}. {step.label}"

    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[("", empty_label), *[(s.value, name(s)) for s in Step]],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a step from the list"},
    )


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


class EntryContentForm(forms.Form):
    """What an entry says and how it is tagged: shared by the share and edit pages."""

    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=[Choice(k.value, k.label, hint=KIND_HINTS[k]) for k in Entry.Kind],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what you are sharing",
            "invalid_choice": "Choose what you are sharing",
        },
    )
    title = PlainTextField(
        what="the title",
        label="Title",
        help_text="A few words that sum it up, for example “Paying people on the day”.",
        max_length=MAX_TITLE_LENGTH,
        error_messages={"required": "Enter a title"},
    )
    text = PlainTextField(
        what="your text",
        label="What do you want to share?",
        help_text=(
            "What happened, what you learned, and what you would do again or differently. "
            "Please leave out names, phone numbers and addresses."
        ),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea,
        error_messages={"required": "Write what you want to share"},
    )
    outcome = forms.ChoiceField(
        label="How did it go?",
        choices=Entry.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how it went, or “Does not apply”",
            "invalid_choice": "Choose how it went, or “Does not apply”",
        },
    )
    # The tags use the hub's words for co-production, which not everyone knows: each
    # choice says what it means in plain words.
    level = forms.ChoiceField(
        label="Whose decisions was it about?",
        choices=[
            *[Choice(level.value, level.label, hint=LEVEL_DESCRIPTIONS[level]) for level in Level],
            Choice("", "Not sure"),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose a level from the list"},
    )
    step = _step_field(
        label="How much say did people have?",
        plain_words=True,
        help_text="From no real say at all, to being equal partners from start to finish.",
    )
    principle = forms.ChoiceField(
        label="Which principle of co-production does it show most?",
        help_text="Principles are the values that make co-production work.",
        choices=[
            ("", "None in particular"),
            *[
                (p.value, f"{p.label}: {_first_sentence(PRINCIPLE_DESCRIPTIONS[p])}")
                for p in Principle
            ],
        ],
        required=False,
        error_messages={"invalid_choice": "Choose a principle from the list"},
    )
    topic = _optional_choice("Topic", Topic.choices, "None in particular", "a topic")
    project = forms.ModelChoiceField(
        label="Is it about one of our projects?",
        queryset=Project.objects.none(),
        required=False,
        empty_label="Not about one project",
        error_messages={"invalid_choice": "Choose a project from the list"},
    )

    tag_legend = "Help people find it (optional)"
    tag_hint = (
        "These tags help people find what you shared. Answer any you can. "
        "If you are not sure, leave them."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only published projects: the form is public and must not reveal drafts.
        self.fields["project"].queryset = Project.objects.published().order_by("title")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*self.layout_fields())

    def layout_fields(self):
        return [
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.text("title"),
            with_character_count(
                Field.textarea("text", rows=12, max_characters=MAX_TEXT_LENGTH, threshold=75)
            ),
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Fieldset(
                HTML(format_html('<p class="govuk-hint">{}</p>', self.tag_hint)),
                Field.radios("level", legend_size=Size.SMALL, small=True),
                Field.select("step"),
                Field.select("principle"),
                Field.select("topic"),
                Field.select("project"),
                legend=self.tag_legend,
                legend_size=Size.MEDIUM,
            ),
        ]


class ShareForm(EntryContentForm):
    contact_email = forms.EmailField(
        label="Your email address (optional)",
        help_text=(
            "Only if you would like to hear what happens to what you shared, or are happy "
            "for a moderator to email you about it. We delete it as soon as we have decided."
        ),
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    # A trap for bots: hidden from people (and screen readers) by CSS; bots fill it in.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        # Signed-in people hear back through their account, so they are not asked for an
        # address (an empty box made us think they could not be reached).
        self.signed_in = bool(user and user.is_authenticated)
        super().__init__(*args, **kwargs)
        if self.signed_in:
            del self.fields["contact_email"]

    def layout_fields(self):
        if self.signed_in:
            return super().layout_fields()
        return [*super().layout_fields(), Field.text("contact_email")]

    @property
    def is_from_a_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())


class ModerationEditForm(EntryContentForm):
    note = forms.CharField(
        label="What did you change? (optional)",
        help_text="Moderators see this in the entry's history.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = "Type of entry"
        self.fields["text"].label = "Text"
        self.fields[
            "text"
        ].help_text = (
            "To hide something the scanner missed, replace it with a label such as [name]."
        )
        self.fields["project"].label = "Project (optional)"

    @classmethod
    def initial_for(cls, entry: Entry) -> dict:
        return {
            "kind": entry.kind,
            "title": entry.title,
            "text": entry.text,
            "outcome": entry.outcome,
            "level": entry.level,
            "step": entry.step,
            "principle": entry.principle,
            "topic": entry.topic,
            "project": entry.project_id,
        }

    def layout_fields(self):
        return [*super().layout_fields(), Field.textarea("note", rows=3)]


class EntryFilterForm(forms.Form):
    """The search box and tag filters on /guide/. Unknown values are reported and ignored,
    so a mistyped link still shows results."""

    q = forms.CharField(
        label="Search the guide",
        required=False,
        max_length=200,
        error_messages={
            "max_length": "Search words must be 200 characters or fewer",
            "null_characters_not_allowed": (
                "Search words must only include letters, numbers and punctuation"
            ),
        },
    )
    kind = _optional_choice("Type", Entry.Kind.choices, "Any type", "a type")
    outcome = _optional_choice("How it went", Entry.Outcome.choices, "Any", "how it went")
    level = _optional_choice("Level", Level.choices, "Any level", "a level")
    step = _step_field(label="Step", empty_label="Any step")
    principle = _optional_choice("Principle", Principle.choices, "Any principle", "a principle")
    topic = _optional_choice("Topic", Topic.choices, "Any topic", "a topic")

    FILTERS = ("kind", "outcome", "level", "step", "principle", "topic")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # ?project=<slug> comes from the "see all" link on a project page. It is not one of
        # the form's fields: a list of every project would outweigh the rest of the page.
        self.project_slug = (data or {}).get("project", "").strip()

    @cached_property
    def project(self) -> Project | None:
        """The published project named by ?project=, if there is one. Entries can only be
        about published projects, and a hidden project's name must not show here."""
        if not PROJECT_SLUG.fullmatch(self.project_slug):
            return None
        return Project.objects.published().filter(slug=self.project_slug).first()

    @property
    def unknown_project(self) -> bool:
        """A project was asked for but there is no published project at that address: the
        page says so and shows entries about every project."""
        return bool(self.project_slug) and self.project is None

    @property
    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def active(self) -> bool:
        return self.project is not None or any(self.values.get(name) for name in self.fields)

    @property
    def query(self) -> str:
        return (self.values.get("q") or "").strip()

    def apply(self, entries):
        data = self.values
        if self.project is not None:
            entries = entries.about_project(self.project)
        for name in self.FILTERS:
            if data.get(name):
                entries = entries.filter(**{name: data[name]})
        if self.query:
            return entries.search(self.query)
        return entries.newest_first()


class ResolveFindingsForm(forms.Form):
    """One question per finding: keep it hidden, or show it because it is not personal."""

    CHOICES = [
        (Finding.Resolution.REDACT.value, "Keep it hidden"),
        (Finding.Resolution.NOT_PERSONAL.value, "Show it: it is not personal data"),
    ]
    # By each finding still undecided when the moderator tries to publish.
    UNDECIDED = "Choose whether to keep it hidden or show it"
    # The name of the "Keep all undecided hidden" button. Its value is the ids of the findings
    # undecided when the page was made: those are the ones the moderator saw.
    KEEP_UNDECIDED_HIDDEN = "keep_undecided_hidden"
    FINDINGS_CHANGED = (
        "The text has changed since you opened it, so the findings have changed too. "
        "Check them again below."
    )

    def __init__(self, *args, entry, findings, require_a_choice=True, **kwargs):
        super().__init__(*args, **kwargs)
        # With the decision, choosing nothing is fine (rejecting needs no choices).
        self.require_a_choice = require_a_choice
        self.findings = list(findings)
        for number, finding in enumerate(self.findings, start=1):
            where = finding.get_field_display().lower()
            self.fields[self.field_name(finding)] = forms.ChoiceField(
                label=f"{number}. {finding.kind_label} in the {where}",
                # Rendered as HTML by the form template: in_context escapes what was typed.
                help_text=format_html(
                    "Found: {}", in_context(getattr(entry, finding.field), finding)
                ),
                choices=self.CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=None if finding.is_pending else finding.resolution,
                error_messages={"invalid_choice": "Choose whether to keep it hidden"},
            )

    def clean(self):
        data = super().clean()
        # Answers about findings that no longer exist: someone changed the text meanwhile.
        answered = {name for name in self.data if name.startswith("finding_")}
        if answered - set(self.fields) or self.undecided_shown is None:
            raise forms.ValidationError(self.FINDINGS_CHANGED)
        if (
            self.require_a_choice
            and not self.keeps_undecided_hidden
            and self.findings
            and not any(data.get(name) for name in self.fields)
        ):
            # Saving with nothing chosen would look as if it had worked. Choices can be saved
            # a few at a time, so one is enough: the message says so, on the first finding.
            first = self.field_name(self.findings[0])
            self.add_error(
                first,
                "Choose whether to keep it hidden or show it, for this finding or any other below",
            )
        return data

    @staticmethod
    def field_name(finding) -> str:
        return f"finding_{finding.pk}"

    @property
    def keeps_undecided_hidden(self) -> bool:
        """The moderator pressed "Keep all undecided hidden"."""
        return self.KEEP_UNDECIDED_HIDDEN in self.data

    def undecided_ids(self) -> str:
        """The button's value: the findings still undecided as the page is made."""
        return " ".join(str(finding.pk) for finding in self.findings if finding.is_pending)

    @cached_property
    def undecided_shown(self) -> list[int] | None:
        """The ids the button sent back, or None if any is not one of the entry's findings
        now (someone changed the text meanwhile)."""
        words = self.data.get(self.KEEP_UNDECIDED_HIDDEN, "").split()
        current = {finding.pk for finding in self.findings}
        if not all(re.fullmatch(r"[0-9]{1,18}", word) and int(word) in current for word in words):
            return None
        return [int(word) for word in words]

    def resolutions(self) -> dict[int, str]:
        """{finding id: resolution} for every question answered."""
        return {
            finding.pk: self.cleaned_data[self.field_name(finding)]
            for finding in self.findings
            if self.cleaned_data.get(self.field_name(finding))
        }

    def mark_undecided(self) -> list:
        """Before publishing: put an error on each finding that is still undecided, counting
        the choices made on this page, and return those findings (in page order)."""
        undecided = [
            finding
            for finding in self.findings
            if finding.is_pending and not self.cleaned_data.get(self.field_name(finding))
        ]
        for finding in undecided:
            self.add_error(self.field_name(finding), self.UNDECIDED)
        return undecided

    def rows(self):
        """(finding, bound field) pairs for the template."""
        return [(finding, self[self.field_name(finding)]) for finding in self.findings]


class DecisionForm(forms.Form):
    PUBLISH, RETURN, REJECT = "publish", "return", "reject"

    decision = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what to do with this entry",
            "invalid_choice": "Choose what to do with this entry",
        },
    )
    note = forms.CharField(
        label="Note",
        help_text=(
            "Needed when you return it: we send this note to the person who shared it. "
            "For publishing or rejecting, it is kept for moderators only."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label="Why are you rejecting it? (optional)",
        help_text=(
            "We send this to the person who shared it, if we can reach them. Write it for "
            "them, in plain words. Leave it empty and we only tell them it will not be "
            "published."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, entry: Entry, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [Choice(self.PUBLISH, "Publish it", hint="Only the hidden version is kept.")]
        if entry.can_be_returned:
            choices.append(
                Choice(
                    self.RETURN,
                    "Return it with a note",
                    hint="We send your note to the person who shared it, with what they wrote.",
                )
            )
        choices.append(Choice(self.REJECT, "Reject it", hint="It will not be published."))
        self.fields["decision"].choices = choices
        if entry.can_reach_author:
            # Rendered by the `radios` tag: the reason shows under "Reject it" once chosen.
            self.reveals = {"decision": {self.REJECT: ["reason"]}}
        else:
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("note", "").strip():
            self.add_error("note", "Write a note to send to the person who shared it")
        if data.get("decision") != self.REJECT:
            # Only sent on rejecting. It sits under "Reject it", so a reason typed there and
            # then another answer chosen was meant for rejecting, and is dropped.
            data["reason"] = ""
        return data


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Why are you withdrawing it?",
        help_text="Moderators see this in the entry's history.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write why you are withdrawing it"},
    )
