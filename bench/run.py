"""The load benchmark: `make bench`, or `python bench/run.py --help`.

Needs PostgreSQL (DATABASE_URL), wrk (apt-get install -y wrk) and, for the page weight,
Chromium. REDIS_URL is used when set, as production would. The large data set is written
first if the database does not have it yet (about six minutes), unless --no-seed is given.

Runs the production server (gunicorn, DEBUG off, a fresh SECRET_KEY) on 127.0.0.1 only,
counts SQL queries per page in-process against the same database, loads every page with
wrk, weighs two pages in Chromium on a simulated phone, and writes bench/results.md.
"""

import argparse
import os
import subprocess  # noqa: S404 - manage.py with fixed arguments
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import LoadToolMissing, wrk_path  # noqa: E402
from bench.server import collectstatic, production_env  # noqa: E402

PAGES = ["hello", "hello_signed_in", "directory", "opportunity", "projects", "project", "guide",
         "review", "insight", "sign_up"]  # fmt: skip


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per page (10)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up (2)")
    parser.add_argument(
        "--paired-hello",
        type=float,
        default=5,
        help="seconds of hello measured just before each page, for its ratio (5; 0: none)",
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--pages", nargs="+", choices=PAGES, help="only these pages")
    parser.add_argument("--no-page-weight", action="store_true", help="skip Chromium")
    parser.add_argument(
        "--no-seed", action="store_true", help="stop if the large data set is missing"
    )
    parser.add_argument(
        "--size", type=float, default=1.0, help="size of the data set to write if missing (1)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 if any target is missed"
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results.md", help="Markdown file"
    )
    return parser.parse_args(argv)


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def main(argv=None) -> int:
    args = parse(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print(
            "The benchmark needs PostgreSQL. Set DATABASE_URL, for example:\n"
            "  createdb -h 127.0.0.1 -U postgres hub_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub_bench make bench",
            file=sys.stderr,
        )
        return 2
    try:
        wrk_path()
    except LoadToolMissing as error:
        print(error, file=sys.stderr)
        return 2
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        print("REDIS_URL is not set: the server will use a local-memory cache.")

    env = production_env(database_url=database_url, redis_url=redis_url)
    # The in-process query counts use exactly the server's settings (and SECRET_KEY, which
    # signs the sessions the benchmark makes).
    os.environ.update(env)
    manage(env, "migrate", "--noinput", "-v", "0")

    import django

    django.setup()
    from coprod_hub.management.large_data import LargeData

    if not LargeData.already_seeded():
        if args.no_seed:
            print("The large data set is missing: run `manage.py seed_demo --scale large`.")
            return 2
        print("Writing the large data set first (a few minutes)...")
        manage(env, "seed_demo")
        manage(env, "seed_large", "--size", str(args.size))
    print("Collecting static files (as the Dockerfile does)...")
    collectstatic(env)

    from bench.runner import Options, run

    outcome = run(
        env=env,
        options=Options(
            duration=args.duration,
            warmup=args.warmup,
            paired_hello=args.paired_hello,
            connections=args.connections,
            threads=args.threads,
            workers=args.workers,
            page_weight=not args.no_page_weight,
            include=args.pages,
            output=args.output,
        ),
    )
    print()
    print(outcome.markdown)
    missed = outcome.missed_targets()
    if missed:
        print("Targets missed: " + "; ".join(missed))
        return 1 if args.check else 0
    print("Every target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
