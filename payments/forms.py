"""Forms only check what people typed; views pass the cleaned data to services."""

from decimal import Decimal

from crispy_forms_gds.choices import Choice
from django import forms
from django.utils import timezone
from django.utils.text import capfirst

from coprod_hub.lib.forms import DateInputField, PlainTextMixin, is_database_id
from coprod_hub.lib.money import (
    PoundsField,
    PoundsWidget,
    format_pounds,
    format_rate,
    pounds_for_input,
)
from coprod_hub.users.models import User
from participation import forms as participation_forms
from participation.forms.fields import UKDateField

from . import policy
from .contact import PayeeContact
from .models import (
    FEE_BASIS_CHOICES,
    Claim,
    ExpenseCategory,
    ExpenseRule,
    FeeRate,
    LedgerEntry,
    PaymentPolicy,
    PaymentRun,
    Receipt,
    TaxiAgreement,
)
from .querysets import payment_run_number
from .receipts import MAX_RECEIPT_BYTES, check_receipt
from .services import policy_changes
from .services.claims import NO_ADDRESS_FOR_VOUCHERS


class _GovukWidgetsMixin:
    """The "£" input and file upload need their GOV.UK classes set here, and their error
    styles once a field has an error; crispy-forms-gds styles the other widgets."""

    _CLASSES = [
        (PoundsWidget, "govuk-input govuk-input--width-5", "govuk-input--error"),
        (forms.FileInput, "govuk-file-upload", "govuk-file-upload--error"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            for widget_class, css, _ in self._CLASSES:
                if isinstance(field.widget, widget_class):
                    field.widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in list(self.errors):
            widget = self.fields[name].widget if name in self.fields else None
            for widget_class, _, error_css in self._CLASSES:
                if isinstance(widget, widget_class) and error_css not in widget.attrs["class"]:
                    widget.attrs["class"] += f" {error_css}"


class Form(_GovukWidgetsMixin, forms.Form):
    pass


class ModelForm(_GovukWidgetsMixin, forms.ModelForm):
    pass


# A single expense over this is almost certainly a typing mistake.
MOST_FOR_ONE_EXPENSE_PENCE = 100_000


def _date_field(label, help_text="", *, subject=None):
    field = DateInputField(
        label=label, help_text=help_text, subject=subject, require_all_fields=False
    )
    field.error_messages["invalid"] = "Enter a real date, like 27 3 2026"
    return field


class ClaimDetailsForm(Form):
    """How the person wants to be paid, and whether they work for the council or a partner.

    Staff claiming for someone (`for_someone_else`) are asked about that person by name:
    worded for the one claiming, they could answer about themselves, and commissioners rely
    on these answers.
    """

    payment_method = forms.ChoiceField(
        label="How do you want to be paid?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you want to be paid"},
    )
    # Under "Vouchers" (the template's `radios` tag), with the address for post.
    voucher_delivery = forms.ChoiceField(
        label="How do you want to get your vouchers?",
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Choose post or email for the vouchers"},
    )
    postal_address = forms.CharField(
        label="Address to post the vouchers to",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        error_messages={"max_length": "The address must be 500 characters or fewer"},
    )
    employed_by_partner = forms.TypedChoiceField(
        label="Do you work for the council or one of its partners?",
        help_text="For example, the NHS, a care provider or a charity we fund.",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you work for the council or one of its partners"},
    )
    not_part_of_paid_job = forms.BooleanField(
        label="I confirm this activity was not part of my paid job",
        help_text="If it was part of your job, you cannot claim here: ask your manager how to "
        "claim through work.",
        required=False,
    )
    # Shown under their answer only (the template's `radios` tag). Anything left behind after
    # changing the answer is still posted, and the service ignores it.
    reveals = {
        "payment_method": {
            Claim.PaymentMethod.VOUCHER.value: ["voucher_delivery", "postal_address"]
        },
        "employed_by_partner": {"yes": ["not_part_of_paid_job"]},
    }

    def __init__(self, *args, claim: Claim, for_someone_else: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim
        person = claim.claimant
        self.contact = PayeeContact.of(person)
        name = claim.claimant_short_name if for_someone_else else ""
        self.name = name
        fields = self.fields
        your = "their" if name else "your"
        choices = [
            Choice(
                Claim.PaymentMethod.BANK_TRANSFER,
                "Bank transfer",
                hint=f"Straight into {your} bank account. Our finance team will contact "
                f"{'them' if name else 'you'} for {your} bank details the first time.",
            ),
            Choice(
                Claim.PaymentMethod.VOUCHER,
                "Vouchers",
                hint="Shopping vouchers instead of money.",
            ),
        ]
        # Only where there are expenses to claim: without them, a claim with no fee would
        # have nothing in it and could never be sent.
        if claim.opportunity.is_paid and claim.opportunity.pays_expenses:
            choices.append(
                Choice(
                    Claim.PaymentMethod.EXPENSES_ONLY,
                    "Expenses only, no fee",
                    hint=f"{'They do' if name else 'You do'} not want the fee, for example "
                    f"because of {your} benefits. We pay {your} expenses by bank transfer.",
                )
            )
        fields["payment_method"].choices = choices
        self._ask_how_to_send_vouchers(name, your)
        if name:
            fields["payment_method"].label = f"How does {name} want to be paid?"
            fields["payment_method"].error_messages["required"] = (
                f"Choose how {name} wants to be paid"
            )
            employed, paid_job = fields["employed_by_partner"], fields["not_part_of_paid_job"]
            employed.label = f"Does {name} work for the council or one of its partners?"
            employed.error_messages["required"] = (
                f"Say whether {name} works for the council or one of its partners"
            )
            paid_job.label = (
                f"{capfirst(name)} has told me this activity was not part of their paid job"
            )
            paid_job.help_text = (
                "If it was part of their job, they cannot claim here: they should ask their "
                "manager how to claim through work."
            )

    def _ask_how_to_send_vouchers(self, name, your) -> None:
        """Post or email, whichever they prefer: email only to an address that can receive
        mail. Without one, vouchers can only be posted, so only the address is asked for."""
        fields = self.fields
        email = self.contact.email
        fields["postal_address"].initial = self.contact.postal_address
        if not email:
            del fields["voucher_delivery"]
            self.reveals = {
                **self.reveals,
                "payment_method": {Claim.PaymentMethod.VOUCHER.value: ["postal_address"]},
            }
            fields["postal_address"].help_text = (
                f"We do not have an email address for {name or 'you'}, so we post "
                f"{your} vouchers. Include the postcode. We keep the address with {your} "
                "contact details."
            )
            return
        delivery = fields["voucher_delivery"]
        delivery.choices = [
            Choice(Claim.VoucherDelivery.EMAIL, "By email", hint=f"To {email}"),
            Choice(
                Claim.VoucherDelivery.POST,
                "By post",
                hint="To the address below.",
            ),
        ]
        if name:
            delivery.label = f"How does {name} want to get their vouchers?"
        fields["postal_address"].help_text = (
            f"Only if {'they want' if name else 'you want'} them by post. Include the "
            f"postcode. We keep the address with {your} contact details, so "
            f"{'they only need' if name else 'you only need'} to tell us once."
        )

    def clean(self):
        data = super().clean()
        name = self.name
        if data.get("employed_by_partner") and not data.get("not_part_of_paid_job"):
            self.add_error(
                "not_part_of_paid_job",
                f"Confirm that {name} did not do this activity as part of their paid job"
                if name
                else "Confirm that this activity was not part of your paid job",
            )
        if data.get("payment_method") != Claim.PaymentMethod.VOUCHER:
            # Not asked: whatever was left in the address box is not theirs to save here.
            data["voucher_delivery"] = ""
            data["postal_address"] = None
            return data
        if "voucher_delivery" not in self.fields:
            data["voucher_delivery"] = Claim.VoucherDelivery.POST
        delivery = data.get("voucher_delivery")
        if not delivery and not self.has_error("voucher_delivery"):
            self.add_error(
                "voucher_delivery",
                f"Choose how {name} wants to get their vouchers: by post or email"
                if name
                else "Choose how you want to get your vouchers: by post or email",
            )
        elif delivery == Claim.VoucherDelivery.POST:
            if not (data.get("postal_address") or "").strip() and not self.has_error(
                "postal_address"
            ):
                self.add_error("postal_address", NO_ADDRESS_FOR_VOUCHERS)
        else:
            data["postal_address"] = None  # by email: the address is not theirs to change here
        return data


class ExpenseForm(Form):
    category = forms.ChoiceField(
        label="What did you spend money on?",
        choices=ExpenseCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what you spent money on"},
    )
    description = forms.CharField(
        label="Describe it (optional)",
        help_text="For example, bus from Anytown to the Civic Centre and back.",
        max_length=200,
        required=False,
    )
    amount = PoundsField(
        label="How much did it cost?",
        help_text="Leave this empty for mileage: we work it out from the miles.",
        required=False,
        max_pence=MOST_FOR_ONE_EXPENSE_PENCE,
        allow_zero=False,
    )
    miles = forms.DecimalField(
        label="How many miles did you travel?",
        help_text="There and back, for example 12 or 12.5.",
        required=False,
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal("1000"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": "Enter miles as a number, like 12 or 12.5",
            "min_value": "Miles must be more than 0",
            "max_value": "Miles must be 1,000 or fewer",
            "max_decimal_places": "Enter miles to one decimal place, like 12.5",
            "max_digits": "Enter miles as a number, like 12 or 12.5",
        },
    )
    agreed_with = forms.CharField(
        label="Who agreed it before you travelled?",
        help_text="The name of the person at the council who agreed it.",
        max_length=150,
        required=False,
    )
    receipt = forms.FileField(
        label="Upload a receipt",
        help_text=(
            "A photo or scan: PDF, JPG, PNG or a photo from an iPhone (HEIC), smaller than 10 MB."
        ),
        required=False,
        # The browser checks the size as soon as a file is chosen (frontend/hub.mjs), so
        # nobody waits for a photo too big to keep to upload on a slow phone connection.
        widget=forms.FileInput(
            attrs={
                "accept": ".pdf,.jpg,.jpeg,.png,.heic",
                "data-hub-max-bytes": MAX_RECEIPT_BYTES,
                "data-hub-too-big": "The receipt must be smaller than 10 MB.",
            }
        ),
        error_messages={
            "empty": "The selected file is empty. Choose the receipt again.",
            "invalid": "The selected file could not be read. Choose the receipt again.",
            "max_length": "The file name is too long. Rename the file and choose it again.",
        },
        max_length=200,
    )
    # A receipt that passed its checks on an earlier try of this form, kept so a typing
    # mistake elsewhere does not make the person choose the file again.
    pending_receipt = forms.IntegerField(required=False, widget=forms.HiddenInput)
    remove_receipt = forms.BooleanField(label="Remove the receipt", required=False)

    def __init__(self, *args, claim: Claim, line=None, for_someone_else=False, **kwargs):
        self.claim = claim
        self.line = line
        self.rules = policy.rules_in_force(claim.activity_date)
        # A taxi staff agreed for this session: nobody is asked who agreed it.
        self.taxi_agreement = TaxiAgreement.objects.live_for(claim.signup_id)
        # Staff claiming for someone are asked about that person's spending, not their own.
        self.name = claim.claimant_short_name if for_someone_else else ""
        super().__init__(*args, **kwargs)
        # Only what the policy pays for and taking part in this session can have cost: no
        # journeys to one held only online or by phone, no phone or data for one in a room.
        allowed = [
            c
            for c in ExpenseCategory
            if c in self.rules
            and self.rules[c].allowed
            and not policy.expense_not_for_session(c, claim.opportunity, claim.signup.joining)
        ]
        self.fields["category"].choices = [
            Choice(c.value, c.label, hint=self._hint(self.rules[c], self._agreed_by(c), self.name))
            for c in allowed
        ]
        if claim.opportunity.nobody_travels_for(claim.signup.joining):
            self._without_journeys()
        if self.name:
            self._about_them(self.name)
        if line is None or line.receipt_id is None:
            del self.fields["remove_receipt"]
        # Follow-up questions sit under the answer they belong to (the template's `radios`
        # tag). The policy can ask for prior agreement of any kind of expense: asked under
        # the one that needs it, below the radios if several do, and not at all if none do.
        needs_agreement = [
            c.value
            for c in allowed
            if self.rules[c].needs_prior_agreement and self._agreed_by(c) is None
        ]
        follow_ups = {ExpenseCategory.MILEAGE.value: ["miles"]}
        if len(needs_agreement) == 1:
            follow_ups.setdefault(needs_agreement[0], []).append("agreed_with")
        elif not needs_agreement:
            del self.fields["agreed_with"]
        self.reveals = {"category": follow_ups}
        self.asks_agreement_separately = len(needs_agreement) > 1
        self.content_type = None
        self.pending = None

    def _without_journeys(self) -> None:
        """The examples and hints for a session nobody travelled to."""
        example = "For example, the phone call or mobile data used to take part."
        self.fields["description"].help_text = example
        self.fields["amount"].help_text = ""

    def _about_them(self, name) -> None:
        fields = self.fields
        fields["category"].label = f"What did {name} spend money on?"
        fields["category"].error_messages["required"] = f"Choose what {name} spent money on"
        fields["miles"].label = f"How many miles did {name} travel?"
        if "agreed_with" in fields:
            fields["agreed_with"].label = f"Who agreed it before {name} travelled?"

    def _agreed_by(self, category):
        """Who agreed this kind of expense for the session in the hub, or None."""
        if policy.agreed_in_hub(category, self.taxi_agreement):
            return self.taxi_agreement.agreed_by
        return None

    @staticmethod
    def _hint(rule: ExpenseRule, agreed_by=None, name="") -> str:
        parts = []
        if rule.is_mileage:
            parts.append(f"{format_rate(rule.rate_per_mile_pence or 0)} a mile")
        if rule.cap_pence is not None:
            parts.append(f"up to {format_pounds(rule.cap_pence)} a session")
        if agreed_by is not None:
            parts.append(f"{agreed_by} agreed a taxi for {name or 'you'} for this session")
        elif rule.needs_prior_agreement:
            parts.append(
                f"must be agreed with us before {f'{name} travels' if name else 'you travel'}"
            )
        parts.append(rule.receipt_summary.lower())
        text = "; ".join(parts)
        return text[0].upper() + text[1:]

    def clean_receipt(self):
        upload = self.cleaned_data.get("receipt")
        if upload:
            self.content_type = check_receipt(upload)
        return upload

    def clean_pending_receipt(self):
        pk = self.cleaned_data.get("pending_receipt")
        if not pk:
            return None
        # Only an unattached receipt of the person claiming can be picked up again.
        self.pending = Receipt.objects.filter(
            pk=pk, owner_id=self.claim.claimant_id, line__isnull=True
        ).first()
        return self.pending

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if not category or self.has_error("amount") or self.has_error("miles"):
            return data
        check = policy.check_expense(
            self.claim,
            category=category,
            amount_pence=data.get("amount"),
            miles=data.get("miles"),
            agreed_with=data.get("agreed_with", ""),
            agreement=self.taxi_agreement,
            line=self.line,
            rules=self.rules,
            name=self.name,
        )
        for field, message in check.errors.items():
            self.add_error(field, message)
        if check.amount_pence and not check.errors:
            has_receipt = bool(
                data.get("receipt")
                or self.pending
                or (self.line and self.line.receipt_id and not data.get("remove_receipt"))
            )
            data["receipt_missing"] = not has_receipt and check.rule.receipt_needed_for(
                check.amount_pence
            )
        return data

    def keep_receipt(self, receipt: Receipt) -> None:
        """After a failed try, show the stored receipt instead of asking for it again."""
        self.data = self.data.copy()
        self.data[self.add_prefix("pending_receipt")] = str(receipt.pk)
        self.pending = receipt


class TaxiAgreementForm(PlainTextMixin, Form):
    """The note staff may add when they agree a taxi. Each person on the taxis page has one;
    the view gives each its own ids (`auto_id`), so an error links to the right box."""

    note = forms.CharField(
        label="Note (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The note must be 200 characters or fewer"},
    )


class SubmitClaimForm(Form):
    acknowledged = forms.BooleanField(
        label="I have read this. I understand that payments can affect benefits and tax.",
        error_messages={"required": "Confirm that you have read about benefits and tax"},
    )

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["acknowledged"].label = (
                "I have explained this to the person. They understand that payments can "
                "affect benefits and tax."
            )


class StartOnBehalfForm(Form):
    on_behalf_note = forms.CharField(
        label="How did the person ask you to claim for them?",
        help_text="For example, by phone on 3 March, because they do not use email.",
        max_length=300,
        error_messages={"required": "Say how the person asked you to claim for them"},
    )


class FindPersonForm(participation_forms.FindPersonForm):
    """The person who asked staff to claim for them: found the way staff find someone to
    sign up (participation.people), so people with no email address can be found too."""

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, by=by, nobody=". Check what you typed", **kwargs)


