from django.core.management.base import BaseCommand
from django.db import connection, transaction

from learning import starter_guides

# Any fixed number: PostgreSQL's advisory locks are named by integers.
LOCK = 4_404_001


class Command(BaseCommand):
    help = (
        "Publish the practice guide's starter how-to guides that were never published here. "
        "Safe to run on every deployment: a guide withdrawn or deleted stays gone."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Several web containers starting at once must not publish a guide twice.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            added = starter_guides.add_missing()
        titles = ", ".join(entry.title for entry in added) or "none"
        self.stdout.write(f"Starter guides published: {titles}")
