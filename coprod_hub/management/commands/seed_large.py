from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from coprod_hub.management.large_data import BASE_COUNTS, LargeData


class Command(BaseCommand):
    help = (
        "Write the large data set for load testing (PostgreSQL only): "
        + ", ".join(f"{count:,} {name}" for name, count in BASE_COUNTS.items())
        + ". Does nothing if it is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            type=float,
            default=1.0,
            help="Scale every count by this factor, e.g. 0.01 for a quick small version.",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed (the same seed, the same data)."
        )

    def handle(self, *args, size, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The large data set needs PostgreSQL: it loads millions of rows with COPY and "
                "SQLite would take hours. Set DATABASE_URL, for example "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench"
            )
        if size <= 0:
            raise CommandError("--size must be more than 0")
        if LargeData.already_seeded():
            self.stdout.write("The large data set is already there: nothing to do.")
            return
        written = LargeData(size=size, seed=seed, log=self.stdout.write).run()
        summary = ", ".join(f"{count:,} {name}" for name, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Large data set ready: {summary}."))
