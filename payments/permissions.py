"""Who may see and change which claims, receipts, runs and declarations.

This is the only place object-level rules for payments live. Every view gets its objects
through these functions; anything a person may not see is a 404, so outsiders cannot even
learn that it exists.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from coprod_hub.lib.forms import is_database_id
from coprod_hub.permissions import has_role, require_role
from coprod_hub.users.roles import Role
from participation import permissions as participation_permissions
from participation.models import SignUp

from .models import (
    Claim,
    ClaimLine,
    ConflictOfInterest,
    FeeAdjustment,
    PaymentRun,
    PaymentRunItem,
    TaxiAgreement,
)


def is_commissioner(user) -> bool:
    return has_role(user, Role.COMMISSIONER)


def _own_or_started(user):
    """Their own claims, and (while they hold the staff role) ones they made for someone."""
    if has_role(user, Role.STAFF):
        return Claim.objects.filter(Q(claimant=user) | Q(started_by=user))
    return Claim.objects.filter(claimant=user)


def claims_for(request):
    """Claims this person may look at: their own, ones they made for someone while they still
    may claim for them, or (for commissioners) all of them."""
    user = request.user
    if is_commissioner(user):
        return Claim.objects.all()
    return _own_or_started(user)


def get_claim_for_user(request, pk) -> Claim:
    # With the profile: commissioners see how to reach the person (payments.contact); and
    # whether any commissioner may decide it, for its page to say so.
    claim = get_object_or_404(
        claims_for(request)
        .with_related()
        .with_nobody_to_decide()
        .select_related("claimant__profile"),
        pk=pk,
    )
    if not is_commissioner(request.user) and not may_edit(request.user, claim):
        raise Http404("No such claim.")
    return claim


def may_edit(user, claim) -> bool:
    """The claimant, or the staff member who made the claim for them while they still may
    claim for that person: someone who has left the team, or lost the staff role, may not."""
    if claim.claimant_id == user.pk:
        return True
    return claim.started_by_id == user.pk and may_claim_for(user, claim.signup)


def claims_made_for_others(user):
    """Claims this member of staff made for other people and may still look after: `may_edit`
    as a queryset."""
    made = Claim.objects.started_on_behalf_by(user)
    if is_commissioner(user):
        return made
    return made.filter(opportunity__in=_sessions_run_by(user))


def get_claim_for_edit(request, pk) -> Claim:
    """The claimant, or the staff member who started it for them (see `may_edit`). Others get
    a 404 (even commissioners: they correct approved amounts, they never edit a person's
    claim)."""
    # With the profile: the payment details page offers vouchers by email or post only
    # where they can reach the person (payments.forms.ClaimDetailsForm).
    claim = get_object_or_404(
        _own_or_started(request.user).with_related().select_related("claimant__profile"), pk=pk
    )
    if not may_edit(request.user, claim):
        raise Http404("No such claim.")
    return claim


def get_line_for_edit(claim, line_pk) -> ClaimLine:
    return get_object_or_404(
        claim.lines.select_related("receipt"), pk=line_pk, kind=ClaimLine.Kind.EXPENSE
    )


def get_claim_for_review(request, pk) -> Claim:
    require_role(request, Role.COMMISSIONER)
    return get_object_or_404(Claim.objects.with_related(), pk=pk)


def get_receipt_line(request, claim_pk, line_pk) -> ClaimLine:
    """Receipts are for the person claiming and for commissioners only."""
    user = request.user
    scope = Claim.objects.all() if is_commissioner(user) else Claim.objects.filter(claimant=user)
    claim = get_object_or_404(scope, pk=claim_pk)
    return get_object_or_404(
        claim.lines.select_related("receipt"), pk=line_pk, receipt__isnull=False
    )


def runs_session(user, signup) -> bool:
    """Whether `user` runs the session of this sign-up. The rule lives in participation (may
    edit its project, or created it when it has no project) so payments never drifts from
    who may take the register: someone who has left a project's team no longer runs its
    sessions, even ones they created."""
    return participation_permissions.can_run(user, signup.opportunity)


def _sessions_run_by(user):
    # `runs_session` as a queryset, for lists.
    return participation_permissions.opportunities_run_by(user).values("pk")


def may_claim_for(user, signup) -> bool:
    """A person may claim for their own attendance. Staff may claim for someone who came to
    a session they run. Commissioners may help anyone."""
    if signup.resident_id == user.pk or is_commissioner(user):
        return True
    return has_role(user, Role.STAFF) and runs_session(user, signup)


def staff_signups(user):
    """Sign-ups staff may claim for on a person's behalf: `may_claim_for` as a queryset, for
    sessions they run. Commissioners may help anyone."""
    if is_commissioner(user):
        return SignUp.objects.all()
    if not has_role(user, Role.STAFF):
        return SignUp.objects.none()
    return SignUp.objects.filter(opportunity__in=_sessions_run_by(user))


def claimable_signups(request, *, for_person=None):
    """Attended sign-ups with no claim yet, that pay something.

    A resident sees their own. Staff helping someone pass `for_person`.
    """
    user = request.user
    if for_person is None or for_person.pk == user.pk:
        scope = SignUp.objects.filter(resident=user)
    else:
        scope = staff_signups(user).filter(resident=for_person)
    return (
        scope.filter(attendance=SignUp.Attendance.ATTENDED, claim__isnull=True)
        .filter(Q(opportunity__pays_expenses=True) | ~Q(opportunity__fee_basis="none"))
        .select_related("opportunity", "opportunity__project", "resident")
        .order_by("-opportunity__starts_at", "-pk")
    )


def get_signup_to_claim(request, pk) -> SignUp:
    """The person's own attendance, or one staff may claim for. Anyone else's: 404."""
    signup = get_object_or_404(
        SignUp.objects.select_related("opportunity", "opportunity__project", "resident"),
        pk=pk,
        attendance=SignUp.Attendance.ATTENDED,
    )
    if not may_claim_for(request.user, signup):
        raise Http404("No such sign-up.")
    return signup


def runs_for(request):
    require_role(request, Role.COMMISSIONER)
    return PaymentRun.objects.select_related("created_by", "confirmed_by")


def get_run(request, pk) -> PaymentRun:
    return get_object_or_404(runs_for(request), pk=pk)


def get_run_item(run, claim_pk) -> PaymentRunItem:
    """A claim's line in a run the caller may see (from get_run)."""
    return get_object_or_404(
        run.items.select_related("claim", "claim__claimant"), claim_id=claim_pk
    )


