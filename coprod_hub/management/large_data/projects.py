"""Projects: service areas, projects, their teams, step history and "we said, we did" updates.

Projects are spread over four years and the service areas, with the step each one claims
and the step it evidences. `self.projects` keeps one tuple per project, (id, published, level,
claimed, evidenced, owner, has_step), for the opportunities, the practice guide and the
"We" ratings that follow. Profiles' service-area interests are written here too, because
they need the service areas.
"""

from datetime import timedelta

from django.apps import apps
from django.utils.text import slugify

from ..bulk_copy import next_id
from .helpers import Seeder, has_model, local_dt, pick
from .words import SENTENCES, TOPIC_PHRASES, TOWNS

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
PROJECT_VERBS = [
    "Redesigning", "Improving", "Reviewing", "Co-producing", "Rethinking", "Shaping",
    "Planning", "Testing", "Listening about", "Evaluating",
]  # fmt: skip


class ProjectSeeder(Seeder):
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
        if has_model("participation", "Profile"):
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
        if not has_model("projects", "StepChange"):
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
        if not has_model("projects", "Update"):
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
