"""The outbox: a year of notification messages, mostly sent, a few failed or on the call list.

Recipients are drawn by how active they are, like the sign-ups, so the busiest people have
the longest message history, and each message has its own event key.
"""

from bisect import bisect_left
from datetime import timedelta

from django.apps import apps

from .helpers import Seeder, has_model, pick


class OutboxSeeder(Seeder):
    def seed_messages(self):
        if not has_model("notifications", "Message"):
            return
        Message = apps.get_model("notifications", "Message")
        from notifications.kinds import KIND_CATEGORIES

        rng = self.rng
        kinds = [
            ("signup_confirmed", 30), ("reminder_two_days", 20), ("reminder_on_the_day", 15),
            ("claim_approved", 8), ("claim_paid", 8), ("we_said_we_did", 6),
            ("new_opportunity_alert", 5), ("outcome_survey", 5), ("waiting_list_joined", 3),
        ]  # fmt: skip
        subjects = {
            "signup_confirmed": "You have a place",
            "reminder_two_days": "Reminder: your session is in two days",
            "reminder_on_the_day": "Reminder: your session is today",
            "claim_approved": "Your claim has been approved",
            "claim_paid": "Your claim has been paid",
            "we_said_we_did": "We said, we did: an update",
            "new_opportunity_alert": "A new opportunity you may like",
            "outcome_survey": "How did it go?",
            "waiting_list_joined": "You are on the waiting list",
        }
        rows = []
        for n in range(self.target["messages"]):
            kind = pick(rng, kinds)
            recipient = self.active_order[
                min(
                    bisect_left(self.activity_weights, rng.random() * self.activity_weights[-1]),
                    len(self.active_order) - 1,
                )
            ]
            created = self.now - timedelta(days=rng.uniform(0, 365))
            status = pick(
                rng, [("sent", 90), ("failed", 2), ("skipped", 3), ("call_list", 3), ("called", 2)]
            )
            channel = {"call_list": "call_list", "called": "call_list"}.get(
                status, pick(rng, [("email", 90), ("sms", 10)])
            )
            rows.append(
                (
                    kind,
                    str(KIND_CATEGORIES[kind]),
                    f"large:{kind}:{n}",
                    recipient,
                    channel,
                    self.emails[recipient] if channel == "email" else "",
                    subjects[kind],
                    f"Hello,\n\n{subjects[kind]}.\n\nThe Co-production Hub team",
                    status,
                    1 if status != "call_list" else 0,
                    "The mail server refused the address." if status == "failed" else "",
                    created,
                    created,
                    created + timedelta(seconds=40) if status == "sent" else None,
                )
            )
        self._copy(
            Message,
            ["kind", "category", "event_key", "recipient_id", "channel", "to_address", "subject",
             "body_text", "status", "attempts", "last_error", "next_attempt_at", "created_at",
             "sent_at"],
            rows,
            key="outbox messages",
            label="outbox messages",
        )  # fmt: skip
