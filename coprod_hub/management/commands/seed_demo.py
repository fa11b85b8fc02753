from importlib import import_module
from importlib.util import find_spec

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from coprod_hub.users.demo import print_logins

# Each app that has demo data offers `<app>.demo.seed(scale=..., log=...)`. They run in
# this order because later apps refer to earlier apps' records. Every seeder is idempotent.
SEEDERS = [
    "coprod_hub.users.demo",
    "projects.demo",
    "participation.demo",
    "payments.demo",
    "learning.demo",
    "insight.demo",
]


class Command(BaseCommand):
    help = "Create believable demo data for a fictional council. Safe to run more than once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help="small: a few of everything (default). large: the small demo, then the "
            "large load-testing data set on top (PostgreSQL only; see seed_large).",
        )

    def handle(self, *args, scale, **options):
        for module_name in SEEDERS:
            if find_spec(module_name) is None:
                continue  # that app has no demo data yet
            seeder = import_module(module_name)
            with transaction.atomic():
                # The apps always write their small, hand-made demo; volume comes from
                # seed_large below, in one place that knows how to load it fast.
                seeder.seed(scale="small", log=self.stdout.write)
        if scale == "large":
            call_command("seed_large", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        # Last, so the logins are not lost above the demo emails printed to the console.
        print_logins(self.stdout.write)
