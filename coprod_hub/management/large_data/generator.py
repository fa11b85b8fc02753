"""`LargeData`: the sizes asked for, and the run that writes every part in order.

`LargeData` puts the parts together (people, projects, opportunities, sign-ups, claims, the
practice guide, the outbox and outcomes). `run` writes them in that order inside one
transaction, because later parts draw on what earlier ones left and every random draw
comes from one generator: the same seed and size give the same data only in this order.
"""

import random
import time

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from ..bulk_copy import foreign_keys_checked_at_end
from .claims import ClaimSeeder
from .guide import GuideSeeder
from .opportunities import OpportunitySeeder
from .outbox import OutboxSeeder
from .outcomes import OutcomeSeeder
from .people import PeopleSeeder
from .projects import ProjectSeeder
from .signups import SignUpSeeder
from .words import EMAIL_DOMAIN

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


class LargeData(
    PeopleSeeder,
    ProjectSeeder,
    OpportunitySeeder,
    SignUpSeeder,
    ClaimSeeder,
    GuideSeeder,
    OutboxSeeder,
    OutcomeSeeder,
):
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

    # --- afterwards ------------------------------------------------------------------------------

    def analyse(self):
        """Fresh statistics and visibility maps, as autovacuum would give a live database."""
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (a test may hold one): ANALYZE can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
