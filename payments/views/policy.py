"""The payment policy (commissioners), its public page, and conflicts of interest."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from coprod_hub.lib.pagination import paginate
from coprod_hub.permissions import role_required
from coprod_hub.users.roles import Role
from participation.models import Opportunity

from .. import permissions, services
from ..forms import (
    ChooseExpenseForm,
    ConflictForm,
    ExpenseRuleForm,
    FeeRateForm,
    PolicySettingsForm,
)
from ..models import Claim, ConflictOfInterest, ExpenseCategory, ExpenseRule, FeeRate, PaymentPolicy
from ..services import PaymentError, deciders
from ..services.policy_changes import (
    describe_expense_rule,
    describe_fee_rate,
    fee_in_words,
    long_date,
    pay_changes,
    propose_expense_rule,
    propose_fee_rate,
    rule_in_words,
    rule_terms,
)
from . import posted

# Fee bases in the order people think of them.
FEE_ORDER = [
    Opportunity.FeeBasis.PER_HOUR,
    Opportunity.FeeBasis.HALF_DAY,
    Opportunity.FeeBasis.FULL_DAY,
    Opportunity.FeeBasis.PER_ACTIVITY,
]


def _current_policy(today):
    fees = {rate.basis: rate for rate in FeeRate.objects.in_force_on(today)}
    rules = {rule.category: rule for rule in ExpenseRule.objects.in_force_on(today)}
    return (
        [fees[basis] for basis in FEE_ORDER if basis in fees],
        [rules[category] for category in ExpenseCategory if category in rules],
    )


@role_required(Role.COMMISSIONER)
def overview(request):
    today = timezone.localdate()
    fees, rules = _current_policy(today)
    return render(
        request,
        "payments/policy/overview.html",
        {
            "policy": PaymentPolicy.current(),
            "fees": fees,
            "rules": rules,
            "scheduled_fees": FeeRate.objects.scheduled(today).order_by("starts_on", "basis"),
            "scheduled_rules": ExpenseRule.objects.scheduled(today).order_by(
                "starts_on", "category"
            ),
            "today": today,
        },
    )


HISTORY = {
    "fees": (FeeRate, "Fee rates"),
    "expenses": (ExpenseRule, "Expense rules"),
}


@role_required(Role.COMMISSIONER)
def history(request, kind):
    if kind not in HISTORY:
        raise Http404
    model, title = HISTORY[kind]
    rows = model.objects.select_related("created_by").order_by("-starts_on", "-pk")
    return render(
        request,
        "payments/policy/history.html",
        {"kind": kind, "title": title, "page_obj": paginate(request, rows, 50)},
    )


def _step(request) -> str:
    """Which button sent a form with a check step: "send" (save) and "change" (go back) on
    the page that checks it, or the form's own ("check")."""
    return next((name for name in ("send", "change") if name in request.POST), "check")


@role_required(Role.COMMISSIONER)
def add_fee_rate(request):
    """Two steps, as for an expense rule: the rate, then a check of what it changes and who
    we will tell, whose "Save rate" ("send") posts the answers again from hidden fields and
    "Change the rate" ("change") goes back."""
    form = FeeRateForm(posted(request))
    step = _step(request)
    if request.method == "POST" and step != "change" and form.is_valid():
        data = form.cleaned_data
        if step == "check":
            proposal = propose_fee_rate(
                basis=data["basis"], amount_pence=data["amount"], starts_on=data["starts_on"]
            )
            return render(
                request,
                "payments/policy/fee_rate_check.html",
                {
                    "form": form,
                    "proposal": proposal,
                    "new_rate": fee_in_words(proposal.rule),
                    "starts_on": long_date(data["starts_on"]),
                    "changes": pay_changes(proposal.rule),
                },
            )
        try:
            rate = services.add_fee_rate(
                by=request.user,
                basis=data["basis"],
                amount_pence=data["amount"],
                starts_on=data["starts_on"],
            )
        except PaymentError as problem:
            form.add_error("starts_on", str(problem))
        else:
            messages.success(request, f"New fee rate saved: {describe_fee_rate(rate)}.")
            return redirect("payments:policy")
    return render(
        request,
        "payments/policy/fee_rate_form.html",
        {"form": form, "page_title": "Add a new fee rate", "submit_label": "Continue"},
    )


