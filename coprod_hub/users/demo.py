"""Demo people: one of each role, with logins printed by `seed_demo`."""

from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from coprod_hub.lib.working_days import WorkingDays

from .models import User
from .roles import Role
from .services import grant_role

# Printed by seed_demo for trying the hub locally; demo accounts are never for production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

DEMO_PEOPLE = [
    # email, name, roles, superuser
    ("resident@example.org", "Priya Shah", [Role.RESIDENT], False),
    ("carer@example.org", "Tom O'Neill", [Role.RESIDENT], False),
    ("staff@example.org", "Grace Adeyemi", [Role.STAFF], False),
    ("commissioner@example.org", "Martin Hughes", [Role.COMMISSIONER], False),
    ("moderator@example.org", "Siobhan Kelly", [Role.MODERATOR], False),
    ("admin@example.org", "Hub Administrator", [], True),
]


# The demo's story starts well over a year ago (the oldest project was set up about 16
# months before seeding), so its people joined before that: a person who "joined today"
# while their claims go back months reads wrongly in their data download and the admin.
JOINED_DAYS_AGO = 2 * 365


def joined_long_ago() -> datetime:
    """When the demo's people joined the hub: a working morning about two years ago."""
    working = WorkingDays()
    day = timezone.localdate() - timedelta(days=JOINED_DAYS_AGO)
    while day not in working:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def demo_user(email, name, roles=(), superuser=False):
    """Create (or find) a demo account with a confirmed email address."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "display_name": name,
            "is_superuser": superuser,
            "date_joined": joined_long_ago(),
        },
    )
    if created:
        user.is_staff = superuser
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    for role in roles:
        grant_role(user, role)
    return user


def seed(*, scale, log):
    for email, name, roles, superuser in DEMO_PEOPLE:
        demo_user(email, name, roles, superuser)


def print_logins(log):
    log(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _, roles, superuser in DEMO_PEOPLE:
        label = "admin" if superuser else ", ".join(str(r) for r in roles)
        log(f"  {email:<28} {label}")