class ReasonForm(Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the reason, so the person knows what to do next"},
    )

    def __init__(self, *args, label: str, help_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


class CorrectionForm(Form):
    fee = PoundsField(
        label="Fee to pay",
        error_messages={"required": "Enter the fee to pay, or 0"},
        max_pence=MOST_FOR_ONE_EXPENSE_PENCE * 10,
    )
    expenses = PoundsField(
        label="Expenses to pay",
        error_messages={"required": "Enter the expenses to pay, or 0"},
        max_pence=MOST_FOR_ONE_EXPENSE_PENCE * 10,
    )
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="The person can see this on their claim.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        error_messages={"required": "Enter the reason for the correction"},
    )


class OverpaymentDecisionForm(Form):
    """What a commissioner decides about a claim approved or paid more than its session's
    corrected fee (services.decide_overpayment)."""

    outcome = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what to do"},
    )
    reason = forms.CharField(
        label="Why?",
        help_text="Kept with the claim for commissioners and finance. The person does not see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter the reason for your decision"},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = choices


class MoneyBackForm(Form):
    """Money a person paid back of an overpayment we asked for (services.record_money_back).
    `still_asked_back` is what the page said was still to come back: if someone records money
    meanwhile (the same payment twice), the service refuses rather than records it again."""

    amount = PoundsField(
        label="Amount received",
        help_text="Part of it is fine: record each payment as it comes in.",
        allow_zero=False,
        error_messages={"required": "Enter the amount received"},
        max_pence=MOST_FOR_ONE_EXPENSE_PENCE * 10,
    )
    received_on = _date_field(
        "Date received",
        "The date the money reached us. For example, 27 3 2026.",
        subject="The date received",
    )
    still_asked_back = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("The date received cannot be in the future")
        return received_on


