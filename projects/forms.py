"""Forms only check what people typed. Views pass `cleaned_data` to `projects.services`."""

from datetime import timedelta

import phonenumbers
from crispy_forms_gds.choices import Choice
from django import forms
from django.core.validators import validate_slug
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from coprod_hub.lib.forms import DateInputField, ModelMultipleChoiceField, PlainTextMixin
from coprod_hub.lib.money import PoundsField

from .ladder import (
    ACTIVITY_TYPE_DESCRIPTIONS,
    EVIDENCE_QUESTIONS,
    LEVEL_DESCRIPTIONS,
    PRINCIPLE_DESCRIPTIONS,
    STEP_DESCRIPTIONS,
    ActivityType,
    Level,
    Principle,
    Step,
    WtfcStage,
    matching_rule,
)
from .models import RESERVED_SLUGS, Project, ServiceArea
from .permissions import changes_who_runs, could_edit_new_project, who_runs_refusal
from .querysets import staff_users
from .services import BUDGET_REFUSAL, sets_budgets

# £10 million: far above any project budget, low enough to catch a typing slip of extra zeros.
MAX_BUDGET_PENCE = 10_000_000 * 100

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no_to_bool(value):
    return value == "yes"


class StaffChoiceMixin:
    """Staff are listed by name with their email, so two people with one name are told apart."""

    def label_from_instance(self, user):
        return f"{user} ({user.email})" if user.display_name else user.email


class StaffChoiceField(StaffChoiceMixin, forms.ModelChoiceField):
    pass


class StaffMultipleChoiceField(StaffChoiceMixin, ModelMultipleChoiceField):
    pass


def _budget_field():
    return PoundsField(
        label="Budget (optional)",
        help_text="The total budget in pounds, for example 12000 or 12000.50.",
        max_pence=MAX_BUDGET_PENCE,
        required=False,
    )


def _date_field(label, hint):
    # The hub's date input words its messages from the label ("Start date must be a real
    # date"), one message for each date.
    return DateInputField(label=label, help_text=hint, required=False, require_all_fields=False)


