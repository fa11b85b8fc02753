"""Every kind of message the hub sends, and the category a person can unsubscribe from.

Categories let people say "no more reminders" without losing, say, claim updates. A few
kinds (ALWAYS_SENT) come whatever a person has stopped: without them they would lose a place
or money without knowing.
Account emails (confirm your address, reset your password) come from allauth, not here.
"""

from django.db import models


class Category(models.TextChoices):
    # Not "changes to sessions": those always come (ALWAYS_SENT), whatever is ticked.
    SIGN_UPS = "sign_ups", "Sign-up confirmations, waiting lists and messages from session staff"
    REMINDERS = "reminders", "Reminders before sessions"
    CLAIMS = "claims", "Fees and expenses claims"
    UPDATES = "updates", "\u201cWe said, we did\u201d updates"
    ALERTS = "alerts", "New opportunities that match your interests"
    SURVEYS = "surveys", "Short surveys after you take part"
    STAFF = "staff", "Prompts for staff"
    GUIDE = "guide", "What happened to something you shared in the practice guide"


KIND_CATEGORIES = {
    "signup_confirmed": Category.SIGN_UPS,
    "waiting_list_joined": Category.SIGN_UPS,
    "place_offered": Category.SIGN_UPS,
    "offer_expired": Category.SIGN_UPS,
    # A session started with the person still waiting: no place came up. Optional, unlike a
    # place offered: nothing is lost by missing it, and "Your involvement" says so too.
    "waiting_list_no_place": Category.SIGN_UPS,
    "signup_cancelled": Category.SIGN_UPS,
    "opportunity_cancelled": Category.SIGN_UPS,
    "opportunity_changed": Category.SIGN_UPS,
    # A project's honest step lowered: people booked on its sessions have less say than it said.
    "step_lowered": Category.SIGN_UPS,
    # Staff writing to the people signed up for a session: about that session, like a change.
    "group_message": Category.SIGN_UPS,
    # Staff running a session agreed, or withdrew, a taxi to it for someone with a place.
    "taxi_agreed": Category.SIGN_UPS,
    "taxi_withdrawn": Category.SIGN_UPS,
    "reminder_two_days": Category.REMINDERS,
    "reminder_on_the_day": Category.REMINDERS,
    "claim_prompt": Category.CLAIMS,
    "claim_submitted": Category.CLAIMS,
    "claim_approved": Category.CLAIMS,
    "claim_returned": Category.CLAIMS,
    "claim_rejected": Category.CLAIMS,
    "claim_paid": Category.CLAIMS,
    "claim_corrected": Category.CLAIMS,
    "claim_not_paid": Category.CLAIMS,
    "claim_approval_withdrawn": Category.CLAIMS,
    # A claim we would not pay, sent back to the person to change and send again.
    "claim_reopened": Category.CLAIMS,
    # A returned claim not sent again: two weeks after it was returned, and six.
    "claim_returned_reminder": Category.CLAIMS,
    # Staff corrected a session's fee after people claimed (payments.services.fee_corrections):
    # a claim not yet approved has a new fee; on one approved or paid, a commissioner approved
    # a top-up so we owe more (or we no longer owe a top-up we told them of); then the top-up
    # paid. A top-up waiting for approval, or refused, is not told.
    "claim_fee_changed": Category.CLAIMS,
    "claim_top_up": Category.CLAIMS,
    "claim_top_up_paid": Category.CLAIMS,
    # On a paid claim whose session's fee went down, a commissioner asked for the difference
    # back (payments.services.money_back); then money came back, or they stopped asking.
    "claim_money_back_asked": Category.CLAIMS,
    "claim_money_back_received": Category.CLAIMS,
    "claim_money_back_stopped": Category.CLAIMS,
    "we_said_we_did": Category.UPDATES,
    "new_opportunity_alert": Category.ALERTS,
    "weekly_digest": Category.ALERTS,
    "outcome_survey": Category.SURVEYS,
    "staff_update_overdue": Category.STAFF,
    "moderation_overdue": Category.STAFF,
    "register_not_taken": Category.STAFF,
    "claims_waiting": Category.STAFF,
    # Someone with a place changed what they need for it: the staff running it check the page.
    "access_needs_changed": Category.STAFF,
    # Someone whose needs they were told about no longer has a place: support arranged for
    # them may be kept for nobody.
    "access_needs_place_ended": Category.STAFF,
    # Someone changed how they will join a hybrid session: a taxi agreed for them withdrawn
    # as they now join online, or support arranged for the old way of joining to check.
    "joining_changed": Category.STAFF,
    # To administrators: sent claims no commissioner may decide (payments.services.deciders),
    # so they give the role to someone who may.
    "claims_nobody_may_decide": Category.STAFF,
    # The whole session was called off: one list, per member of staff, of the people whose
    # needs they were told about, so they can cancel what they arranged for each.
    "access_needs_session_cancelled": Category.STAFF,
    "guide_entry_published": Category.GUIDE,
    "guide_entry_returned": Category.GUIDE,
    "guide_entry_rejected": Category.GUIDE,
}