class StopAskingForm(Form):
    """A commissioner stops asking for the rest of an overpayment back
    (services.stop_asking_for_money_back)."""

    reason = forms.CharField(
        label="Why are you no longer asking for it back?",
        help_text="Kept with the claim for commissioners and finance. The person does not see "
        "it: they are told they do not need to pay the rest.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Enter why you are no longer asking for it back"},
    )


class TopUpDecisionForm(Form):
    """Whether a commissioner approves the extra fee a correction of the session means
    (services.approve_top_up, refuse_top_up). A reason is needed to refuse it."""

    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label="Do you approve the extra fee?",
        choices=[
            (APPROVE, "Yes, approve it: we owe the person the extra"),
            (REFUSE, "No, refuse it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve the extra fee"},
    )
    reason = forms.CharField(
        label="Why are you refusing it?",
        help_text="Kept with the claim for commissioners and finance. The person does not see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
    # The reason sits under "No", shown once it is chosen (hub.radios).
    reveals = {"decision": {REFUSE: ["reason"]}}

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not data.get("reason"):
            self.add_error("reason", "Enter why you are refusing the top-up")
        return data


class FeeAdjustmentFilterForm(Form):
    SHOW_CHOICES = [
        ("", "To approve or decide"),
        ("top_ups", "Top-ups approved, not paid yet"),
        ("all", "All"),
    ]

    show = forms.ChoiceField(choices=SHOW_CHOICES, required=False, label="Show")


def _person_or_claim_field():
    """The claims queue's and the ledger's search (payments.querysets.person_or_claim)."""
    return forms.CharField(
        required=False,
        max_length=200,
        strip=True,
        label="Person or claim",
        help_text="Name, email address, or claim number such as CL-00009",
    )


def _project_name_field():
    return forms.CharField(
        required=False,
        max_length=200,
        strip=True,
        label="Project",
        help_text="All or part of the project's name",
    )


class ReviewFilterForm(Form):
    STATUS_CHOICES = [
        ("", "Waiting for a decision"),
        ("open", "Sent or approved, not yet paid"),
        *Claim.Status.choices,
        ("all", "All"),
    ]
    FLAG_CHOICES = [
        ("", "Any"),
        ("nearing", "Nearing the target days to pay"),
        ("overdue", "Past the target days to pay"),
    ]

    search = _person_or_claim_field()
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    # A text box, not a list of every project: councils run thousands of projects over the
    # years, and a <select> of them all made this page ~190 KB and slow to render.
    project = _project_name_field()
    flag = forms.ChoiceField(choices=FLAG_CHOICES, required=False, label="Days to pay")


def _date_as_posted(name, day) -> list[tuple[str, str]]:
    """A date as the three boxes of `_date_field` post it."""
    return [
        (f"{name}_0", str(day.day)),
        (f"{name}_1", str(day.month)),
        (f"{name}_2", str(day.year)),
    ]


def _check_policy_start(form, starts_on) -> None:
    """Asked here as well as in the service, so a start date of today is listed with any
    other problem (a bad amount, say) rather than only on the next try."""
    if starts_on and policy_changes.starts_too_soon(starts_on):
        form.add_error("starts_on", policy_changes.STARTS_TOO_SOON)


class FeeRateForm(Form):
    basis = forms.ChoiceField(
        label="Which fee?",
        choices=FEE_BASIS_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which fee this rate is for"},
    )
    amount = PoundsField(
        label="Amount",
        max_pence=100_000,
        allow_zero=False,
        error_messages={"required": "Enter the amount"},
    )
    starts_on = _date_field(
        "Starts on",
        "Tomorrow or later. Claims for activities on or after this date use the new rate. "
        "For example, 6 4 2027.",
        subject="The start date",
    )

    def clean(self):
        data = super().clean()
        starts_on = data.get("starts_on")
        _check_policy_start(self, starts_on)
        if (
            starts_on
            and not self.has_error("starts_on")
            and FeeRate.objects.filter(basis=data.get("basis"), starts_on=starts_on).exists()
        ):
            self.add_error("starts_on", policy_changes.SAME_DAY_RATE)
        return data

    def as_posted(self) -> list[tuple[str, str]]:
        """The checked answers as the form posts them, for the page that checks the rate."""
        data = self.cleaned_data
        posted = [("basis", data["basis"]), ("amount", pounds_for_input(data["amount"]))]
        return posted + _date_as_posted("starts_on", data["starts_on"])


class ChooseExpenseForm(Form):
    """The first step of a new expense rule, sent by GET (`?category=taxi`): the rule form
    then starts from that expense's rule in force, with no JavaScript needed."""

    category = forms.ChoiceField(
        label="Which expense is the new rule for?",
        choices=ExpenseCategory.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose which expense this rule is for",
            "invalid_choice": "Choose which expense this rule is for",
        },
    )

    def __init__(self, *args, hints: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            Choice(value, label, hint=hints.get(value, ""))
            for value, label in ExpenseCategory.choices
        ]