@role_required(Role.COMMISSIONER)
def add_expense_rule(request):
    """Three steps, none needing JavaScript: choose the expense (a GET form, so the next page
    is `?category=taxi`, which the policy page's "Change" links use too); the rule, filled in
    from the one in force; then a check of what changes, whose "Save rule" button ("send")
    posts the answers again from hidden fields and "Change the rule" ("change") goes back."""
    source = request.POST if request.method == "POST" else request.GET
    category = source.get("category")
    if category not in ExpenseCategory.values:
        # A form sent without one says so; arriving at the first step does not.
        asked = request.method == "POST" or "category" in source or "chosen" in source
        return _choose_expense(request, source if asked else None)
    today = timezone.localdate()
    in_force = ExpenseRule.objects.for_key(category, today)
    if request.method != "POST":
        form = ExpenseRuleForm(category=category, initial=ExpenseRuleForm.initial_from(in_force))
        return _expense_rule_page(request, form, in_force)
    form = ExpenseRuleForm(request.POST, category=category)
    step = _step(request)
    if step == "change" or not form.is_valid():
        return _expense_rule_page(request, form, in_force)
    data = form.cleaned_data
    if step == "check":
        proposal = propose_expense_rule(
            category=category, starts_on=data["starts_on"], **form.rule_fields()
        )
        return render(
            request,
            "payments/policy/expense_rule_check.html",
            {
                "form": form,
                "proposal": proposal,
                "terms": rule_terms(proposal.rule),
                "starts_on": long_date(data["starts_on"]),
                "changes": pay_changes(proposal.rule),
            },
        )
    try:
        rule = services.add_expense_rule(
            by=request.user, category=category, starts_on=data["starts_on"], **form.rule_fields()
        )
    except PaymentError as problem:
        form.add_error("starts_on", str(problem))
        return _expense_rule_page(request, form, in_force)
    messages.success(request, f"New expense rule saved: {describe_expense_rule(rule)}.")
    return redirect("payments:policy")


def _choose_expense(request, data):
    today = timezone.localdate()
    in_force = {rule.category: rule for rule in ExpenseRule.objects.in_force_on(today)}
    hints = {
        category: f"Now: {rule_in_words(in_force.get(category))}"
        for category in ExpenseCategory.values
    }
    form = ChooseExpenseForm(data, hints=hints)
    return render(request, "payments/policy/expense_rule_choose.html", {"form": form})


def _expense_rule_page(request, form, in_force):
    today = timezone.localdate()
    planned = ExpenseRule.objects.scheduled(today).filter(category=form.category)
    return render(
        request,
        "payments/policy/expense_rule_form.html",
        {
            "form": form,
            "category_label": ExpenseCategory(form.category).label,
            "in_force": in_force,
            "in_force_words": rule_in_words(in_force),
            "planned": [
                (long_date(rule.starts_on), rule_in_words(rule))
                for rule in planned.order_by("starts_on")
            ],
        },
    )


@login_required
def remove_scheduled(request, kind, pk):
    permissions.require_role(request, Role.COMMISSIONER)
    if kind not in HISTORY:
        raise Http404
    change = get_object_or_404(HISTORY[kind][0], pk=pk)
    describe = describe_fee_rate if isinstance(change, FeeRate) else describe_expense_rule
    if request.method != "POST":
        if change.starts_on <= timezone.localdate():
            # Only planned changes have this page; a link to a past one lands on the policy.
            return redirect("payments:policy")
        # A check first: who it changes the pay of, and that we will tell them.
        return render(
            request,
            "payments/policy/remove_check.html",
            {
                "kind": kind,
                "change": change,
                "words": describe(change),
                "changes": pay_changes(change, removing=True),
            },
        )
    try:
        services.remove_scheduled_change(change, by=request.user)
    except PaymentError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"Planned change removed: {describe(change)}.")
    return redirect("payments:policy")


