"""Forms only check what people typed; views hand `cleaned_data` to services.py."""

import re
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

import phonenumbers
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from coprod_hub.lib.forms import ModelMultipleChoiceField, PlainTextMixin
from projects.ladder import Level, Step
from projects.models import ServiceArea

from .models import Opportunity, Profile, SignUp, Venue

UK = ZoneInfo("Europe/London")
DATE_HINT = "For example, 27/3/2026"
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y"]
BAD_DATE = "Enter a real date, for example 27/3/2026"


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


class UKDateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("help_text", DATE_HINT)
        kwargs.setdefault("error_messages", {"invalid": BAD_DATE})
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-10"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        # "27 / 3 / 2026" and "27/03/2026 " are both fine.
        if isinstance(value, str):
            value = re.sub(r"\s*([/.-])\s*", r"\1", value.strip())
            value = re.sub(r"\s+", " ", value)
        return super().to_python(value)


class ClockTimeField(forms.Field):
    """A time of day: "10:00", "10.30", "14:30", "2pm", "2:30pm"."""

    default_error_messages = {"invalid": "Enter a time, for example 10:00 or 2:30pm"}
    _pattern = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input--width-5"}))
        kwargs.setdefault("help_text", "For example, 10:00 or 2:30pm")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, time):
            return value.strftime("%H:%M")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, time):
            return value
        match = self._pattern.match(str(value).strip().lower().replace(" ", ""))
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
        if meridiem:
            if not 1 <= hour <= 12:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        elif match[2] is None:
            # "14" alone is ambiguous enough to ask again.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if hour > 23 or minute > 59:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return time(hour, minute)


def uk_datetime(day, clock) -> datetime:
    """A UK wall-clock date and time as an aware datetime (handles the clock changes)."""
    return datetime.combine(day, clock, tzinfo=UK)


# --- The directory ---------------------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters. Every value lives in the URL (GET)."""

    PAID_CHOICES = [("", "Paid or not"), ("paid", "Paid"), ("unpaid", "Not paid")]
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
        choices=[(value, label) for value, label in Step.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose steps from the list"},
    )
    include_past = forms.BooleanField(label="Include past opportunities", required=False)
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
            elif isinstance(field.widget, forms.RadioSelect):
                chosen = set() if submitted is None else {str(submitted)}
            else:
                # As Django's Select widget does: nothing submitted marks the empty option.
                chosen = {"" if submitted is None else str(submitted)}
            options[name] = [
                (str(value), label, str(value) in chosen) for value, label in field.choices
            ]
        return options

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


# --- Staff: opportunities and venues -----------------------------------------------------


class OpportunityForm(PlainTextMixin, forms.ModelForm):
    date = UKDateField(label="Date")
    start_time = ClockTimeField(label="Start time")
    end_time = ClockTimeField(label="End time")
    deadline_date = UKDateField(
        label="Sign-up deadline (optional)",
        required=False,
        help_text="Sign-up closes at the end of this day. For example, 20/3/2026",
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
            "topic": "Topic (optional)",
            "level": "Level (only if there is no project)",
            "step": "Step of participation (only if there is no project)",
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
            "offer_window_hours": (
                "Usually 48. It is shortened automatically when the session is close."
            ),
            "online_details": "Only people with a place see this.",
        }
        widgets = {
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
        "date": "Enter the date",
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
        self.fields["topic"].empty_label = "Same as the project"
        self.fields["venue"].queryset = Venue.objects.all()
        self.fields["venue"].empty_label = "No venue (online or by phone)"
        self.fields["level"].choices = [("", "Choose a level")] + list(Level.choices)
        self.fields["step"].choices = [("", "Choose a step")] + list(Step.choices)
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
        self.order_fields(
            [
                "project",
                "title",
                "description",
                "kind",
                "topic",
                "level",
                "step",
                "format",
                "venue",
                "online_details",
                "date",
                "start_time",
                "end_time",
                "deadline_date",
            ]
        )
        self.helper = _helper()

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
            elif not self.instance.pk and data["starts_at"] <= timezone.now():
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
            if not data.get("level"):
                self.add_error("level", "Choose a level, or choose a project")
            if not data.get("step"):
                self.add_error("step", "Choose a step, or choose a project")
        in_person = data.get("format") in (Opportunity.Format.IN_PERSON, Opportunity.Format.HYBRID)
        if in_person and not data.get("venue"):
            self.add_error("venue", "Choose a venue for a session that happens in person")
        return data

    def opportunity_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields}
        fields.update(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            signup_deadline=data["signup_deadline"],
        )
        if fields["project"]:
            fields.update(level="", step=None)
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
        self.helper = _helper()