class ProjectForm(PlainTextMixin, forms.Form):
    title = forms.CharField(
        label="Project name",
        max_length=200,
        error_messages={"required": "Enter the project name"},
    )
    slug = forms.CharField(
        label="Web address (optional)",
        help_text=(
            "Lower-case letters, numbers and hyphens, for example carers-strategy-2026. "
            "Leave it blank and we will make one from the project name."
        ),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    summary = forms.CharField(
        label="Summary",
        help_text="In plain English: what the project is for and why it matters.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter a summary of the project"},
    )
    service_area = forms.ModelChoiceField(
        label="Service area",
        queryset=ServiceArea.objects.all(),
        empty_label="Choose a service area",
        error_messages={
            "required": "Choose a service area",
            "invalid_choice": "Choose a service area from the list",
        },
    )
    level = forms.ChoiceField(
        label="Level",
        help_text="Where the involvement happens.",
        choices=[
            Choice(level.value, level.label, hint=LEVEL_DESCRIPTIONS[level]) for level in Level
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the level", "invalid_choice": "Choose the level"},
    )
    activity_types = forms.MultipleChoiceField(
        label="Types of activity (optional)",
        help_text="Select all that apply.",
        choices=[
            Choice(kind.value, kind.label, hint=ACTIVITY_TYPE_DESCRIPTIONS[kind])
            for kind in ActivityType
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose types of activity from the list"},
    )
    principles = forms.MultipleChoiceField(
        label="Principles the project commits to (optional)",
        help_text="Select all that apply.",
        choices=[
            Choice(principle.value, principle.label, hint=PRINCIPLE_DESCRIPTIONS[principle])
            for principle in Principle
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose principles from the list"},
    )
    owner = StaffChoiceField(
        label="Owner",
        help_text="The member of staff responsible for the project.",
        queryset=staff_users(),
        empty_label="Choose the owner",
        error_messages={
            "required": "Choose the owner",
            "invalid_choice": "Choose a member of staff as the owner",
        },
    )
    team = StaffMultipleChoiceField(
        label="Team members (optional)",
        help_text="Team members can change the project, record its step and post updates.",
        queryset=staff_users(),
        # A council may have hundreds: hub.mjs adds a box that narrows the list as you type.
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose team members from the list of staff"},
    )
    start_date = _date_field("Start date", "For example, 14 4 2026")
    end_date = _date_field("End date", "For example, 31 3 2027")
    status = forms.ChoiceField(
        label="Status",
        help_text=(
            "A project can close once its sessions still to come have taken place or been "
            "cancelled. A closed project cannot have new sessions."
        ),
        choices=Project.Status.choices,
        widget=forms.RadioSelect,
        initial=Project.Status.PLANNING,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"},
    )
    wtfc_stage = forms.ChoiceField(
        label="Working Together for Change stage (optional)",
        help_text="Only if the project follows the Working Together for Change method.",
        choices=[("", "Not following Working Together for Change"), *WtfcStage.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    budget_pence = _budget_field()
    contact_name = forms.CharField(label="Contact name (optional)", max_length=150, required=False)
    contact_email = forms.EmailField(
        label="Contact email address (optional)",
        help_text=(
            "The project page tells people who to contact about the project. You need an email "
            "address or a phone number, or both, before you can publish it."
        ),
        required=False,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org"
        },
    )
    contact_phone = forms.CharField(
        label="Contact phone number (optional)",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    # The project's address once it can no longer change, shown as text by the page.
    fixed_web_address = ""
    # True for people who may not set the budget: the page shows it as text
    # (`fixed_budget_pence`, None for no budget).
    budget_is_fixed = False
    fixed_budget_pence = None

    def __init__(self, *args, user, project=None, **kwargs):
        self.user = user
        self.project = project
        super().__init__(*args, **kwargs)
        if project is not None:
            self._web_address_for_editing(project)
            if not changes_who_runs(user, project):
                self._who_runs_for_team_members(project)
        if sets_budgets(user):
            self.fields["budget_pence"].widget.attrs["class"] = "govuk-input govuk-input--width-10"
        else:
            # No box, as for a fixed web address: the page says what the budget is.
            del self.fields["budget_pence"]
            self.budget_is_fixed = True
            self.fixed_budget_pence = project.budget_pence if project is not None else None
        # Evaluated per form, not once at import, so new staff appear straight away.
        self.fields["owner"].queryset = staff_users().order_by("display_name", "email")
        self.fields["team"].queryset = self._team_choices(project)

    def full_clean(self):
        super().full_clean()
        # crispy-forms-gds marks only its own widget classes as in error; add the red border
        # to the "£" amount box too.
        if self.errors.get("budget_pence"):
            widget = self.fields["budget_pence"].widget
            widget.attrs["class"] += " govuk-input--error"

    @staticmethod
    def _team_choices(project):
        """Every member of staff, the project's team first: with hundreds of staff, the
        people already on it are not lost in the list."""
        staff = staff_users()
        if project is None:
            return staff.order_by("display_name", "email")
        on_team = Project.team.through.objects.filter(project=project, user=OuterRef("pk"))
        return staff.annotate(on_team=Exists(on_team)).order_by("-on_team", "display_name", "email")

    def _web_address_for_editing(self, project):
        slug = self.fields["slug"]
        slug.label = "Web address"
        if project.web_address_is_fixed:
            # Nothing to change, so no box: a greyed-out one could not be focused or read
            # easily. The page says what the address is (`fixed_web_address`).
            del self.fields["slug"]
            self.fixed_web_address = project.get_absolute_url()
        else:
            slug.required = True
            slug.error_messages["required"] = "Enter the web address"
            slug.help_text = (
                "Lower-case letters, numbers and hyphens. You can change it until the project "
                "is published. After that it stays the same, so links to it keep working."
            )

    def _who_runs_for_team_members(self, project):
        owner = self.fields["owner"]
        # Disabled: Django keeps the saved owner whatever is sent.
        owner.disabled = True
        owner.help_text = "Only the owner or a commissioner can hand the project over."
        self.fields["team"].help_text = (
            f"You can take yourself off the team. Only the owner, {project.owner}, or a "
            "commissioner can add or remove anyone else."
        )

    @classmethod
    def initial_for(cls, project):
        return {
            "title": project.title,
            "slug": project.slug,
            "summary": project.summary,
            "service_area": project.service_area_id,
            "level": project.level,
            "activity_types": project.activity_types,
            "principles": project.principles,
            "owner": project.owner_id,
            "team": [user.pk for user in project.team.all()],
            "start_date": project.start_date,
            "end_date": project.end_date,
            "status": project.status,
            "wtfc_stage": project.wtfc_stage,
            "budget_pence": project.budget_pence,
            "contact_name": project.contact_name,
            "contact_email": project.contact_email,
            "contact_phone": project.contact_phone,
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if not slug:
            return ""
        try:
            validate_slug(slug)
        except forms.ValidationError:
            raise forms.ValidationError(
                "The web address can only use letters, numbers and hyphens"
            ) from None
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                "That web address is used by another page. Choose a different one"
            )
        taken = Project.objects.filter(slug=slug)
        if self.project is not None:
            taken = taken.exclude(pk=self.project.pk)
        if taken.exists():
            raise forms.ValidationError(
                "Another project already uses that web address. Choose a different one"
            )
        return slug

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if not phone:
            return ""
        try:
            number = phonenumbers.parse(phone, "GB")
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_possible_number(number):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return phone

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be the same as or after the start date")
        # Handing over a project already made is fine (the edit page says so once saved), but
        # making one you cannot then record the step for is a slip.
        owner, team = cleaned.get("owner"), cleaned.get("team")
        creating = self.project is None and owner is not None and team is not None
        if creating and not could_edit_new_project(self.user, owner=owner, team=team):
            self.add_error(
                "team",
                "Add yourself to the team, or you will not be able to record the step or change "
                "this project",
            )
        editing = self.project is not None and owner is not None and team is not None
        if editing and (
            refusal := who_runs_refusal(self.user, self.project, owner=owner, team=team)
        ):
            self.add_error("team", refusal)
        self._budget_sent_anyway(cleaned)
        return cleaned

    def _budget_sent_anyway(self, cleaned):
        """A budget sent although the page offers no box for it (a made-up form, or one
        opened while the person was still a commissioner) goes on to `services`, which
        refuses any change with its reason, rather than being dropped unseen."""
        name = self.add_prefix("budget_pence")
        if not self.budget_is_fixed or name not in self.data:
            return
        try:
            cleaned["budget_pence"] = _budget_field().clean(self.data[name])
        except forms.ValidationError:
            self.add_error(None, BUDGET_REFUSAL)


class StepForm(PlainTextMixin, forms.Form):
    """The step staff claim, and the evidence questions from `ladder.EVIDENCE_QUESTIONS`."""

    claimed_step = forms.TypedChoiceField(
        label="Which step do you believe the project is at?",
        help_text="Be honest. The public will see the lower of this and what your answers show.",
        choices=[Choice(step.value, step.numbered, hint=STEP_DESCRIPTIONS[step]) for step in Step],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the step you believe the project is at",
            "invalid_choice": "Choose a step from 1 (coercion) to 7 (co-production)",
        },
    )
    reason = forms.CharField(
        label="Why this is not co-production",
        help_text=(
            "Needed unless the project is co-production. This is shown to the public. "
            "For example: the law says the council must make this decision; there is not "
            "enough time; the scope was already fixed."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )
    note = forms.CharField(
        label="What has changed since the step was last recorded? (optional)",
        help_text=(
            "This is shown to the public in the project's history, so people can see why the "
            "step moved. For example: carers now co-chair the group and help check the results."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, first=False, **kwargs):
        super().__init__(*args, **kwargs)
        # The evidence questions go between the claim and the reason, in the ladder's order.
        reason = self.fields.pop("reason")
        note = self.fields.pop("note")
        for question in EVIDENCE_QUESTIONS:
            self.fields[question.name] = self._field_for(question)
        self.fields["reason"] = reason
        if not first:
            # Nothing has changed the first time the step is recorded.
            self.fields["note"] = note
            # The box holds the reason given last time, which a new step can contradict.
            reason.help_text += " It shows what was written last time: check it still fits."
        self.evidenced = None
        self.rule = None

    @staticmethod
    def _field_for(question):
        messages = {
            "required": f"Answer the question: {question.text}",
            "invalid_choice": f"Choose one of the answers to: {question.text}",
        }
        if question.is_yes_no:
            return forms.TypedChoiceField(
                label=question.text,
                help_text=question.hint,
                choices=YES_NO,
                coerce=_yes_no_to_bool,
                widget=forms.RadioSelect,
                error_messages=messages,
            )
        return forms.ChoiceField(
            label=question.text,
            help_text=question.hint,
            choices=question.choices.choices,
            widget=forms.RadioSelect,
            error_messages=messages,
        )

    @classmethod
    def initial_for(cls, project):
        initial = {"claimed_step": project.claimed_step, "reason": project.not_coproduction_reason}
        for question in EVIDENCE_QUESTIONS:
            if question.name not in project.step_evidence:
                continue
            value = project.step_evidence[question.name]
            if question.is_yes_no:
                value = "yes" if value else "no"
            initial[question.name] = value
        return initial

    @property
    def evidence(self) -> dict:
        return {question.name: self.cleaned_data[question.name] for question in EVIDENCE_QUESTIONS}

    def clean(self):
        cleaned = super().clean()
        if all(question.name in cleaned for question in EVIDENCE_QUESTIONS):
            self.rule = matching_rule(self.evidence)
            self.evidenced = self.rule.step
        known = [s for s in (cleaned.get("claimed_step"), self.evidenced) if s is not None]
        below_coproduction = bool(known) and min(known) < Step.CO_PRODUCTION
        if below_coproduction and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Explain why this is not co-production")
        return cleaned

    @property
    def claimed(self) -> Step | None:
        value = self.cleaned_data.get("claimed_step") if hasattr(self, "cleaned_data") else None
        return Step(value) if value else None

    @property
    def gap(self) -> str:
        """ "7>4" when the claim is higher than the evidence, else "". The page echoes it back
        once the person has seen the warning, so a changed gap is warned about again."""
        claimed = self.claimed
        if claimed is None or self.evidenced is None or claimed <= self.evidenced:
            return ""
        return f"{claimed.value}>{self.evidenced.value}"

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.gap) and self.data.get("confirmed_gap") != self.gap


# How far back the sessions offered for an update go.
SESSIONS_OFFERED_FOR_UPDATES = timedelta(days=183)


class UpdateForm(PlainTextMixin, forms.Form):
    said = forms.CharField(
        label="What people said",
        help_text="Sum up what people told you, in their words where you can.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter what people said"},
    )
    did = forms.CharField(
        label="What we did",
        help_text="What changed, or what you decided, because of what people said.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": "Enter what we did"},
    )
    next_steps = forms.CharField(
        label="What happens next (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    easy_read = forms.CharField(
        label="Easy read version (optional)",
        help_text=(
            "The whole update again in easy read: short sentences with one idea each, and "
            "everyday words. People who asked for easy read get this by email instead, and it "
            "shows beside the update on the project page."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        required=False,
    )
    opportunities = ModelMultipleChoiceField(
        label="Sessions this update is about (optional)",
        help_text="Sessions from the last 6 months, and those coming up.",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Choose sessions from this project's list"},
    )

    def __init__(self, *args, project, linked=(), **kwargs):
        """`linked`: the ids of the update's sessions when it is being corrected; they stay
        on offer however old they are. With no `project` (an update about a session standing
        alone) the update's sessions are not asked for: they are the session it was posted
        from."""
        super().__init__(*args, **kwargs)
        from participation.models import Opportunity

        if project is None:
            del self.fields["opportunities"]
            return

        # A project with a weekly session would offer hundreds of boxes: offer the sessions
        # an update is likely to be about, the recent ones and those coming up.
        recent = Q(starts_at__gte=timezone.now() - SESSIONS_OFFERED_FOR_UPDATES)
        if linked:
            recent |= Q(pk__in=linked)
        opportunities = (
            project.opportunities.filter(recent)
            .exclude(status__in=[Opportunity.Status.DRAFT, Opportunity.Status.CANCELLED])
            .order_by("-starts_at")
        )
        if opportunities.exists():
            self.fields["opportunities"].queryset = opportunities
            self.fields["opportunities"].label_from_instance = lambda opportunity: (
                f"{opportunity.title}, {opportunity.starts_at:%-d %B %Y}"
            )
        else:
            del self.fields["opportunities"]

    def update_fields(self) -> dict:
        """The words and sessions, as `services.post_update` and `correct_update` take them."""
        data = self.cleaned_data
        return {
            "said": data["said"],
            "did": data["did"],
            "next_steps": data["next_steps"],
            "easy_read": data["easy_read"],
            "opportunities": data.get("opportunities") or (),
        }


def _filter_choice(label, choices, any_label, what):
    return forms.ChoiceField(
        label=label,
        choices=[("", any_label), *choices],
        required=False,
        error_messages={
            "invalid_choice": f"Choose {what} from the list. We have shown all of them instead"
        },
    )


class ProjectFilterForm(forms.Form):
    """The filters on /projects/ and /projects/manage/. Unknown values are reported and
    ignored, so a mistyped link still shows results."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    level = _filter_choice("Level", Level.choices, "Any level", "a level")
    step = forms.TypedChoiceField(
        label="Step",
        choices=[("", "Any step"), *[(step.value, step.numbered) for step in Step]],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={
            "invalid_choice": "Choose a step from the list. We have shown all of them instead"
        },
    )
    service_area = forms.ModelChoiceField(
        label="Service area",
        queryset=ServiceArea.objects.all(),
        to_field_name="slug",
        empty_label="Any service area",
        required=False,
        error_messages={
            "invalid_choice": (
                "Choose a service area from the list. We have shown all of them instead"
            )
        },
    )
    status = _filter_choice("Status", Project.Status.choices, "Any status", "a status")

    @property
    def values(self) -> dict:
        """The filters that were valid. Anything invalid is left out (and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def apply(self, projects):
        data = self.values
        if data.get("q"):
            projects = projects.search(data["q"])
        if data.get("level"):
            projects = projects.filter(level=data["level"])
        if data.get("step"):
            projects = projects.filter(public_step_value=data["step"])
        if data.get("service_area"):
            projects = projects.filter(service_area=data["service_area"])
        if data.get("status"):
            projects = projects.filter(status=data["status"])
        return projects

    @property
    def active(self) -> bool:
        return any(self.values.get(name) for name in self.fields)


class ManageFilterForm(ProjectFilterForm):
    FLAGS = [
        ("inflated", "Claimed step higher than the evidence"),
        ("overdue", "No update in 12 weeks"),
        ("no_step", "Step not recorded"),
        ("draft", "Not published"),
        ("past_end", "Active after its end date"),
    ]
    # key: (field, label, what the default direction means to aria-sort)
    SORTS = {
        "title": ("title", "Project name", "ascending"),
        "updated": ("-updated_at", "Last changed", "descending"),
        "step": ("public_step_value", "Step", "ascending"),
    }

    wtfc_stage = _filter_choice(
        "Working Together for Change stage",
        [(stage.value, stage.label) for stage in WtfcStage],
        "Any stage, or none",
        "a stage",
    )
    flag = _filter_choice("Show only", FLAGS, "All projects", "a flag")
    mine = forms.BooleanField(label="Only projects I can change", required=False)
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            *[(key, label) for key, (_, label, _) in SORTS.items()],
            *[(f"-{key}", f"{label} (reversed)") for key, (_, label, _) in SORTS.items()],
        ],
        required=False,
        error_messages={"invalid_choice": "We could not sort that way, so the list is by name"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def apply(self, projects):
        projects = super().apply(projects)
        data = self.values
        if data.get("wtfc_stage"):
            projects = projects.filter(wtfc_stage=data["wtfc_stage"])
        flag = data.get("flag")
        if flag == "inflated":
            projects = projects.inflated()
        elif flag == "overdue":
            projects = projects.filter(update_overdue=True)
        elif flag == "no_step":
            projects = projects.filter(claimed_step__isnull=True)
        elif flag == "draft":
            projects = projects.filter(is_published=False)
        elif flag == "past_end":
            projects = projects.active_past_end_date()
        if data.get("mine"):
            projects = projects.editable_by(self.user)
        return projects.order_by(*self.ordering)

    @property
    def sort_key(self) -> str:
        return self.values.get("sort") or "title"

    @property
    def ordering(self) -> list:
        key = self.sort_key
        field = self.SORTS[key.lstrip("-")][0]
        descending = field.startswith("-") != key.startswith("-")
        expression = F(field.lstrip("-"))
        # Projects with no step yet sort last either way; title and pk keep pages stable.
        expression = (
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
        return [expression, "title", "pk"]

    @property
    def active(self) -> bool:
        return any(self.values.get(name) for name in self.fields if name != "sort")

    def aria_sort(self, key) -> str | None:
        """ "ascending" or "descending" for the column the list is sorted by, else None."""
        current = self.sort_key
        if current.lstrip("-") != key:
            return None
        direction = self.SORTS[key][2]
        if current.startswith("-"):
            direction = "descending" if direction == "ascending" else "ascending"
        return direction

    @property
    def sort_label(self) -> str:
        return dict(self.fields["sort"].choices)[self.sort_key].lower()