@role_required(Role.COMMISSIONER)
def settings_form(request):
    policy = PaymentPolicy.current()
    form = PolicySettingsForm(posted(request), instance=policy)
    if request.method == "POST" and form.is_valid():
        services.update_policy(
            by=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, "Payment policy settings saved.")
        return redirect("payments:policy")
    return render(
        request,
        "payments/policy/settings_form.html",
        {
            "form": form,
            "page_title": "Change payment policy settings",
            "submit_label": "Save settings",
        },
    )


def how_we_pay(request):
    """The public, plain-English version of the current policy."""
    today = timezone.localdate()
    fees, rules = _current_policy(today)
    return render(
        request,
        "payments/how_we_pay.html",
        {
            "policy": PaymentPolicy.current(),
            "fees": fees,
            "rules": rules,
            "scheduled_fees": FeeRate.objects.scheduled(today).order_by("starts_on", "basis"),
        },
    )


@role_required(Role.COMMISSIONER)
def conflicts(request):
    form = ConflictForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(
                commissioner=request.user, person=form.person, reason=form.cleaned_data["reason"]
            )
        except PaymentError as problem:
            form.add_error("email", str(problem))
        else:
            messages.success(
                request,
                f"Conflict of interest with {form.person} declared."
                + _nobody_to_decide_words(form.person),
            )
            return redirect("payments:conflicts")
    declared = (
        ConflictOfInterest.objects.active()
        .filter(commissioner=request.user)
        .select_related("person")
    )
    page = paginate(request, declared, 50)
    # The sent claims of the people on this page that no commissioner may decide, in one
    # query: each conflict lists its person's.
    waiting = {}
    for claim in (
        Claim.objects.no_commissioner_may_decide()
        .filter(claimant_id__in=[conflict.person_id for conflict in page.object_list])
        .order_by("first_submitted_at", "pk")
        .only("pk", "claimant_id")
    ):
        waiting.setdefault(claim.claimant_id, []).append(claim)
    # Whether there is an administrator to tell, asked once for the whole page.
    anyone_to_tell = bool(waiting) and deciders.administrators().exists()
    for conflict in page.object_list:
        conflict.nobody_to_decide = waiting.get(conflict.person_id, [])
        conflict.nobody_to_decide_told = deciders.who_was_told(
            len(conflict.nobody_to_decide), anyone_to_tell=anyone_to_tell
        )
    return render(
        request,
        "payments/policy/conflicts.html",
        {"form": form, "page_obj": page},
    )


# The confirmation names this many claims at most, and counts the rest.
NAMED_CLAIMS = 10


def _nobody_to_decide_words(person) -> str:
    """For the confirmation of a conflict declared with `person`: which of their sent claims
    now wait with no commissioner who may decide them, or "" when there are none."""
    references = [
        Claim.reference_for(pk)
        for pk in Claim.objects.no_commissioner_may_decide()
        .filter(claimant=person)
        .order_by("first_submitted_at", "pk")
        .values_list("pk", flat=True)
    ]
    if not references:
        return ""
    named = ", ".join(references[:NAMED_CLAIMS])
    if len(references) > NAMED_CLAIMS:
        named += f" and {len(references) - NAMED_CLAIMS} more"
    claims = "this claim" if len(references) == 1 else "these claims"
    told = deciders.who_was_told(len(references))
    return f" No commissioner may now decide {claims} of theirs: {named}. {told}"


@login_required
def withdraw_conflict(request, pk):
    conflict = permissions.get_own_conflict(request, pk)
    if request.method != "POST":
        # A button on the conflicts page, not a page of its own: a link here lands there.
        return redirect("payments:conflicts")
    services.withdraw_conflict(conflict, by=request.user)
    messages.success(request, f"Conflict of interest with {conflict.person} withdrawn.")
    return redirect("payments:conflicts")
