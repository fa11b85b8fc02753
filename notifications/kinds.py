"""Every kind of message the hub sends, and the category a person can unsubscribe from.

Categories let people say "no more reminders" without losing, say, claim updates.
Account emails (confirm your address, reset your password) come from allauth, not here.
"""

from django.db import models


class Category(models.TextChoices):
    SIGN_UPS = "sign_ups", "Sign-ups and changes to sessions"
    REMINDERS = "reminders", "Reminders before sessions"
    CLAIMS = "claims", "Fees and expenses claims"
    UPDATES = "updates", "\u201cWe said, we did\u201d updates"
    ALERTS = "alerts", "New opportunities that match your interests"
    SURVEYS = "surveys", "Short surveys after you take part"
    STAFF = "staff", "Prompts for staff"


KIND_CATEGORIES = {
    "signup_confirmed": Category.SIGN_UPS,
    "waiting_list_joined": Category.SIGN_UPS,
    "place_offered": Category.SIGN_UPS,
    "offer_expired": Category.SIGN_UPS,
    "signup_cancelled": Category.SIGN_UPS,
    "opportunity_cancelled": Category.SIGN_UPS,
    "opportunity_changed": Category.SIGN_UPS,
    # Staff writing to the people signed up for a session: about that session, like a change.
    "group_message": Category.SIGN_UPS,
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
    "we_said_we_did": Category.UPDATES,
    "new_opportunity_alert": Category.ALERTS,
    "weekly_digest": Category.ALERTS,
    "outcome_survey": Category.SURVEYS,
    "staff_update_overdue": Category.STAFF,
    "moderation_overdue": Category.STAFF,
}


def category_for(kind: str) -> Category:
    try:
        return KIND_CATEGORIES[kind]
    except KeyError:
        raise ValueError(f"Unknown message kind {kind!r}: add it to KIND_CATEGORIES") from None


def kinds_in(category: Category) -> list[str]:
    return [kind for kind, its_category in KIND_CATEGORIES.items() if its_category == category]
