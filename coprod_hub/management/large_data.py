"""A large, believable data set for load testing: a big county's hub after four years.

`python manage.py seed_large` (or `seed_demo --scale large`) writes, at size 1:
100,000 people, 2,000 projects, 20,000 opportunities, 300,000 sign-ups, 100,000 claims with
1,000,000 ledger entries, 20,000 practice-guide entries and 50,000 outbox messages.

The shape matters as much as the size, because it decides which queries are slow:
- Most people take part rarely and a few take part very often (a Zipf-like curve: the most
  active person has a few hundred sign-ups, the median participant one or two, and about a
  third of accounts never sign up at all).
- A few projects run many opportunities; most run a handful.
- Four fifths of opportunities are in the past; the rest are in the next six months.
- Claims follow the real life cycle: drafts, sent, returned, rejected, approved, paid in
  weekly payment runs, and the ledger holds what the payments services would have written
  (approval, corrections that reverse and replace, payment). To reach the ledger size asked
  for, more claims have corrections than a real hub would see: a pessimistic ledger.

Everything is written with COPY (see bulk_copy.py) inside one transaction, so a failed run
leaves nothing behind, then the tables are analysed so the planner sees the new sizes.
Runs only on PostgreSQL. The people's addresses end in @large.example.org; their presence
means the data is already there, and the seeder stops.
"""

import random
import time
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from .bulk_copy import copy_rows, foreign_keys_checked_at_end, next_id

EMAIL_DOMAIN = "large.example.org"
LONDON = ZoneInfo("Europe/London")

BASE_COUNTS = {
    "users": 100_000,
    "projects": 2_000,
    "opportunities": 20_000,
    "signups": 300_000,
    "claims": 100_000,
    "ledger": 1_000_000,
    "guide": 20_000,
    "messages": 50_000,
}
# Below these the relationships stop making sense (someone must own a project, etc.).
MINIMUM_COUNTS = {
    "users": 60,
    "projects": 4,
    "opportunities": 40,
    "signups": 80,
    "claims": 10,
    "ledger": 20,
    "guide": 10,
    "messages": 20,
}

# Words the benchmark searches for. They appear in many titles, as real searches would.
OPPORTUNITY_SEARCH_WORD = "carers"
GUIDE_SEARCH_WORD = "transport"  # in "community transport" and in lessons

TOWNS = [
    "Northtown", "Southbridge", "Eastmoor", "Westfield", "Kingsford", "Ashby", "Brookvale",
    "Castleton", "Dunmore", "Elmstead", "Fairhaven", "Greywell", "Hollins", "Ironbridge",
    "Larkhill", "Millbrook", "Newholme", "Oakworth", "Pennington", "Riverside",
]  # fmt: skip
FIRST_NAMES = (
    "Aisha Alan Amir Ann Barbara Ben Bilal Carol Chloe Colin Dawn Deepa Derek Eileen Emma "
    "Fatima Frank Gary Gemma Grace Hannah Harry Ian Imran Jack Janet Jean John Joyce Karen "
    "Kofi Lee Leon Linda Mandy Margaret Mark Mary Michael Mohammed Nadia Neil Olivia Pam "
    "Patrick Paul Priya Rachel Raj Rose Ruth Sally Sam Sandra Sean Shirley Simon Sophie "
    "Stephen Sue Tariq Terry Tom Tracy Val Wendy Yusuf Zara"
).split()
LAST_NAMES = (
    "Ahmed Ali Allen Baker Begum Bell Brown Campbell Clarke Cooper Davies Edwards Evans Green "
    "Hall Harris Hughes Hussain Jackson James Johnson Jones Kaur Khan Kelly King Lewis Martin "
    "Mitchell Moore Morgan Morris Murphy Nolan Obi Okafor Patel Phillips Roberts Robinson "
    "Scott Shah Singh Smith Taylor Thomas Thompson Turner Walker Ward Watson White Williams "
    "Wilson Wood Wright Young"
).split()
SERVICE_AREAS = [
    ("Carers", "carers"),
    ("Dementia", "dementia"),
    ("Learning disability", "learning-disability"),
    ("Autism", "autism"),
    ("Mental health", "mental-health"),
    ("Physical disability", "physical-disability"),
    ("Older people", "older-people"),
    ("Home care", "home-care"),
    ("Transport", "transport"),
    ("Housing and care", "housing-and-care"),
    ("Direct payments", "direct-payments"),
    ("Hospital discharge", "hospital-discharge"),
]
# Topic phrases that titles are built from; "carers" is the benchmark's search word.
TOPIC_PHRASES = [
    "carers' breaks", "support for unpaid carers", "young carers", "carers' assessments",
    "dementia cafés", "memory services", "day opportunities", "supported living",
    "autism diagnosis", "mental health crisis support", "wheelchair services",
    "home care visits", "community transport", "accessible buses", "extra care housing",
    "direct payments", "personal assistants", "hospital discharge", "loneliness",
    "digital skills", "short breaks", "easy read letters", "adult safeguarding",
    "the carers' strategy", "respite for carers", "the local offer",
]  # fmt: skip
PROJECT_VERBS = [
    "Redesigning", "Improving", "Reviewing", "Co-producing", "Rethinking", "Shaping",
    "Planning", "Testing", "Listening about", "Evaluating",
]  # fmt: skip
OPPORTUNITY_PATTERNS = [
    "{kind} on {topic}",
    "Have your say on {topic}",
    "{topic}: {kind_lower} in {town}",
    "Help us improve {topic}",
    "{kind} about {topic} ({town})",
    "Tell us about {topic}",
]
SENTENCES = [
    "We want to hear from people who use these services and from the people who care for them.",
    "You do not need any experience. Come as you are and bring a friend if that helps.",
    "We will explain what the council already knows, then ask what matters most to you.",
    "What you tell us will shape the plan we take to the care and health board.",
    "There will be breaks, and you can leave at any time.",
    "Staff from the council and the voluntary sector will be there to listen.",
    "We will write back to everyone who came to say what we did with their ideas.",
    "Easy read papers are sent a week before. Ask us for large print or audio.",
    "We pay for your time and your travel, and we can pay for someone to cover your care.",
    "The session is led by people who draw on care and support themselves.",
    "We will look at real letters and forms and make them clearer together.",
    "Your experience of getting help, good or bad, is what we need.",
]
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
EXPENSES = [
    # category, share, low pence, high pence
    ("public_transport", 40, 250, 1200),
    ("mileage", 25, 0, 0),
    ("parking", 12, 200, 800),
    ("taxi", 6, 800, 3500),
    ("meals", 8, 400, 1200),
    ("care_cover", 5, 2500, 7500),
    ("childcare", 2, 1500, 4500),
    ("phone_data", 2, 200, 800),
]
FEE_PENCE = {"per_hour": 2000, "half_day": 5000, "full_day": 10000, "per_activity": 2500}