def get_run_to_download(request, pk) -> PaymentRun:
    """A run whose file finance may have. A cancelled run is a 404 here: its claims are in
    the next run, so its file could get them paid twice."""
    return get_object_or_404(runs_for(request).exportable(), pk=pk)


def fee_adjustments_for(request):
    """Top-ups and overpayments after sessions' fees were corrected: for commissioners, who
    approve and pay the one and decide the other."""
    require_role(request, Role.COMMISSIONER)
    return FeeAdjustment.objects.select_related(
        "claim__claimant", "claim__opportunity", "closed_by", "approved_by", "created_by"
    )


def get_fee_adjustment(request, pk) -> FeeAdjustment:
    return get_object_or_404(fee_adjustments_for(request), pk=pk)


def get_own_conflict(request, pk) -> ConflictOfInterest:
    require_role(request, Role.COMMISSIONER)
    return get_object_or_404(
        ConflictOfInterest.objects.active().filter(commissioner=request.user), pk=pk
    )


def get_opportunity_for_taxis(request, pk):
    """Taxis for a session are agreed by whoever may run it: participation's rule for its
    staff manage page, so the two never drift apart. Anyone else: 404."""
    return participation_permissions.get_opportunity_to_run(request, pk)


def get_signup_for_taxi(opportunity, pk) -> SignUp:
    """A sign-up for this session (from get_opportunity_for_taxis), by the id a form sent."""
    if not is_database_id(str(pk)):
        raise Http404("No such sign-up.")
    return get_object_or_404(opportunity.signups.select_related("resident"), pk=pk)


def get_taxi_agreement(opportunity, pk) -> TaxiAgreement:
    """A taxi agreement for this session (from get_opportunity_for_taxis)."""
    if not is_database_id(str(pk)):
        raise Http404("No such taxi agreement.")
    return get_object_or_404(
        TaxiAgreement.objects.select_related("signup__resident"),
        pk=pk,
        signup__opportunity=opportunity,
    )