# What a person must hear to keep their place or be paid, so stopping the category does not
# stop these, and their emails carry no "stop" link. A cancelled or changed session (or place)
# means a wasted journey; an offered place quietly goes to the next person; a claim returned,
# refused, corrected, not paid or no longer approved waits on the person or is money they can
# challenge.
# Confirmations, reminders and news stay optional.
ALWAYS_SENT = frozenset(
    {
        "place_offered",
        "signup_cancelled",  # also says so when staff cancelled the person's place
        "opportunity_cancelled",
        "opportunity_changed",
        "step_lowered",  # a change to sessions people booked: how much say they will have
        # A taxi we agreed to pay for, and no longer will: money they may be about to spend.
        "taxi_withdrawn",
        "claim_returned",
        "claim_rejected",
        "claim_corrected",
        "claim_not_paid",
        "claim_approval_withdrawn",  # money the person was told they would get
        "claim_reopened",  # waits on the person, who was told we would not pay it
        "claim_returned_reminder",  # still waits on the person: without it, never paid
        # Its session's fee was corrected: what we will pay them changed.
        "claim_fee_changed",
        "claim_top_up",
        # Money we ask them to pay back, money of theirs we received, and money they no
        # longer need to pay: each can matter for their benefits and their budget.
        "claim_money_back_asked",
        "claim_money_back_received",
        "claim_money_back_stopped",
        # Staff who miss it may leave someone unable to take part on the day.
        "access_needs_changed",
        # Its pair: without it, an interpreter booked after the first waits for nobody.
        "access_needs_place_ended",
        # The same when they join another way, and a cab booked for someone now online.
        "joining_changed",
        # The same for everyone at once, when the session itself is called off.
        "access_needs_session_cancelled",
        # To administrators: someone is not paid until one of them gives the commissioner role
        # to someone who may decide their claim (payments.services.deciders).
        "claims_nobody_may_decide",
        # The person asked to hear back when they shared, and may have no account from
        # which to stop messages; a returned entry's message also carries their own words.
        "guide_entry_published",
        "guide_entry_returned",
        "guide_entry_rejected",
    }
)

# Messages only the person may read: never on the staff call list, which every member of
# staff can open. Who shared what in the practice guide is known to nobody but them (the
# share page promises it). Such a message goes by email or text whatever the person chose,
# or, if they can be reached neither way, is not sent ("Things you shared" still says it).
PRIVATE_CATEGORIES = frozenset({Category.GUIDE})

# Why an always-sent message came, for its email footer ("... because <this>.").
ALWAYS_SENT_BECAUSE = {
    Category.SIGN_UPS: "it is about a session you signed up for",
    Category.CLAIMS: "it is about your claim",
    Category.GUIDE: "it is about something you shared in the practice guide",
    Category.STAFF: "it is about someone taking part in a session you run",
}

# Why an always-sent message came, for kinds the words of their category do not fit.
ALWAYS_SENT_BECAUSE_KIND = {
    "claims_nobody_may_decide": "someone is not paid until an administrator acts on it",
}

# What still comes after someone stops a category, for the page where they stop it.
STILL_SENT = {
    Category.SIGN_UPS: (
        "We will still tell you if a session you booked is cancelled or changed, if we cancel "
        "your place, if we will no longer pay for a taxi we agreed, and if a place comes up "
        "for you."
    ),
    Category.CLAIMS: (
        "We will still tell you if there is a problem with a claim, if we change how much "
        "we will pay you, and about any money we ask you to pay back."
    ),
    Category.GUIDE: (
        "We will still tell you what happens to anything you share in the practice guide."
    ),
    Category.STAFF: (
        "We will still tell you when someone changes what they need to take part in a "
        "session you run, when someone who told you what they need no longer has a place, "
        "or their session is cancelled, and when someone changes how they will join, so a "
        "taxi or support you arranged may not be needed. If you are an administrator, we will "
        "still tell you when no commissioner may decide a claim."
    ),
}


def always_sent(kind: str) -> bool:
    return kind in ALWAYS_SENT


def always_sent_because(kind: str) -> str:
    """Why an always-sent message came ("... because <this>."), "" for an optional kind."""
    if not always_sent(kind):
        return ""
    return ALWAYS_SENT_BECAUSE_KIND.get(kind) or ALWAYS_SENT_BECAUSE[category_for(kind)]


def category_for(kind: str) -> Category:
    try:
        return KIND_CATEGORIES[kind]
    except KeyError:
        raise ValueError(f"Unknown message kind {kind!r}: add it to KIND_CATEGORIES") from None


def kinds_in(category: Category) -> list[str]:
    return [kind for kind, its_category in KIND_CATEGORIES.items() if its_category == category]