class CancelOpportunityForm(PlainTextMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        help_text="We send this to everyone with a place or on the waiting list.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why the session is cancelled"},
    )


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
    text = forms.CharField(
        label="Message",
        help_text=(
            "Write in plain English. We add a greeting, the session\u2019s title, date, time and "
            "place, a link to its page, and who to contact to reply."
        ),
        max_length=3000,
        widget=forms.Textarea,
        error_messages={
            "required": "Enter your message",
            "max_length": "The message must be 3,000 characters or fewer",
        },
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
                (self.PLACES, f"People with a place ({held})"),
                (self.EVERYONE, f"People with a place and the waiting list ({held + waiting})"),
            ]
        else:
            del self.fields["send_to"]
        self.helper = _helper(
            *([Field.radios("send_to", legend_size=Size.SMALL)] if waiting else []),
            Field.text("subject", label_size=Size.SMALL),
            Field.textarea(
                "text", rows=10, max_characters=limit, threshold=75, label_size=Size.SMALL
            ),
            "token",
        )
        self.helper.disable_csrf = True  # the page's own form tag has the token

    @property
    def include_waiting(self) -> bool:
        return self.cleaned_data.get("send_to") == self.EVERYONE

    def clean_text(self):
        # One kind of line ending, so a message sent again from the same page compares equal.
        text = self.cleaned_data["text"].replace("\r\n", "\n").replace("\r", "\n")
        places, waiting = self.by_text
        texts = places + waiting if self.cleaned_data.get("send_to") == self.EVERYONE else places
        if texts and len(text) > self.TEXT_MESSAGE_LIMIT:
            people = "1 person gets" if texts == 1 else f"{texts} people get"
            raise forms.ValidationError(
                f"{people} this as a text message, which cannot hold more. Shorten the message "
                f"to {self.TEXT_MESSAGE_LIMIT} characters or fewer"
            )
        return text

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


# --- Sign-up -----------------------------------------------------------------------------


class SignUpForm(forms.Form):
    access_needs_note = forms.CharField(
        label="Is there anything else you need for this session? (optional)",
        help_text="For example, a lift from the station, or a break every hour.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FindPersonForm(forms.Form):
    """Staff signing someone up: find them by the email address on their account."""

    email = forms.EmailField(
        label="Their email address",
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
    )
    access_needs_note = forms.CharField(
        label="Anything they need for this session (optional)",
        help_text="Only with their agreement. The staff running this session will see it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = None

    def clean_email(self):
        from coprod_hub.users.models import User

        email = self.cleaned_data["email"].strip().lower()
        self.person = User.objects.filter(email__iexact=email, is_active=True).first()
        if self.person is None:
            raise forms.ValidationError(
                "There is nobody with that email address. Add them as a new person instead."
            )
        return email


def clean_uk_phone(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        number = None
    # "Possible" rather than "valid": numbers in new ranges, and Ofcom's drama numbers used
    # in our examples, are still numbers people can type.
    if number is None or not phonenumbers.is_possible_number(number):
        raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


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
    contact_by = forms.ChoiceField(
        label="How would they like us to contact them?",
        choices=Profile.ContactBy.choices,
        initial=Profile.ContactBy.POST_OR_PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how they would like us to contact them"},
    )
    access_needs_note = FindPersonForm.base_fields["access_needs_note"]

    def clean_phone(self):
        return clean_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("contact_by") == Profile.ContactBy.EMAIL and not data.get("email"):
            self.add_error("email", "Enter their email address, or choose another way to contact")
        if data.get("contact_by") == Profile.ContactBy.TEXT and not data.get("phone"):
            self.add_error("phone", "Enter a mobile number so we can send text messages")
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
        self.helper = _helper(
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


# --- Profile -----------------------------------------------------------------------------


class InterestsForm(forms.Form):
    interests = ModelMultipleChoiceField(
        label="Topics you are interested in",
        queryset=ServiceArea.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_levels = forms.MultipleChoiceField(
        label="Levels you would like to work at",
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Individual: your own care. Service: shaping a service. "
            "Strategic: plans and policy across the council."
        ),
    )
    preferred_formats = forms.MultipleChoiceField(
        label="How you like to take part",
        choices=Opportunity.Format.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.checkboxes("interests", legend_size=Size.MEDIUM),
            Field.checkboxes("preferred_levels", legend_size=Size.MEDIUM),
            Field.checkboxes("preferred_formats", legend_size=Size.MEDIUM),
        )


class AccessNeedsForm(forms.Form):
    access_needs = forms.CharField(
        label="What support do you need to take part?",
        help_text=(
            "For example: step-free access, a hearing loop, a British Sign Language interpreter, "
            "information in easy read, a quiet space, or someone to come with you."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    consent = forms.BooleanField(
        label=(
            "I agree that the council can keep this information and share it with the staff "
            "running each session I sign up for"
        ),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if (data.get("access_needs") or "").strip() and not data.get("consent"):
            self.add_error(
                "consent",
                "Tick the box to agree that we can keep your access needs, or leave them empty",
            )
        return data


class ContactPreferencesForm(forms.Form):
    contact_by = forms.ChoiceField(
        label="How should we contact you?",
        choices=Profile.ContactBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how we should contact you"},
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=40,
        help_text="We need a mobile number to send text messages.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    format = forms.ChoiceField(
        label="How should information be written for you?",
        choices=Profile.InformationFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how information should be written for you"},
    )
    alert_frequency = forms.ChoiceField(
        label="Tell me about new opportunities that match my interests",
        choices=Profile.AlertFrequency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when to hear about new opportunities"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("contact_by", legend_size=Size.MEDIUM),
            Field.text("phone", field_width=20),
            Field.radios("format", legend_size=Size.MEDIUM),
            Field.radios("alert_frequency", legend_size=Size.MEDIUM),
        )

    def clean_phone(self):
        return clean_uk_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        if data.get("contact_by") == Profile.ContactBy.TEXT and not data.get("phone"):
            self.add_error("phone", "Enter a mobile number so we can send you text messages")
        return data
