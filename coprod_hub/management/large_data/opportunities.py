"""Opportunities and the venues they are held in.

A few projects run many opportunities and most run a handful (a Zipf-like weight over the
published projects); four fifths are in the past and the rest mostly in the next two
months. `self.opportunities` keeps an `OpportunityFacts` for each one, so the sign-ups,
claims and surveys can follow without holding every row.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.apps import apps

from ..bulk_copy import next_id
from .helpers import Seeder, local_dt, pick, zipf_cumulative
from .words import SENTENCES, TOPIC_PHRASES, TOWNS

OPPORTUNITY_PATTERNS = [
    "{kind} on {topic}",
    "Have your say on {topic}",
    "{topic}: {kind_lower} in {town}",
    "Help us improve {topic}",
    "{kind} about {topic} ({town})",
    "Tell us about {topic}",
]
# Venues' postcodes are made up, in one real postcode area as a county council's would be:
# LN (Lincoln), whose districts run from LN1 to LN13. The last two letters of a real
# postcode are never C, I, K, M, O or V.
POSTCODE_AREA = "LN"
POSTCODE_DISTRICTS = range(1, 14)
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def made_up_postcode(rng) -> str:
    """A postcode written as clean_uk_postcode writes it ("LN4 7JP"), in POSTCODE_AREA."""
    district = rng.choice(POSTCODE_DISTRICTS)
    unit = rng.choice(POSTCODE_UNIT_LETTERS) + rng.choice(POSTCODE_UNIT_LETTERS)
    return f"{POSTCODE_AREA}{district} {rng.randrange(10)}{unit}"


# Standalone opportunities (at most engagement) say why they are not co-production.
STANDALONE_REASON = "The council decides. We want to hear your views before it does."
WHO_FOR = [
    "Unpaid carers of any age.",
    "People who use home care, and their families.",
    "Anyone with lived experience of mental health services.",
    "People with a learning disability and their supporters.",
    "Older people who live alone.",
    "Autistic adults.",
    "Anyone who lives in the county.",
    "People who use direct payments or employ a personal assistant.",
]


@dataclass
class OpportunityFacts:
    """What later steps need to know about an opportunity, without keeping whole rows."""

    id: int
    project_id: int | None
    starts_at: datetime
    capacity: int
    status: str
    fee_basis: str
    pays_expenses: bool
    hours: float


class OpportunitySeeder(Seeder):
    def _seed_venues(self) -> list[tuple[int, str]]:
        Venue = apps.get_model("participation", "Venue")
        rng = self.rng
        first_id = next_id(Venue)
        count = max(5, self.target["opportunities"] // 70)
        rows = []
        kinds = ["Community Centre", "Library", "Town Hall", "Carers' Hub", "Church Hall"]
        for n in range(count):
            town = TOWNS[n % len(TOWNS)]
            rows.append(
                (
                    first_id + n,
                    f"{town} {rng.choice(kinds)} {n // len(TOWNS) + 1}",
                    f"{rng.randrange(1, 200)} High Street\n{town}",
                    made_up_postcode(rng),
                    town,
                    rng.random() < 0.8,
                    rng.random() < 0.85,
                    rng.random() < 0.7,
                    rng.random() < 0.5,
                    rng.random() < 0.3,
                    rng.random() < 0.6,
                    rng.random() < 0.7,
                )
            )
        self._copy(
            Venue,
            [
                "id",
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
            ],
            rows,
            label="venues",
        )
        return [(row[0], row[4]) for row in rows]

    def seed_opportunities(self):
        Opportunity = apps.get_model("participation", "Opportunity")
        rng = self.rng
        venues = self._seed_venues()
        published_projects = [p for p in self.projects if p[1]] or self.projects
        # A few projects run many opportunities; most run a handful.
        project_weights = zipf_cumulative(len(published_projects), 1.0, 5)
        kinds = [
            ("meeting", 15), ("workshop", 20), ("panel", 8), ("focus_group", 15),
            ("survey", 6), ("interview", 6), ("drop_in", 12), ("recruitment_panel", 4),
            ("reading_group", 8), ("other", 6),
        ]  # fmt: skip
        kind_labels = {
            "meeting": "Meeting", "workshop": "Workshop", "panel": "Panel",
            "focus_group": "Focus group", "survey": "Survey", "interview": "Interview",
            "drop_in": "Drop-in", "recruitment_panel": "Recruitment panel",
            "reading_group": "Reading group", "other": "Session",
        }  # fmt: skip
        first_id = next_id(Opportunity)
        total = self.target["opportunities"]
        rows = []
        self.opportunities: list[OpportunityFacts] = []
        for n in range(total):
            pk = first_id + n
            past = rng.random() < 0.8
            if past:
                day = self.today - timedelta(days=rng.randrange(1, 4 * 365))
            else:
                # Most future sessions are in the next two months.
                day = self.today + timedelta(days=int(rng.expovariate(1 / 45)) % 180 + 1)
            starts = local_dt(day, rng.choice([10, 10, 11, 13, 14, 18]), rng.choice([0, 30]))
            hours = rng.choice([1, 1.5, 2, 2, 3, 4, 6])
            kind = pick(rng, kinds)
            fmt = pick(rng, [("in_person", 55), ("online", 25), ("hybrid", 12), ("phone", 8)])
            venue = rng.choice(venues) if fmt in ("in_person", "hybrid") else None
            town = venue[1] if venue else rng.choice(TOWNS)
            if rng.random() < 0.85:
                project = published_projects[
                    min(
                        bisect_left(project_weights, rng.random() * project_weights[-1]),
                        len(published_projects) - 1,
                    )
                ]
            else:
                project = None
            if past:
                status = pick(rng, [("published", 60), ("closed", 37), ("cancelled", 3)])
            else:
                status = pick(
                    rng, [("published", 85), ("draft", 8), ("closed", 4), ("cancelled", 3)]
                )
            fee_basis = pick(
                rng,
                [("none", 35), ("per_hour", 30), ("half_day", 15), ("full_day", 8),
                 ("per_activity", 12)],
            )  # fmt: skip
            topic = rng.choice(TOPIC_PHRASES)
            title = rng.choice(OPPORTUNITY_PATTERNS).format(
                kind=kind_labels[kind],
                kind_lower=kind_labels[kind].lower(),
                topic=topic,
                town=town,
            )
            title = title[0].upper() + title[1:]
            created = starts - timedelta(days=rng.randrange(14, 70))
            published_at = created + timedelta(days=rng.randrange(0, 5))
            if status == "draft":
                published_at = None
            capacity = rng.choice([6, 8, 10, 12, 12, 15, 15, 20, 20, 25, 30, 40])
            rows.append(
                (
                    pk,
                    project[0] if project else None,
                    title,
                    " ".join(rng.sample(SENTENCES, 4)),
                    kind,
                    None if project and rng.random() < 0.7 else rng.choice(self.areas),
                    "" if project else pick(rng, [("individual", 1), ("service", 2)]),
                    None if project else rng.choice([3, 4, 4, 5, 5]),
                    fmt,
                    venue[0] if venue else None,
                    "We will send the joining link the day before." if not venue else "",
                    starts,
                    starts + timedelta(hours=hours),
                    capacity,
                    starts - timedelta(days=2) if rng.random() < 0.3 else None,
                    fee_basis,
                    rng.random() < 0.9,
                    rng.random() < 0.5,
                    rng.random() < 0.1,
                    rng.choice(WHO_FOR),
                    status,
                    project[5] if project else rng.choice(self.staff),
                    published_at,
                    starts - timedelta(days=3) if status == "cancelled" else None,
                    "Not enough people could come on this date." if status == "cancelled" else "",
                    created,
                    published_at or created,
                    "" if project else STANDALONE_REASON,
                )
            )
            self.opportunities.append(
                OpportunityFacts(
                    pk,
                    project[0] if project else None,
                    starts,
                    capacity,
                    status,
                    fee_basis,
                    rows[-1][16],
                    hours,
                )
            )
        self._copy(
            Opportunity,
            [
                "id",
                "project_id",
                "title",
                "description",
                "kind",
                "topic_id",
                "level",
                "step",
                "format",
                "venue_id",
                "online_details",
                "starts_at",
                "ends_at",
                "capacity",
                "signup_deadline",
                "fee_basis",
                "pays_expenses",
                "refreshments",
                "travel_arranged",
                "who_for",
                "status",
                "created_by_id",
                "published_at",
                "cancelled_at",
                "cancellation_reason",
                "created_at",
                "updated_at",
                "not_coproduction_reason",
            ],
            rows,
            key="opportunities",
            label="opportunities (search vectors filled by the trigger)",
        )