def zipf_cumulative(n: int, exponent: float, offset: float) -> list[float]:
    """Cumulative weights for rank 0..n-1: weight 1/(rank + offset)^exponent.

    The offset flattens the very top so nobody has thousands of sign-ups."""
    return list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


def weighted_distinct(rng, population, cumulative, k):
    """k different members, drawn by weight."""
    k = min(k, len(population))
    chosen = {}
    total = cumulative[-1]
    while len(chosen) < k:
        index = bisect_left(cumulative, rng.random() * total)
        member = population[min(index, len(population) - 1)]
        chosen[member] = True
    return list(chosen)


def pick(rng, weighted):
    """One value from [(value, weight), ...]."""
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def local_dt(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


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


@dataclass
class AttendedSignUp:
    id: int
    resident_id: int
    opportunity: OpportunityFacts
    booked_at: datetime


@dataclass
class Seeded:
    counts: dict = field(default_factory=dict)


class LargeData:
    def __init__(self, *, size: float = 1.0, log=print, seed: int = 2026):
        if size <= 0:
            raise ValueError("The size must be more than 0")
        self.size = size
        self.log = log
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.target = {
            name: max(MINIMUM_COUNTS[name], round(base * size))
            for name, base in BASE_COUNTS.items()
        }
        self.written: dict[str, int] = {}
        self.profile_ids: list[int] = []

    # --- entry points ----------------------------------------------------------------

    @staticmethod
    def already_seeded() -> bool:
        User = apps.get_model("users", "User")
        return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()

    def run(self) -> dict[str, int]:
        if connection.vendor != "postgresql":
            raise RuntimeError(
                "The large data set needs PostgreSQL (it loads rows with COPY). "
                "Set DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/hub_bench"
            )
        started = time.monotonic()
        self.log(
            "Writing the large data set (size {:g}): {}".format(
                self.size, ", ".join(f"{k} {v:,}" for k, v in self.target.items())
            )
        )
        with transaction.atomic():
            with foreign_keys_checked_at_end(self.bulk_models()):
                self._step("people", self.seed_people)
                self._step("projects", self.seed_projects)
                self._step("opportunities", self.seed_opportunities)
                self._step("sign-ups", self.seed_signups)
                self._step("claims and ledger", self.seed_claims)
                self._step("practice guide", self.seed_guide)
                self._step("outbox", self.seed_messages)
                self._step("outcomes and equality answers", self.seed_insight)
                self.log("checking every foreign key...")
                checks_started = time.monotonic()
            self.log(f"checked in {time.monotonic() - checks_started:.1f} s; committing...")
            commit_started = time.monotonic()
        self.log(f"committed in {time.monotonic() - commit_started:.1f} s")
        self._step("analyse", self.analyse)
        self.log(f"Large data set written in {time.monotonic() - started:.0f} s.")
        return self.written

    @staticmethod
    def bulk_models():
        """The tables with the most rows: their foreign keys are checked once, at the end."""
        names = [
            ("users", "User_groups"),
            ("account", "EmailAddress"),
            ("participation", "Profile"),
            ("participation", "Profile_interests"),
            ("participation", "SignUp"),
            ("payments", "Claim"),
            ("payments", "ClaimLine"),
            ("payments", "ClaimEvent"),
            ("payments", "PaymentRunItem"),
            ("payments", "LedgerEntry"),
            ("learning", "Entry"),
            ("learning", "ModerationEvent"),
            ("notifications", "Message"),
            ("insight", "SurveyInvitation"),
            ("insight", "SurveyResponse"),
            ("insight", "EqualityMonitoring"),
        ]
        found = []
        for app_label, model_name in names:
            try:
                found.append(apps.get_model(app_label, model_name))
            except LookupError:
                continue
        return found

    def _step(self, name, function):
        started = time.monotonic()
        self.log(f"{name}...")
        function()
        self.log(f"{name} done in {time.monotonic() - started:.1f} s")

    def _copy(self, model, fields, rows, key=None, label=None):
        count = copy_rows(model, fields, rows, log=self.log, label=label)
        if key:
            self.written[key] = self.written.get(key, 0) + count
        return count

    # --- people ------------------------------------------------------------------------

    def seed_people(self):
        from allauth.account.models import EmailAddress

        from coprod_hub.users.roles import Role

        User = apps.get_model("users", "User")
        total = self.target["users"]
        staff_count = max(3, total // 400)
        commissioner_count = max(1, total // 4000)
        moderator_count = max(1, total // 10000)
        resident_count = total - staff_count - commissioner_count - moderator_count
        groups = {role: Group.objects.get_or_create(name=str(role))[0].pk for role in Role}
        first_id = next_id(User)
        rng = self.rng
        people = []  # (id, email, name, role)
        for n in range(total):
            if n < resident_count:
                role, email = Role.RESIDENT, f"person{n + 1:06d}@{EMAIL_DOMAIN}"
            elif n < resident_count + staff_count:
                role, email = Role.STAFF, f"staff{n - resident_count + 1:04d}@{EMAIL_DOMAIN}"
            elif n < resident_count + staff_count + commissioner_count:
                role = Role.COMMISSIONER
                email = f"commissioner{n - resident_count - staff_count + 1:03d}@{EMAIL_DOMAIN}"
            else:
                role = Role.MODERATOR
                email = f"moderator{total - n:03d}@{EMAIL_DOMAIN}"
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            people.append((first_id + n, email, name, role))
        four_years = 4 * 365 * 24 * 3600
        # An unusable password ("!" prefix): these people sign in only in the benchmark,
        # which makes sessions directly. Hashing 100,000 real passwords would take an hour.
        self._copy(
            User,
            ["id", "email", "display_name", "password", "date_joined", "is_active", "is_staff"],
            (
                (
                    pk,
                    email,
                    name,
                    f"!{rng.getrandbits(128):032x}",
                    self.now - timedelta(seconds=rng.randrange(four_years)),
                    True,
                    False,
                )
                for pk, email, name, _ in people
            ),
            key="users",
            label="people",
        )
        self._copy(
            User.groups.through,
            ["user_id", "group_id"],
            ((pk, groups[role]) for pk, _, _, role in people),
            label="roles",
        )
        self._copy(
            EmailAddress,
            ["user_id", "email", "verified", "primary"],
            ((pk, email, True, True) for pk, email, _, _ in people),
            label="confirmed email addresses",
        )
        self.residents = [pk for pk, _, _, role in people if role == Role.RESIDENT]
        self.staff = [pk for pk, _, _, role in people if role == Role.STAFF]
        self.commissioners = [pk for pk, _, _, role in people if role == Role.COMMISSIONER]
        self.names = {pk: name for pk, _, name, _ in people}
        self.emails = {pk: email for pk, email, _, _ in people}
        # Most people take part rarely, a few often: residents are ranked by how active they
        # are (the order is shuffled so ids say nothing about it).
        self.active_order = list(self.residents)
        rng.shuffle(self.active_order)
        self.activity_weights = zipf_cumulative(len(self.active_order), 0.8, 80)
        self._seed_profiles()

    def _seed_profiles(self):
        if not _has_model("participation", "Profile"):
            return
        Profile = apps.get_model("participation", "Profile")
        rng = self.rng
        with_profile = [pk for pk in self.residents if rng.random() < 0.6]
        first_id = next_id(Profile)
        levels = ["individual", "service", "strategic"]
        formats = ["in_person", "online", "phone", "hybrid"]
        rows = []
        for offset, user_id in enumerate(with_profile):
            consent = rng.random() < 0.25
            rows.append(
                (
                    first_id + offset,
                    user_id,
                    rng.sample(levels, rng.randint(0, 2)),
                    rng.sample(formats, rng.randint(0, 2)),
                    "I use a wheelchair and need step-free access." if consent else "",
                    self.now - timedelta(days=rng.randrange(1, 900)) if consent else None,
                    pick(rng, [("email", 80), ("text", 12), ("post_or_phone", 8)]),
                    pick(rng, [("off", 60), ("weekly", 30), ("immediately", 10)]),
                )
            )
        self._copy(
            Profile,
            [
                "id",
                "user_id",
                "preferred_levels",
                "preferred_formats",
                "access_needs",
                "access_needs_consent_at",
                "contact_by",
                "alert_frequency",
            ],
            rows,
            key="profiles",
            label="profiles",
        )
        self.profile_ids = [row[0] for row in rows]

    # --- projects ----------------------------------------------------------------------

    def _service_areas(self) -> list[int]:
        ServiceArea = apps.get_model("projects", "ServiceArea")
        for name, slug in SERVICE_AREAS:
            if not ServiceArea.objects.filter(slug=slug).exists():
                ServiceArea.objects.get_or_create(name=name, defaults={"slug": slug})
        return list(ServiceArea.objects.order_by("pk").values_list("pk", flat=True))

    def seed_projects(self):
        Project = apps.get_model("projects", "Project")
        rng = self.rng
        self.areas = self._service_areas()
        if _has_model("participation", "Profile"):
            Profile = apps.get_model("participation", "Profile")
            self._copy(
                Profile.interests.through,
                ["profile_id", "servicearea_id"],
                (
                    (profile_id, area)
                    for profile_id in self.profile_ids
                    for area in rng.sample(self.areas, rng.randint(0, 3))
                ),
                label="interests",
            )
        first_id = next_id(Project)
        taken = set(Project.objects.values_list("slug", flat=True))
        rows = []
        self.projects = []  # (id, published, level, claimed, evidenced, owner)
        for n in range(self.target["projects"]):
            pk = first_id + n
            topic = rng.choice(TOPIC_PHRASES)
            town = rng.choice(TOWNS)
            title = f"{rng.choice(PROJECT_VERBS)} {topic} in {town}"
            slug = f"{slugify(title)[:200]}-{pk}"
            if slug in taken:
                slug = f"{slug}-large"
            start = self.today - timedelta(days=rng.randrange(30, 4 * 365))
            status = pick(rng, [("active", 55), ("closed", 35), ("planning", 10)])
            end = start + timedelta(days=rng.randrange(90, 700)) if status == "closed" else None
            published = rng.random() < 0.9
            has_step = rng.random() < 0.85
            evidenced = pick(rng, [(3, 10), (4, 30), (5, 25), (6, 20), (7, 15)])
            claimed = min(7, evidenced + pick(rng, [(0, 75), (1, 20), (2, 5)]))
            owner = rng.choice(self.staff)
            created = local_dt(start, 9) - timedelta(days=rng.randrange(5, 60))
            recorded = created + timedelta(days=rng.randrange(1, 30))
            level = pick(rng, [("individual", 20), ("service", 55), ("strategic", 25)])
            rows.append(
                (
                    pk,
                    title,
                    slug,
                    f"{rng.choice(SENTENCES)} {rng.choice(SENTENCES)} {rng.choice(SENTENCES)}",
                    rng.choice(self.areas),
                    level,
                    rng.sample(["co_design", "co_decision", "co_delivery", "co_evaluation"], 2),
                    rng.sample(
                        ["equality", "diversity", "accessibility", "reciprocity", "honesty"], 3
                    ),
                    owner,
                    start,
                    end,
                    status,
                    published,
                    rng.randrange(5, 400) * 10_000 if rng.random() < 0.6 else None,
                    self.names[owner],
                    self.emails[owner],
                    claimed if has_step else None,
                    evidenced if has_step else None,
                    recorded if has_step else None,
                    created,
                    recorded,
                )
            )
            self.projects.append((pk, published, level, claimed, evidenced, owner, has_step))
        self._copy(
            Project,
            [
                "id",
                "title",
                "slug",
                "summary",
                "service_area_id",
                "level",
                "activity_types",
                "principles",
                "owner_id",
                "start_date",
                "end_date",
                "status",
                "is_published",
                "budget_pence",
                "contact_name",
                "contact_email",
                "claimed_step",
                "evidenced_step",
                "step_recorded_at",
                "created_at",
                "updated_at",
            ],
            rows,
            key="projects",
            label="projects",
        )
        self._copy(
            Project.team.through,
            ["project_id", "user_id"],
            (
                (project[0], member)
                for project in self.projects
                for member in set(rng.sample(self.staff, min(len(self.staff), 3))) - {project[5]}
            ),
            label="project team members",
        )
        self._seed_step_history(rows)
        self._seed_updates()

    def _seed_step_history(self, project_rows):
        if not _has_model("projects", "StepChange"):
            return
        StepChange = apps.get_model("projects", "StepChange")
        rng = self.rng
        changes = []
        for pk, _, _, claimed, evidenced, owner, has_step in self.projects:
            if not has_step:
                continue
            when = self.now - timedelta(days=rng.randrange(10, 1000))
            if rng.random() < 0.4:
                # An earlier, lower step that later went up.
                low = max(1, evidenced - 1)
                changes.append((pk, None, None, low, low, owner, when - timedelta(days=120)))
                changes.append((pk, low, low, claimed, evidenced, owner, when))
            else:
                changes.append((pk, None, None, claimed, evidenced, owner, when))
        self._copy(
            StepChange,
            [
                "project_id",
                "from_claimed",
                "from_evidenced",
                "to_claimed",
                "to_evidenced",
                "changed_by_id",
                "changed_at",
            ],
            changes,
            label="step history",
        )

    def _seed_updates(self):
        if not _has_model("projects", "Update"):
            return
        Update = apps.get_model("projects", "Update")
        rng = self.rng
        rows = []
        for pk, _, _, _, _, owner, _ in self.projects:
            for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 8])):
                rows.append(
                    (
                        pk,
                        "People told us the letters were hard to follow and arrived too late.",
                        "We rewrote the letters with the group and now send them two weeks "
                        "before any change.",
                        rng.choice(["", "We will check with the group in three months."]),
                        owner,
                        self.now - timedelta(days=rng.randrange(1, 1200)),
                    )
                )
        self._copy(
            Update,
            ["project_id", "said", "did", "next_steps", "posted_by_id", "posted_at"],
            rows,
            key="project updates",
            label="we said, we did updates",
        )

    # --- opportunities -------------------------------------------------------------------

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
                    f"AN{rng.randrange(1, 30)} {rng.randrange(1, 9)}XY",
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
                    None if project else rng.choice([3, 4, 4, 5, 5, 6, 7]),
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
            ],
            rows,
            key="opportunities",
            label="opportunities (search vectors filled by the trigger)",
        )

    # --- sign-ups ------------------------------------------------------------------------

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

    # --- claims, payment runs and the ledger ------------------------------------------------

    def seed_claims(self):
        if not _has_model("payments", "LedgerEntry"):
            self.log("  the payments app has no ledger yet: skipped")
            return
        from payments.taxyear import tax_year_for

        models = {
            name: apps.get_model("payments", name)
            for name in ("Claim", "ClaimLine", "ClaimEvent", "PaymentRun", "PaymentRunItem",
                         "LedgerEntry")
        }  # fmt: skip
        rng = self.rng
        claimable = [
            a
            for a in self.attended
            if a.opportunity.fee_basis != "none" or a.opportunity.pays_expenses
        ]
        rng.shuffle(claimable)
        claimable = claimable[: self.target["claims"]]
        claimable.sort(key=lambda a: a.opportunity.starts_at)
        if len(claimable) < self.target["claims"]:
            self.log(f"  only {len(claimable):,} attended sessions pay anything: that many claims")
        commissioners = self.commissioners or self.staff

        claim_id = next_id(models["Claim"])
        run_id = next_id(models["PaymentRun"])
        entry_id = next_id(models["LedgerEntry"])
        claims, lines, events, items, entries = [], [], [], [], []
        runs: dict[date, list] = {}  # paid on -> [run id, claim count, total pence]

        plans = []
        for attended in claimable:
            plans.append(self._claim_plan(attended, rng))
        # Corrections to reach the ledger size asked for (see the module docstring).
        base_entries = sum(plan["base_entries"] for plan in plans)
        correctable = [p for p in plans if p["status"] in ("approved", "paid")]
        spare = self.target["ledger"] - base_entries
        while spare > 0 and correctable:
            plan = rng.choice(correctable)
            plan["corrections"] += 1
            spare -= 2 * plan["components"]

        def entry(who, kind, account, component, amount, on, at, run_pk=None, reverses=None,
                  note=""):  # fmt: skip
            """Append one ledger row as the payments services would write it; return its id."""
            nonlocal entry_id
            claim_pk, person, project, author = who
            entries.append(
                (entry_id, kind, account, component, amount, claim_pk, person, project, run_pk,
                 reverses, on, tax_year_for(on), note, author, at)
            )  # fmt: skip
            entry_id += 1
            return entry_id - 1

        for plan in plans:
            attended = plan["attended"]
            opportunity = attended.opportunity
            pk = claim_id
            claim_id += 1
            claimant = attended.resident_id
            activity = timezone.localdate(opportunity.starts_at)
            started_by = claimant if rng.random() < 0.93 else rng.choice(self.staff)
            created = opportunity.starts_at + timedelta(days=rng.uniform(0.2, 10))
            status = plan["status"]
            fee, expenses = plan["fee"], plan["expenses"]
            submitted = created + timedelta(days=rng.uniform(0, 3)) if status != "draft" else None
            decided = (
                submitted + timedelta(days=rng.uniform(1, 12))
                if status in ("approved", "paid", "returned", "rejected")
                else None
            )
            decided = min(decided, self.now) if decided else None
            decider = rng.choice(commissioners) if decided else None
            paid_on = None
            if status == "paid":
                paid_on = timezone.localdate(decided) + timedelta(days=rng.randrange(3, 25))
                paid_on += timedelta(days=(4 - paid_on.weekday()) % 7)  # runs go on Fridays
                if paid_on > self.today:
                    paid_on = self.today - timedelta(days=(self.today.weekday() - 4) % 7)
                paid_on = max(paid_on, timezone.localdate(decided))
            run = None
            if paid_on:
                if paid_on not in runs:
                    runs[paid_on] = [run_id, 0, 0]
                    run_id += 1
                run = runs[paid_on]

            # The fee line and expense lines, as the claim form writes them.
            if fee:
                lines.append((pk, "fee", opportunity.fee_basis, plan["hours"], "", "", None,
                              FEE_PENCE[opportunity.fee_basis], fee, created))  # fmt: skip
            for category, amount, miles in plan["expense_lines"]:
                lines.append((pk, "expense", "", None, category, "", miles,
                               45 if miles else None, amount, created))  # fmt: skip

            # The history people see on the claim.
            events.append((pk, started_by, "", "draft", "", started_by != claimant, created))
            if submitted:
                events.append(
                    (pk, started_by, "draft", "submitted", "", started_by != claimant, submitted)
                )
            if status in ("returned", "rejected"):
                events.append((pk, decider, "submitted", status, plan["reason"], False, decided))

            approved_fee, approved_expenses = (None, None)
            who = (pk, claimant, opportunity.project_id, decider)

            if status in ("approved", "paid"):
                events.append((pk, decider, "submitted", "approved", "", False, decided))
                on = timezone.localdate(decided)
                live = [
                    (
                        entry(who, "approval", "owed", component, amount, on, decided),
                        component,
                        amount,
                    )  # fmt: skip
                    for component, amount in (("fee", fee), ("expenses", expenses))
                    if amount
                ]
                when = decided
                for _ in range(plan["corrections"]):
                    when += timedelta(hours=rng.uniform(1, 30))
                    on = timezone.localdate(when)
                    note = "Bus fare was less than claimed; receipt checked."
                    for original, component, amount in live:
                        entry(who, "reversal", "owed", component, -amount, on, when,
                              reverses=original, note=note)  # fmt: skip
                    live = [
                        (
                            entry(
                                who, "correction", "owed", component, changed, on, when, note=note
                            ),
                            component,
                            changed,
                        )  # fmt: skip
                        for _, component, amount in live
                        for changed in [max(1, amount + rng.choice([-150, -100, -50, 50, 100]))]
                    ]
                    events.append(
                        (pk, decider, "approved", "approved", f"Amount changed: {note}", False,
                         when)
                    )  # fmt: skip
                approved_fee = sum(a for _, c, a in live if c == "fee")
                approved_expenses = sum(a for _, c, a in live if c == "expenses")
            if status == "paid":
                paid_at = local_dt(paid_on, 15)
                for _, component, amount in live:
                    entry(who, "payment", "owed", component, -amount, paid_on, paid_at, run[0])
                    entry(who, "payment", "paid", component, amount, paid_on, paid_at, run[0])
                items.append((run[0], pk, approved_fee, approved_expenses))
                run[1] += 1
                run[2] += approved_fee + approved_expenses
                events.append((pk, decider, "approved", "paid", "", False, paid_at))
            days_to_pay = (
                max((paid_on - timezone.localdate(submitted)).days, 0) if paid_on else None
            )
            claims.append(
                (pk, claimant, attended.id, opportunity.id, opportunity.project_id, activity,
                 status, plan["method"], False, True,
                 submitted if submitted else None, started_by, started_by if submitted else None,
                 fee, expenses, approved_fee, approved_expenses, plan["reason"], submitted,
                 decided, decider, paid_on, days_to_pay, run[0] if run else None, created,
                 decided or submitted or created, submitted)
            )  # fmt: skip

        run_rows = [
            (pk, "paid", rng.choice(commissioners), local_dt(paid_on, 10) - timedelta(days=2),
             count, total, paid_on, rng.choice(commissioners), local_dt(paid_on, 15))
            for paid_on, (pk, count, total) in runs.items()
        ]  # fmt: skip
        self._copy(
            models["PaymentRun"],
            ["id", "status", "created_by_id", "created_at", "claim_count", "total_pence",
             "paid_on", "confirmed_by_id", "confirmed_at"],
            run_rows,
            key="payment runs",
            label="payment runs",
        )  # fmt: skip
        self._copy(
            models["Claim"],
            ["id", "claimant_id", "signup_id", "opportunity_id", "project_id", "activity_date",
             "status", "payment_method", "employed_by_partner", "not_part_of_paid_job",
             "benefits_acknowledged_at", "started_by_id", "submitted_by_id", "fee_pence",
             "expenses_pence", "approved_fee_pence", "approved_expenses_pence", "reason",
             "submitted_at", "decided_at", "decided_by_id", "paid_on", "days_to_pay",
             "payment_run_id", "created_at", "updated_at", "first_submitted_at"],
            claims,
            key="claims",
            label="claims",
        )  # fmt: skip
        self._copy(
            models["ClaimLine"],
            ["claim_id", "kind", "fee_basis", "hours", "category", "description", "miles",
             "rate_pence", "amount_pence", "created_at"],
            lines,
            key="claim lines",
            label="claim lines",
        )  # fmt: skip
        self._copy(
            models["ClaimEvent"],
            ["claim_id", "actor_id", "from_status", "to_status", "note", "on_behalf",
             "created_at"],
            events,
            key="claim events",
            label="claim history events",
        )  # fmt: skip
        self._copy(
            models["PaymentRunItem"],
            ["run_id", "claim_id", "fee_pence", "expenses_pence"],
            items,
            label="payment run items",
        )
        self._copy(
            models["LedgerEntry"],
            ["id", "kind", "account", "component", "amount_pence", "claim_id", "person_id",
             "project_id", "payment_run_id", "reverses_id", "effective_on", "tax_year", "note",
             "created_by_id", "created_at"],
            entries,
            key="ledger entries",
            label="ledger entries",
        )  # fmt: skip

    def _claim_plan(self, attended, rng) -> dict:
        opportunity = attended.opportunity
        age_days = (self.now - opportunity.starts_at).days
        if age_days > 60:
            status = pick(rng, [("paid", 93), ("rejected", 2), ("draft", 3), ("returned", 2)])
        else:
            status = pick(
                rng,
                [("draft", 15), ("submitted", 35), ("approved", 25), ("paid", 20),
                 ("returned", 3), ("rejected", 2)],
            )  # fmt: skip
        method = pick(rng, [("bank_transfer", 70), ("voucher", 20), ("expenses_only", 10)])
        fee = 0
        hours = None
        if opportunity.fee_basis != "none" and method != "expenses_only":
            if opportunity.fee_basis == "per_hour":
                hours = opportunity.hours
                fee = round(FEE_PENCE["per_hour"] * hours)
            else:
                fee = FEE_PENCE[opportunity.fee_basis]
        expense_lines = []
        if opportunity.pays_expenses:
            for _ in range(pick(rng, [(0, 25), (1, 50), (2, 20), (3, 5)])):
                category = pick(rng, [(e[0], e[1]) for e in EXPENSES])
                low, high = next((e[2], e[3]) for e in EXPENSES if e[0] == category)
                if category == "mileage":
                    miles = round(rng.uniform(2, 40), 1)
                    expense_lines.append((category, round(miles * 45), miles))
                else:
                    expense_lines.append((category, rng.randrange(low, high + 1, 10), None))
        if not fee and not expense_lines:
            # Nothing to claim would not be a claim: a bus fare is the commonest expense.
            expense_lines.append(("public_transport", rng.randrange(250, 1200, 10), None))
        expenses = sum(amount for _, amount, _ in expense_lines)
        components = (1 if fee else 0) + (1 if expenses else 0)
        base = 0
        if status in ("approved", "paid"):
            base += components
        if status == "paid":
            base += 2 * components
        reason = {
            "returned": "Please add the receipt for the taxi.",
            "rejected": "This session did not pay a fee, and no travel was needed.",
        }.get(status, "")
        return {
            "attended": attended,
            "status": status,
            "method": method,
            "fee": fee,
            "hours": hours,
            "expenses": expenses,
            "expense_lines": expense_lines,
            "components": components,
            "base_entries": base,
            "corrections": 0,
            "reason": reason,
        }

    # --- the practice guide -------------------------------------------------------------------

    def seed_guide(self):
        if not _has_model("learning", "Entry"):
            self.log("  the learning app has no practice guide yet: skipped")
            return
        Entry = apps.get_model("learning", "Entry")
        ModerationEvent = apps.get_model("learning", "ModerationEvent")
        rng = self.rng
        kinds = [("lesson", 40), ("good_practice", 30), ("feedback", 20), ("how_to", 10)]
        outcomes = [("went_well", 45), ("not_well", 20), ("mixed", 30), ("not_applicable", 5)]
        topics = [
            "meetings", "accessibility", "payment", "honest_step", "wtfc", "reaching_people",
            "communication", "feedback_loop", "recruitment", "evaluation",
        ]  # fmt: skip
        principles = ["equality", "diversity", "accessibility", "reciprocity", "honesty", ""]
        lessons = [
            "Book community transport a week ahead: people could not come when we left it late.",
            "Send papers in easy read a week before, and phone people who asked for large print.",
            "Pay on the day in vouchers if people prefer; waiting a month put people off.",
            "Ask people what time suits them. Mornings clashed with care visits.",
            "Say honestly what is already decided and what people can still change.",
            "Meet in a room with a hearing loop and check it works before people arrive.",
            "Write back within a month to say what changed because of what people said.",
            "Pair new panel members with someone who has done it before.",
            "Offer taxis for people who cannot use buses, and agree them before the day.",
            "Keep sessions under two hours, with a break, and say when the break is.",
        ]
        projects = [p[0] for p in self.projects if p[1]]
        moderators = self.commissioners or self.staff
        first_id = next_id(Entry)
        rows, events = [], []
        for n in range(self.target["guide"]):
            pk = first_id + n
            topic = rng.choice(topics)
            lesson = rng.choice(lessons)
            title = f"{rng.choice(TOPIC_PHRASES).capitalize()}: {lesson.split(':')[0][:90]}"
            title = title[:150]
            status = pick(
                rng,
                [("published", 85), ("submitted", 6), ("rejected", 4), ("returned", 3),
                 ("withdrawn", 2)],
            )  # fmt: skip
            submitted = self.now - timedelta(days=rng.uniform(0, 3 * 365))
            if status == "submitted":
                submitted = self.now - timedelta(days=rng.uniform(0, 12))
            decided = (
                submitted + timedelta(days=rng.uniform(1, 6)) if status != "submitted" else None
            )
            decided = min(decided, self.now) if decided else None
            published = status in ("published", "withdrawn")
            waiting = status == "submitted"
            text = " ".join([lesson, *rng.sample(SENTENCES, 3), rng.choice(lessons)])
            rows.append(
                (pk, pick(rng, kinds), title, text, pick(rng, outcomes),
                 rng.choice(["", "individual", "service", "strategic"]),
                 rng.choice([None, 4, 5, 6, 7]), rng.choice(principles), topic,
                 rng.choice(projects) if projects and rng.random() < 0.4 else None,
                 status, f"{slugify(title)[:80]}-{pk}" if published else None,
                 f"sharer{n}@{EMAIL_DOMAIN}" if waiting and rng.random() < 0.5 else "",
                 rng.choice(self.residents) if waiting and rng.random() < 0.5 else None,
                 submitted, decided, decided if published else None,
                 self.now - timedelta(days=1) if status == "withdrawn" else None,
                 decided or submitted)
            )  # fmt: skip
            events.append((pk, "submitted", None, submitted, ""))
            if decided:
                action = "published" if published else status
                events.append((pk, action, rng.choice(moderators), decided, ""))
            if status == "withdrawn":
                events.append((pk, "withdrawn", rng.choice(moderators), self.now, "Out of date."))
        self._copy(
            Entry,
            ["id", "kind", "title", "text", "outcome", "level", "step", "principle", "topic",
             "project_id", "status", "slug", "contact_email", "submitted_by_id", "submitted_at",
             "decided_at", "published_at", "withdrawn_at", "updated_at"],
            rows,
            key="guide entries",
            label="practice guide entries (search vectors filled by the trigger)",
        )  # fmt: skip
        self._copy(
            ModerationEvent,
            ["entry_id", "action", "by_id", "at", "note"],
            events,
            label="moderation trail events",
        )

    # --- the outbox ----------------------------------------------------------------------------

    def seed_messages(self):
        if not _has_model("notifications", "Message"):
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

    # --- outcome surveys, "We" ratings and equality answers ----------------------------------

    def seed_insight(self):
        if not _has_model("insight", "SurveyResponse"):
            self.log("  the insight app has no surveys yet: skipped")
            return
        rng = self.rng
        Invitation = apps.get_model("insight", "SurveyInvitation")
        Response = apps.get_model("insight", "SurveyResponse")
        ratings = [
            f.name
            for f in Response._meta.concrete_fields
            if f.get_internal_type() == "PositiveSmallIntegerField" and f.choices
        ]
        # Everyone who came to a session in the last eighteen months was asked; about a third
        # answered, mostly agreeing.
        since = self.now - timedelta(days=548)
        invited = [a for a in self.attended if a.opportunity.starts_at >= since]
        invitations, responses = [], []
        for attended in invited:
            ended = attended.opportunity.starts_at + timedelta(hours=attended.opportunity.hours)
            invitations.append((attended.id, ended + timedelta(days=28), ended))
            if rng.random() < 0.35:
                answered = min(ended + timedelta(days=rng.uniform(0.1, 10)), self.now)
                responses.append(
                    (attended.id, attended.opportunity.id,
                     *[pick(rng, [(5, 30), (4, 40), (3, 15), (2, 7), (1, 3), (None, 5)])
                       for _ in ratings],
                     "It was well run and people listened." if rng.random() < 0.2 else "",
                     answered, answered)
                )  # fmt: skip
        self._copy(
            Invitation,
            ["signup_id", "closes_at", "created_at"],
            invitations,
            label="survey invitations",
        )
        self._copy(
            Response,
            ["signup_id", "opportunity_id", *ratings, "comment", "submitted_at", "updated_at"],
            responses,
            key="survey responses",
            label="survey responses",
        )
        self._seed_we_assessments()
        self._seed_equality()

    def _seed_we_assessments(self):
        if not _has_model("insight", "WeAssessment"):
            return
        Assessment = apps.get_model("insight", "WeAssessment")
        rng = self.rng
        ratings = [
            f.name
            for f in Assessment._meta.concrete_fields
            if f.get_internal_type() == "PositiveSmallIntegerField" and f.choices
        ]
        this_quarter = date(self.today.year, (self.today.month - 1) // 3 * 3 + 1, 1)
        rows = []
        for pk, published, _, _, _, owner, _ in self.projects:
            if not published:
                continue
            quarter = this_quarter
            for _ in range(rng.randrange(0, 9)):
                scores = [pick(rng, [(5, 25), (4, 45), (3, 20), (2, 8), (1, 2)]) for _ in ratings]
                evidence = ["Minutes of the group, and what members told us."] * len(ratings)
                when = local_dt(quarter, 12) + timedelta(days=80)
                rows.append(
                    (pk, quarter, *[v for pair in zip(scores, evidence, strict=True) for v in pair],
                     owner, min(when, self.now), min(when, self.now))
                )  # fmt: skip
                previous = quarter - timedelta(days=1)
                quarter = date(previous.year, (previous.month - 1) // 3 * 3 + 1, 1)
        fields = [name for rating in ratings for name in (rating, f"{rating}_evidence")]
        self._copy(
            Assessment,
            ["project_id", "quarter_start", *fields, "assessed_by_id", "created_at", "updated_at"],
            rows,
            key="we assessments",
            label="We statement self-assessments",
        )

    def _seed_equality(self):
        if not _has_model("insight", "EqualityMonitoring"):
            return
        Equality = apps.get_model("insight", "EqualityMonitoring")
        rng = self.rng
        questions = [
            f
            for f in Equality._meta.concrete_fields
            if f.choices and f.get_internal_type() == "CharField"
        ]
        rows = []
        for person in self.residents:
            if rng.random() < 0.35:
                rows.append(
                    (person, *[rng.choice([""] + [v for v, _ in f.choices]) for f in questions])
                )
        self._copy(
            Equality,
            ["person_id", *[f.name for f in questions]],
            rows,
            key="equality answers",
            label="equality monitoring answers",
        )

    # --- afterwards ------------------------------------------------------------------------------

    def analyse(self):
        """Fresh statistics and visibility maps, as autovacuum would give a live database."""
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test may hold one): ANALYZE can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def _has_model(app_label: str, model_name: str) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True