# HMRC's approved mileage rate for a car is 45p a mile (24p for a motorbike, 20p for a
# bicycle), and councils that add passenger or equipment supplements still pay well under
# £1. More than £2 a mile is almost certainly pence typed as pounds ("5" for 5p, "45" for
# 45p), which would pay a 20-mile round trip £100 or £900: refused, with the amount read
# back in pounds, rather than saved.
MOST_PER_MILE_PENCE = 200


class ExpenseRuleForm(Form):
    """One expense's rule. The expense is chosen first (ChooseExpenseForm) and travels as a
    hidden field, so only mileage is asked for an amount per mile."""

    category = forms.ChoiceField(
        choices=ExpenseCategory.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Choose which expense this rule is for",
            "invalid_choice": "Choose which expense this rule is for",
        },
    )
    allowed = forms.TypedChoiceField(
        label="Do we pay it?",
        choices=[("yes", "Yes"), ("no", "No, stop paying it from the start date")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        initial="yes",
        error_messages={"required": "Say whether we pay this expense"},
    )
    rate_per_mile = PoundsField(
        label="Amount per mile",
        help_text="For example 0.45 for 45p",
        required=False,
        allow_zero=False,
        error_messages={"invalid": "Enter the amount per mile in pounds, for example 0.45"},
    )
    cap = PoundsField(
        label="Most we pay for each session (optional)",
        help_text="Leave empty for no limit.",
        required=False,
        max_pence=100_000,
    )
    receipt_rule = forms.ChoiceField(
        label="When is a receipt needed?",
        choices=ExpenseRule.ReceiptRule.choices,
        widget=forms.RadioSelect,
        initial=ExpenseRule.ReceiptRule.ALWAYS,
        error_messages={"required": "Choose when a receipt is needed"},
    )
    receipt_over = PoundsField(
        label="Receipt needed over this amount",
        help_text="For example 5. A receipt is needed for anything that costs more.",
        required=False,
        allow_zero=False,
        max_pence=100_000,
    )
    needs_prior_agreement = forms.BooleanField(
        label="Must be agreed with us before the person spends the money", required=False
    )
    starts_on = _date_field(
        "Starts on",
        "Tomorrow or later. Claims for activities on or after this date use the new rule. "
        "For example, 6 4 2027.",
        subject="The start date",
    )

    def __init__(self, *args, category: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        self.is_mileage = category == ExpenseCategory.MILEAGE
        self.fields["category"].initial = category
        if not self.is_mileage:
            del self.fields["rate_per_mile"]
        # The amount sits under "Only over an amount" (the template's `radios` tag).
        self.reveals = {"receipt_rule": {ExpenseRule.ReceiptRule.OVER.value: ["receipt_over"]}}

    def clean_rate_per_mile(self):
        pence = self.cleaned_data["rate_per_mile"]
        if pence is not None and pence > MOST_PER_MILE_PENCE:
            raise forms.ValidationError(
                f"Check the amount per mile: {policy_changes.per_mile(pence)} is more than we "
                "would expect. Enter an amount in pounds, for example 0.45"
            )
        return pence

    def clean(self):
        data = super().clean()
        # One message a box: a box that already has one is not also told it is empty.
        if (
            self.is_mileage
            and data.get("allowed")
            and data.get("rate_per_mile") is None
            and not self.has_error("rate_per_mile")
        ):
            self.add_error("rate_per_mile", "Enter the amount per mile, for example 0.45")
        if (
            data.get("receipt_rule") == ExpenseRule.ReceiptRule.OVER
            and data.get("receipt_over") is None
            and not self.has_error("receipt_over")
        ):
            self.add_error("receipt_over", "Enter the amount over which a receipt is needed")
        starts_on = data.get("starts_on")
        _check_policy_start(self, starts_on)
        if (
            starts_on
            and not self.has_error("starts_on")
            and ExpenseRule.objects.filter(category=self.category, starts_on=starts_on).exists()
        ):
            self.add_error("starts_on", policy_changes.SAME_DAY_RULE)
        return data

    def rule_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "allowed": data["allowed"],
            "cap_pence": data.get("cap"),
            "rate_per_mile_pence": data.get("rate_per_mile") if self.is_mileage else None,
            "receipt_rule": data["receipt_rule"],
            "receipt_over_pence": data.get("receipt_over")
            if data["receipt_rule"] == ExpenseRule.ReceiptRule.OVER
            else None,
            "needs_prior_agreement": data.get("needs_prior_agreement", False),
        }

    def as_posted(self) -> list[tuple[str, str]]:
        """The checked answers as the form posts them, for the hidden fields of the page that
        checks them: saving from there checks them all again."""
        data = self.cleaned_data
        posted = [
            ("category", self.category),
            ("allowed", "yes" if data["allowed"] else "no"),
            ("receipt_rule", data["receipt_rule"]),
        ]
        for name in ("rate_per_mile", "cap", "receipt_over"):
            if data.get(name) is not None:
                posted.append((name, pounds_for_input(data[name])))
        if data.get("needs_prior_agreement"):
            posted.append(("needs_prior_agreement", "on"))
        return posted + _date_as_posted("starts_on", data["starts_on"])

    @staticmethod
    def initial_from(rule: ExpenseRule | None) -> dict:
        """The form filled in with the rule in force, so a change to one part does not quietly
        drop the others."""
        if rule is None:
            return {}
        return {
            "allowed": "yes" if rule.allowed else "no",
            "rate_per_mile": rule.rate_per_mile_pence,
            "cap": rule.cap_pence,
            "receipt_rule": rule.receipt_rule,
            "receipt_over": rule.receipt_over_pence,
            "needs_prior_agreement": rule.needs_prior_agreement,
        }


class PolicySettingsForm(ModelForm):
    advice_url = forms.URLField(
        label="Advice service web address",
        assume_scheme="https",
        error_messages={
            "required": "Enter the advice service's web address",
            "invalid": "Enter a full web address, starting https://",
        },
    )

    weekly_fee_check_pence = PoundsField(
        label="Weekly fee check level (optional)",
        help_text=PaymentPolicy._meta.get_field("weekly_fee_check_pence").help_text,
        required=False,
        allow_zero=False,
        max_pence=100_000,
    )

    class Meta:
        model = PaymentPolicy
        fields = [
            "target_days_to_pay",
            "voucher_description",
            "advice_name",
            "advice_url",
            "advice_phone",
            "weekly_fee_check_pence",
        ]
        widgets = {
            "target_days_to_pay": forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
            "voucher_description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "target_days_to_pay": {"required": "Enter the target days to pay"},
            "advice_name": {"required": "Enter the name of the advice service"},
        }

    def clean_target_days_to_pay(self):
        days = self.cleaned_data["target_days_to_pay"]
        if not 1 <= days <= 365:
            raise forms.ValidationError("Enter a number of days between 1 and 365")
        return days


class ConflictForm(Form):
    email = forms.EmailField(
        label="Email address of the person",
        error_messages={
            "required": "Enter the person's email address",
            "invalid": "Enter an email address in the right format, like name@example.com",
        },
    )
    reason = forms.CharField(
        label="What is the conflict?",
        help_text="For example, a family member, a close friend, or someone you manage.",
        max_length=300,
        error_messages={"required": "Say what the conflict is"},
    )

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        self.person = User.objects.filter(email__iexact=email).first()
        if self.person is None:
            raise forms.ValidationError("There is no one with that email address on the hub")
        return email


class ConfirmRunForm(Form):
    paid_on = _date_field(
        "Date paid",
        "The date finance paid the money. For example, 27 3 2026.",
        subject="The date paid",
    )
    confirmed = forms.BooleanField(
        label="I confirm that finance has paid every claim in this run",
        error_messages={"required": "Confirm that finance has paid every claim in this run"},
    )

    def __init__(self, *args, run: PaymentRun, **kwargs):
        super().__init__(*args, **kwargs)
        self.run = run

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("The date paid cannot be in the future")
        if paid_on < timezone.localdate(self.run.created_at):
            raise forms.ValidationError("The date paid cannot be before the payment run was made")
        return paid_on


class TaxYearForm(Form):
    tax_year = forms.TypedChoiceField(
        label="Tax year",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a tax year from the list"},
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_year"].choices = [("", "All tax years")] + [
            (year.start_year, year.label) for year in years
        ]


class LedgerFilterForm(PlainTextMixin, Form):
    """The ledger page's filters. Every value lives in the URL (GET), so a filtered ledger
    can be linked to: from a claim, or a person's row on a report."""

    search = _person_or_claim_field()
    from_date = UKDateField(label="From date", required=False)
    to_date = UKDateField(label="To date", required=False)
    tax_year = forms.TypedChoiceField(
        label="Tax year",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a tax year from the list"},
    )
    kind = forms.ChoiceField(
        label="Kind of entry",
        required=False,
        choices=[("", "Any kind"), *LedgerEntry.Kind.choices],
        error_messages={"invalid_choice": "Choose a kind of entry from the list"},
    )
    account = forms.ChoiceField(
        label="Account",
        required=False,
        choices=[("", "Both accounts"), *LedgerEntry.Account.choices],
        error_messages={"invalid_choice": "Choose an account from the list"},
    )
    project = _project_name_field()
    payment_run = forms.CharField(
        required=False,
        max_length=20,
        strip=True,
        label="Payment run",
        help_text="For example, PR-0002",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    # One person exactly, by id: set by the links on the reports, where a name could match
    # several people. Shown on the page with a link to take it off.
    person = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_year"].choices = [("", "All tax years")] + [
            (year.start_year, year.label) for year in years
        ]
        self.person = None

    def clean_payment_run(self):
        text = self.cleaned_data["payment_run"]
        if not text:
            return None
        number = payment_run_number(text)
        if number is None:
            raise forms.ValidationError("Enter a payment run reference, like PR-0002")
        return number

    def clean_person(self):
        text = self.cleaned_data["person"].strip()
        if not text:
            return None
        self.person = User.objects.filter(pk=text).first() if is_database_id(text) else None
        if self.person is None:
            raise forms.ValidationError(
                "We could not find the person this link was for. Clear the filters, then "
                "search for them by name or email address"
            )
        return self.person

    def clean(self):
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", "The 'to' date must be the same as or after the 'from' date")
        return data
