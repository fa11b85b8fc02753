"""Staff forms: opportunities, venues, group messages, signing people up, the register."""

import uuid
from datetime import time

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.validators import validate_email
from django.utils import timezone

from coprod_hub.lib.forms import (
    DateInputField,
    LimitedTextField,
    PlainTextMixin,
    clean_uk_phone,
    clean_uk_postcode,
    is_uk_mobile,
    with_character_count,
)
from projects.forms import StaffChoiceField
from projects.ladder import Level, Step
from projects.models import ServiceArea
from projects.querysets import staff_users

from .. import people
from ..models import Opportunity, Profile, SignUp, Venue
from ..services import JOINING_NEEDED_FOR_SOMEONE, OFFLINE_PERSON_NEEDS_DETAILS, TOPIC_NEEDED
from .fields import (
    UK,
    ClockTimeField,
    contact_by_choices,
    gds_helper,
    joining_field,
    joining_layout,
    uk_datetime,
)


class OpportunityForm(PlainTextMixin, forms.ModelForm):
    # Day, month and year boxes, as for every date the hub keeps (project and policy dates):
    # one box is for searching by date.
    date = DateInputField(
        label="Date",
        subject="The date",
        help_text="For example, 27 3 2026",
        require_all_fields=False,
    )
    start_time = ClockTimeField(label="Start time")
    end_time = ClockTimeField(label="End time")
    deadline_date = DateInputField(
        label="Sign-up deadline (optional)",
        subject="The sign-up deadline",
        required=False,
        require_all_fields=False,
        help_text="Sign-up closes at the end of this day. For example, 20 3 2026",
    )
    # Stored in `created_by` (Opportunity.created_by), which for a session standing alone
    # means who runs it. Not a model field of this form: the view hands the session over
    # (services.hand_over_opportunity), so the audit trail records it as a change of its own.
    created_by = StaffChoiceField(
        label="Who runs this session (only if there is no project)",
        queryset=None,
        required=False,
        error_messages={"invalid_choice": "Choose a member of staff to run it"},
    )

    class Meta:
        model = Opportunity
        fields = [
            "project",
            "title",
            "description",
            "kind",
            "topic",
            "level",
            "step",
            "not_coproduction_reason",
            "format",
            "venue",
            "online_details",
            "capacity",
            "offer_window_hours",
            "fee_basis",
            "pays_expenses",
            "refreshments",
            "travel_arranged",
            "who_for",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        labels = {
            "project": "Project (optional)",
            "topic": "Topic (needed if there is no project)",
            "level": "Level (only if there is no project)",
            "step": "Step of participation (only if there is no project)",
            "not_coproduction_reason": (
                "Why this is not co-production (only if there is no project)"
            ),
            "online_details": "How to join online or by phone (optional)",
            "capacity": "Number of places",
            "offer_window_hours": "Hours to hold a freed place for the next person waiting",
            "fee_basis": "Fee",
            "pays_expenses": "We pay expenses",
            "refreshments": "Refreshments provided",
            "travel_arranged": "We can arrange travel",
            "who_for": "Who it is for (optional)",
            "contact_name": "Contact name (optional)",
            "contact_email": "Contact email (optional)",
            "contact_phone": "Contact phone (optional)",
        }
        help_texts = {
            "project": "Its level, honest step and topic come from the project.",
            "topic": (
                "People who follow this topic hear about new sessions in it. A session in a "
                "project has the project’s topic unless you choose another."
            ),
            "step": (
                "On its own, an opportunity can be up to engagement. To call it co-design or "
                "co-production, add it to a project: the project’s step is checked against "
                "evidence."
            ),
            "not_coproduction_reason": (
                "Shown on its page. Say plainly who decides and what people can change, for "
                "example: “The council decides the new opening hours. We want to hear what "
                "would work for carers before we choose.”"
            ),
            "offer_window_hours": (
                "Usually 48. It is shortened automatically when the session is close."
            ),
            "online_details": "Only people with a place see this.",
        }
        widgets = {
            "not_coproduction_reason": forms.Textarea(attrs={"rows": 3}),
            "capacity": forms.TextInput(
                attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}
            ),
            "offer_window_hours": forms.TextInput(
                attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}
            ),
        }

    REQUIRED_MESSAGES = {
        "title": "Enter a title",
        "description": "Enter a description",
        "kind": "Choose the kind of activity",
        "format": "Choose how it happens",
        "start_time": "Enter the start time",
        "end_time": "Enter the end time",
        "capacity": "Enter the number of places",
        "offer_window_hours": "Enter a number of hours",
        "fee_basis": "Choose the fee",
    }

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = "None: this opportunity stands alone"
        self.fields["topic"].queryset = ServiceArea.objects.all()
        self.fields["topic"].empty_label = "Choose a topic"
        self.fields["venue"].queryset = Venue.objects.all()
        self.fields["venue"].empty_label = "No venue (online or by phone)"
        self.fields["level"].choices = [("", "Choose a level")] + list(Level.choices)
        self.fields["step"].choices = [("", "Choose a step")] + [
            (step.value, f"{step.value}. {step.label}")
            for step in Step
            if step <= Opportunity.HIGHEST_STEP_ON_ITS_OWN
        ]
        kinds, formats = Opportunity.Kind.choices, Opportunity.Format.choices
        self.fields["kind"].choices = [("", "Choose the kind of activity"), *kinds]
        self.fields["format"].choices = [("", "Choose how it happens"), *formats]
        for name, message in self.REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["capacity"].error_messages["invalid"] = "Enter the number of places"
        self.fields["offer_window_hours"].error_messages["invalid"] = "Enter a number of hours"
        if self.instance.pk:
            start = self.instance.starts_at.astimezone(UK)
            self.initial.setdefault("date", start.date())
            self.initial.setdefault("start_time", start.time())
            self.initial.setdefault("end_time", self.instance.ends_at.astimezone(UK).time())
            if self.instance.signup_deadline:
                deadline = self.instance.signup_deadline.astimezone(UK)
                self.initial.setdefault("deadline_date", deadline.date())
        self._who_runs_it()
        self.order_fields(
            [
                "project",
                "created_by",
                "title",
                "description",
                "kind",
                "topic",
                "level",
                "step",
                "not_coproduction_reason",
                "format",
                "venue",
                "online_details",
                "date",
                "start_time",
                "end_time",
                "deadline_date",
            ]
        )
        self.helper = gds_helper()

    RUNS_IT_HELP = (
        "They see the access needs of the people booked, take the register and are reminded "
        "to. In a project, the project’s owner and team run its sessions."
    )

    def _who_runs_it(self):
        """Shown for a new session, and for one standing alone; one in a project is run by
        the project's owner and team. Everyone who may change a session standing alone (whoever
        runs it, commissioners and admins) may hand it over. Left out of what is sent (a page
        opened before this field was added), it stays with whoever runs it now."""
        self.runner_has_left = False
        if self.instance.pk and self.instance.project_id:
            del self.fields["created_by"]
            return
        field = self.fields["created_by"]
        field.queryset = staff_users().order_by("display_name", "email")
        field.help_text = self.RUNS_IT_HELP
        field.empty_label = None
        if not self.instance.pk:
            return
        runner = self.instance.created_by
        self.initial.setdefault("created_by", runner.pk)
        if not field.queryset.filter(pk=runner.pk).exists():
            # They have left (no staff role, or their account closed): nobody runs it until
            # someone is chosen, from an empty choice, rather than quietly giving it to
            # whoever comes first in the list (see clean).
            self.runner_has_left = True
            field.empty_label = "Choose who runs it now"
            field.help_text = f"{runner} can no longer run sessions. {self.RUNS_IT_HELP}"

    def hand_to(self):
        """The member of staff chosen to run a session standing alone, or None: none chosen
        (it stays with whoever runs it now), or it is part of a project."""
        if self.cleaned_data.get("project"):
            return None
        return self.cleaned_data.get("created_by")

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise forms.ValidationError("There must be at least 1 place")
        if capacity > 10000:
            raise forms.ValidationError("Enter 10,000 places or fewer")
        return capacity

    def clean_offer_window_hours(self):
        hours = self.cleaned_data["offer_window_hours"]
        if not 1 <= hours <= 336:
            raise forms.ValidationError("Enter between 1 and 336 hours (two weeks)")
        return hours

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["starts_at"] = uk_datetime(day, start)
            data["ends_at"] = uk_datetime(day, end)
            if end <= start:
                self.add_error("end_time", "The end time must be after the start time")
            elif data["starts_at"] <= timezone.now() and not self._took_place():
                self.add_error("date", "The date must be in the future")
            deadline_day = data.get("deadline_date")
            if deadline_day:
                deadline = uk_datetime(deadline_day, time(23, 59))
                data["signup_deadline"] = min(deadline, data["starts_at"])
                if deadline_day > day:
                    self.add_error("deadline_date", "The deadline must be on or before the date")
            else:
                data["signup_deadline"] = None
        if not data.get("project"):
            if (
                self.runner_has_left
                and not data.get("created_by")
                and "created_by" not in self.errors
            ):
                self.add_error("created_by", "Choose who runs this session now")
            if not data.get("topic"):
                self.add_error("topic", TOPIC_NEEDED)
            if not data.get("level"):
                self.add_error("level", "Choose a level, or choose a project")
            if not data.get("step"):
                self.add_error("step", "Choose a step, or choose a project")
            if not data.get("not_coproduction_reason", "").strip():
                self.add_error(
                    "not_coproduction_reason",
                    "Say why this is not co-production, or choose a project",
                )
        in_person = data.get("format") in (Opportunity.Format.IN_PERSON, Opportunity.Format.HYBRID)
        if in_person and not data.get("venue"):
            self.add_error("venue", "Choose a venue for a session that happens in person")
        return data

    def _took_place(self) -> bool:
        """A session that has started may have its times put right afterwards, for the
        record. One still to come cannot move into the past: that is a mistyped date, and
        would tell everyone signed up that it moved there."""
        return bool(self.instance.pk) and self.instance.has_started()

    def opportunity_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields}
        fields.update(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            signup_deadline=data["signup_deadline"],
        )
        if fields["project"]:
            # The project's level, step and reason are shown instead.
            fields.update(level="", step=None, not_coproduction_reason="")
        return fields


class VenueForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Venue
        fields = [
            "name",
            "address",
            "postcode",
            "area",
            "step_free",
            "ground_floor_or_lift",
            "accessible_toilet",
            "hearing_loop",
            "quiet_room",
            "parking",
            "near_public_transport",
            "access_notes",
        ]
        labels = {
            "postcode": "Postcode (optional)",
            "area": "Town or area",
            "access_notes": "Anything else about access (optional)",
        }
        help_texts = {"area": "People can search by area, for example Northfield."}
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the venue's name"
        self.fields["address"].error_messages["required"] = "Enter the address"
        self.helper = gds_helper()

    def clean_postcode(self):
        return clean_uk_postcode(self.cleaned_data["postcode"])


class CancelOpportunityForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        help_text="We send this to everyone with a place or on the waiting list.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the session is cancelled"},
    )


def _one_kind_of_line_ending(text: str) -> str:
    # So a message sent again from the same page compares equal to the one sent before.
    return text.replace("\r\n", "\n").replace("\r", "\n")


class GroupMessageForm(PlainTextMixin, forms.Form):
    """Staff writing to the people signed up for one opportunity.

    `held` and `waiting`: how many people have a place and how many are waiting. With nobody
    waiting there is no question about who gets it.
    """

    PLACES, EVERYONE = "places", "everyone"

    send_to = forms.ChoiceField(
        label="Who should get it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who should get the message",
            "invalid_choice": "Choose who should get the message",
        },
    )
    subject = forms.CharField(
        label="Subject",
        help_text=(
            "A few words saying what it is about, for example \u201cParking at the library\u201d."
        ),
        max_length=150,
        error_messages={
            "required": "Enter a subject",
            "max_length": "The subject must be 150 characters or fewer",
        },
    )
    text = LimitedTextField(
        what="the message",
        label="Message",
        help_text=(
            "Write in plain English. We add a greeting, the session\u2019s title, date, time and "
            "place, a link to its page, and who to contact to reply."
        ),
        max_length=3000,
        widget=forms.Textarea,
        error_messages={"required": "Enter your message"},
    )
    easy_read_text = LimitedTextField(
        what="the easy read version",
        label="Easy read version (optional)",
        help_text=(
            "People who asked for easy read get this by email instead of your message. Use "
            "short sentences with one idea each, and everyday words."
        ),
        max_length=3000,
        widget=forms.Textarea,
        required=False,
    )
    # Made when the page is shown: the same form sent twice sends one message.
    token = forms.UUIDField(widget=forms.HiddenInput)

    # A text message holds 918 characters; with the subject, the session and its link around
    # it, this much of the message still fits (notifications.services.TEXT_MESSAGE_MAX).
    TEXT_MESSAGE_LIMIT = 500

    def __init__(self, *args, held: int = 0, waiting: int = 0, by_text=(0, 0), **kwargs):
        """`by_text`: how many people get it as a text message, (with a place, waiting)."""
        super().__init__(*args, **kwargs)
        self.by_text = by_text
        limit = self.TEXT_MESSAGE_LIMIT if any(by_text) else 3000
        if any(by_text):
            self.fields[
                "text"
            ].help_text += (
                f" Some people get it as a text message, so keep it to {limit} characters."
            )
        self.token_replaced = False
        if self.is_bound and not _is_uuid(self.data.get("token")):
            # Only a damaged or tampered page gets here. A new token lets the next try work;
            # keeping the broken one would refuse the form for ever.
            self.data = self.data.copy()
            self.data["token"] = str(uuid.uuid4())
            self.token_replaced = True
        if waiting:
            self.fields["send_to"].choices = [
                # Offered places count with the places (they are held for the person), as
                # the summary above the form says.
                (self.PLACES, f"People with a place, or offered one ({held})"),
                (
                    self.EVERYONE,
                    f"People with a place, or offered one, and the waiting list ({held + waiting})",
                ),
            ]
        else:
            del self.fields["send_to"]
        self.helper = gds_helper(
            *([Field.radios("send_to", legend_size=Size.SMALL)] if waiting else []),
            Field.text("subject", label_size=Size.SMALL),
            with_character_count(
                Field.textarea(
                    "text", rows=10, max_characters=limit, threshold=75, label_size=Size.SMALL
                )
            ),
            with_character_count(
                Field.textarea(
                    "easy_read_text",
                    rows=8,
                    max_characters=3000,
                    threshold=75,
                    label_size=Size.SMALL,
                )
            ),
            "token",
        )
        self.helper.disable_csrf = True  # the page's own form tag has the token

    @property
    def include_waiting(self) -> bool:
        return self.cleaned_data.get("send_to") == self.EVERYONE

    def clean_text(self):
        text = _one_kind_of_line_ending(self.cleaned_data["text"])
        places, waiting = self.by_text
        texts = places + waiting if self.cleaned_data.get("send_to") == self.EVERYONE else places
        if texts and len(text) > self.TEXT_MESSAGE_LIMIT:
            people = "1 person gets" if texts == 1 else f"{texts} people get"
            raise forms.ValidationError(
                f"{people} this as a text message, which cannot hold more. Shorten the message "
                f"to {self.TEXT_MESSAGE_LIMIT} characters or fewer"
            )
        return text

    def clean_easy_read_text(self):
        return _one_kind_of_line_ending(self.cleaned_data["easy_read_text"])

    def clean(self):
        data = super().clean()
        if self.token_replaced:
            raise forms.ValidationError(
                "Something went wrong with this page. Check your message and send it again"
            )
        return data


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class FindPersonForm(PlainTextMixin, forms.Form):
    """Staff finding someone to book or claim for (participation.people): by email address,
    name or phone number. `by`: the member of staff searching. `nobody`: what to say after
    "Nobody you work with has that name or phone number", on the page it is used on."""

    q = forms.CharField(
        label="Their email address, name or phone number",
        help_text="A name or phone number finds only people you booked, or who have had a "
        "place on sessions you run.",
        max_length=200,
        error_messages={"required": "Enter their email address, name or phone number"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, by, nobody="", **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.nobody = nobody
        self.search = None

    def clean_q(self):
        text = " ".join(self.cleaned_data["q"].split())
        if "@" in text:
            try:
                validate_email(text)
            except forms.ValidationError:
                raise forms.ValidationError(
                    "Enter an email address in the right format, like name@example.com"
                ) from None
        elif len(text) < people.SHORTEST_SEARCH:
            raise forms.ValidationError(
                "Enter at least 2 letters of their name, or at least 3 digits of their phone number"
            )
        self.search = people.find(self.by, text)
        if not self.search.people:
            if self.search.by_email:
                raise forms.ValidationError(f"There is nobody with that email address{self.nobody}")
            raise forms.ValidationError(
                f"Nobody you work with has that name or phone number{self.nobody}"
            )
        return text


class ChoosePersonForm(PlainTextMixin, forms.Form):
    """Sign up one of the people a search found (`search`, from FindPersonForm): radios when
    it found several, nothing to choose when it found one."""

    person = forms.TypedChoiceField(
        label="Who do you want to sign up?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who you want to sign up"},
    )
    # Only for a hybrid session (`hybrid`): staff plan the room and send the joining link
    # by it (SignUp.joining).
    joining = joining_field("How will they join?", JOINING_NEEDED_FOR_SOMEONE)
    access_needs_note = forms.CharField(
        label="Anything they need for this session (optional)",
        help_text="Only with their agreement. The staff running this session will see it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, search, came=False, hybrid=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.search = search
        found = search.people
        field = self.fields["person"]
        if came or not hybrid:
            del self.fields["joining"]
        if came:
            # The session has started: they are recorded as having come, and there is nothing
            # left to arrange for it, so no note of what they need (least data).
            field.label = "Who came?"
            field.error_messages["required"] = "Choose who came"
            del self.fields["access_needs_note"]
        field.choices = [(f.pk, str(f.person)) for f in found]
        if len(found) == 1:
            # Nobody to choose between: the one person found is who they mean.
            field.required = False
            field.widget = forms.HiddenInput()
            field.initial = found[0].pk
        else:
            field.choices = [Choice(f.pk, str(f.person), hint=people.in_words(f)) for f in found]
        self.helper = gds_helper(
            Field.radios("person", legend_size=Size.MEDIUM),
            *([joining_layout()] if "joining" in self.fields else []),
            *([] if came else [Field.textarea("access_needs_note", rows=3)]),
        )
        self.helper.disable_csrf = True  # the page's own form tag has the token

    def clean_person(self):
        chosen = self.cleaned_data.get("person")
        if chosen in (None, "") and len(self.search.people) == 1:
            return self.search.people[0].pk
        return chosen

    @property
    def chosen(self):
        return self.search.get(self.cleaned_data["person"]).person


class CancelPlaceForm(PlainTextMixin, forms.Form):
    """Staff cancelling someone else's place say why: the person is sent the reason."""

    REASON_MAX_LENGTH = 300

    reason = LimitedTextField(
        what="the reason",
        label="Why are you cancelling it?",
        help_text="We send this to them, so write it to them in plain words. For example, "
        "\u201cYou told us on the phone that you cannot come.\u201d",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={"required": "Enter why you are cancelling it, so we can tell them"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = gds_helper(
            with_character_count(
                Field.textarea(
                    "reason",
                    rows=4,
                    max_characters=self.REASON_MAX_LENGTH,
                    label_size=Size.MEDIUM,
                )
            )
        )
        self.helper.disable_csrf = True  # the page's own form tag has the token


class AddPersonForm(forms.Form):
    display_name = forms.CharField(
        label="Their name", max_length=150, error_messages={"required": "Enter their name"}
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="Leave empty if they do not use email. We will contact them by post or phone.",
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.com"
        },
    )
    phone = forms.CharField(label="Phone number (optional)", required=False, max_length=40)
    postal_address = forms.CharField(
        label="Postal address (optional)",
        required=False,
        max_length=500,
        help_text="Include the postcode. We need a phone number or an address to reach "
        "someone who does not use email.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact_by = forms.ChoiceField(
        label="How would they like us to contact them?",
        choices=contact_by_choices,  # no texts unless we can send them
        initial=Profile.ContactBy.POST_OR_PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they would like us to contact them"},
    )
    joining = ChoosePersonForm.base_fields["joining"]
    access_needs_note = ChoosePersonForm.base_fields["access_needs_note"]

    def __init__(self, *args, came=False, hybrid=False, **kwargs):
        super().__init__(*args, **kwargs)
        if came or not hybrid:
            del self.fields["joining"]
        if came:
            # They came to a session that has started: nothing is left to arrange for it.
            del self.fields["access_needs_note"]

    def clean_phone(self):
        return clean_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        contact_by, phone = data.get("contact_by"), data.get("phone")
        # Without an email address we can only phone or write to them (see the service).
        offline = contact_by == Profile.ContactBy.POST_OR_PHONE or data.get("email") == ""
        unreachable = offline and phone == "" and not data.get("postal_address", "").strip()
        if contact_by == Profile.ContactBy.EMAIL and not data.get("email"):
            self.add_error("email", "Enter their email address, or choose another way to contact")
        if contact_by == Profile.ContactBy.TEXT and not phone:
            self.add_error("phone", "Enter a mobile number so we can send text messages")
        elif contact_by == Profile.ContactBy.TEXT and phone and not is_uk_mobile(phone):
            self.add_error(
                "phone", "Enter a mobile number, starting 07, so we can send them text messages"
            )
        if unreachable:
            # On the phone box, the first of the two: the error summary leads there.
            self.add_error("phone", OFFLINE_PERSON_NEEDS_DETAILS)
        return data


class AttendanceForm(forms.Form):
    """One "attended / sent apologies / did not attend" question per person with a place."""

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.signups = list(signups)
        choices = [c for c in SignUp.Attendance.choices if c[0]]
        for signup in self.signups:
            self.fields[f"signup_{signup.pk}"] = forms.ChoiceField(
                label=str(signup.resident),
                choices=choices,
                required=False,
                initial=signup.attendance or None,
                widget=forms.RadioSelect,
            )
        self.helper = gds_helper(
            *[
                Field.radios(f"signup_{s.pk}", legend_size=Size.SMALL, small=True, inline=True)
                for s in self.signups
            ]
        )

    def marks(self) -> dict[int, str]:
        return {
            signup.pk: self.cleaned_data[f"signup_{signup.pk}"]
            for signup in self.signups
            if self.cleaned_data.get(f"signup_{signup.pk}")
        }
