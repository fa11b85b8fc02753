"""People: residents, staff, commissioners and moderators, with roles, addresses and profiles.

Writes the users with an unusable password, their role groups, a confirmed email address
each and a participation profile for most residents. It also ranks the residents by how
active they will be (a Zipf-like curve over a shuffled order), which the sign-ups and the
outbox draw from, so that a few people take part very often and most rarely.
"""

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group

from ..bulk_copy import next_id
from .helpers import Seeder, has_model, pick, zipf_cumulative
from .words import EMAIL_DOMAIN

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


class PeopleSeeder(Seeder):
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
        if not has_model("participation", "Profile"):
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
