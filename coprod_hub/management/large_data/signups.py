"""Sign-ups: who booked, waited, was offered a place or cancelled, and who came.

Each opportunity that is not a draft fills to between 0.3 and 1.3 times its capacity,
scaled so the total is the number asked for, with people drawn by how active they are.
Past sessions get attendance; `self.attended` keeps an `AttendedSignUp` for each person who
came, because only they can claim payment or be asked how it went.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

from ..bulk_copy import next_id
from .helpers import Seeder, pick, weighted_distinct
from .opportunities import OpportunityFacts


@dataclass
class AttendedSignUp:
    id: int
    resident_id: int
    opportunity: OpportunityFacts
    booked_at: datetime


class SignUpSeeder(Seeder):
    def seed_signups(self):
        SignUp = apps.get_model("participation", "SignUp")
        rng = self.rng
        open_ones = [o for o in self.opportunities if o.status != "draft"]
        # How full each one got, then scaled so the total is what was asked for.
        wanted = [o.capacity * rng.uniform(0.3, 1.3) for o in open_ones]
        scale = self.target["signups"] / max(sum(wanted), 1)
        first_id = next_id(SignUp)
        next_pk = first_id
        self.attended: list[AttendedSignUp] = []
        rows = []
        for opportunity, share in zip(open_ones, wanted, strict=True):
            count = max(0, round(share * scale))
            people = weighted_distinct(rng, self.active_order, self.activity_weights, count)
            past = opportunity.starts_at < self.now
            held = 0
            for position, resident in enumerate(people):
                booked_at = opportunity.starts_at - timedelta(
                    days=rng.uniform(1, 40), minutes=position
                )
                booked_at = min(booked_at, self.now - timedelta(minutes=1))
                status, attendance, waiting_since, offer_expires = "booked", "", None, None
                if opportunity.status == "cancelled" or rng.random() < 0.07:
                    status = "cancelled"
                elif held >= opportunity.capacity:
                    status, waiting_since = "waiting", booked_at
                elif not past and rng.random() < 0.02:
                    status = "offered"
                    offer_expires = self.now + timedelta(hours=rng.randrange(2, 48))
                    held += 1
                else:
                    held += 1
                if past and status == "booked":
                    attendance = pick(
                        rng, [("attended", 80), ("apologies", 8), ("no_show", 7), ("", 5)]
                    )
                rows.append(
                    (
                        next_pk,
                        opportunity.id,
                        resident,
                        status,
                        waiting_since,
                        offer_expires,
                        "Please can I sit near the door." if rng.random() < 0.05 else "",
                        attendance,
                        opportunity.starts_at + timedelta(hours=opportunity.hours + 2)
                        if attendance
                        else None,
                        booked_at,
                        booked_at,
                        booked_at,
                    )
                )
                if attendance == "attended":
                    self.attended.append(AttendedSignUp(next_pk, resident, opportunity, booked_at))
                next_pk += 1
        self._copy(
            SignUp,
            [
                "id",
                "opportunity_id",
                "resident_id",
                "status",
                "waiting_since",
                "offer_expires_at",
                "access_needs_note",
                "attendance",
                "attendance_recorded_at",
                "status_changed_at",
                "created_at",
                "updated_at",
            ],
            rows,
            key="signups",
            label="sign-ups",
        )
