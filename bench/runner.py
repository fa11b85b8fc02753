"""One benchmark run: count queries, start the server, load every page, weigh two pages,
write the results. Used by bench/run.py (`make bench`) and by the smoke test."""

import http.client
import os
import subprocess  # noqa: S404 - git, to name the commit measured
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench import pageweight, report
from bench.load import Request, run_wrk
from bench.pages import build_pages, end_bench_sessions, remove_bench_sign_ups
from bench.queries import count_queries
from bench.server import ROOT, Server


@dataclass
class Options:
    duration: float = 10.0
    warmup: float = 2.0
    paired_hello: float = 5.0  # seconds of hello just before each page (0: none)
    connections: int = 8
    threads: int = 1
    workers: int = 3
    page_weight: bool = True
    include: list[str] | None = None
    sign_up_residents: int = 100  # people the sign-up POSTs are spread over
    output: Path = ROOT / "bench" / "results.md"
    log: object = print


@dataclass
class Outcome:
    pages: list = field(default_factory=list)
    loads: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)
    weights: list = field(default_factory=list)
    markdown: str = ""

    def missed_targets(self) -> list[str]:
        missed = []
        for page in self.pages:
            if page.key == "hello" or page.reference:
                continue
            ok, _ = report.page_verdict(
                page, self.loads.get(page.key), self.queries.get(page.key), self.loads.get("hello")
            )
            if page.missing or not ok:
                missed.append(page.label)
        for weight in self.weights:
            if (
                weight.error
                or weight.fcp_ms is None
                or weight.fcp_ms >= report.TARGET_FCP_MS
                or weight.transferred_bytes >= report.TARGET_BYTES
                or weight.third_party
            ):
                missed.append(f"page weight of {weight.path}")
        return missed


def preflight(base_url, request, timeout=120):
    """One request as wrk will send it: (status, Location header, body bytes)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Host": parts.netloc}
    if request.cookie:
        headers["Cookie"] = request.cookie
    if request.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(request.method, request.path, request.body or None, headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, response.getheader("Location", ""), len(body)
    finally:
        connection.close()


def data_counts() -> dict[str, int]:
    from django.apps import apps

    wanted = [
        ("people", "users", "User"),
        ("projects", "projects", "Project"),
        ("opportunities", "participation", "Opportunity"),
        ("sign-ups", "participation", "SignUp"),
        ("claims", "payments", "Claim"),
        ("ledger entries", "payments", "LedgerEntry"),
        ("practice guide entries", "learning", "Entry"),
        ("outbox messages", "notifications", "Message"),
    ]
    counts = {}
    for label, app_label, model_name in wanted:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        counts[label] = model.objects.count()
    return counts


def describe_environment(options, env) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    try:
        commit = subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "commit": commit,
        "cpus": os.cpu_count(),
        "postgres": postgres,
        "workers": options.workers,
        "connections": options.connections,
        "threads": options.threads,
        "duration": options.duration,
        "warmup": options.warmup,
        "redis": bool(env.get("REDIS_URL")),
        "sizes": {},
        "load_before": os.getloadavg()[0],
        "paired_hello": options.paired_hello,
    }


def run(*, env: dict, options: Options) -> Outcome:
    log = options.log
    outcome = Outcome()
    settings = describe_environment(options, env)
    counts = data_counts()
    log("Data: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()))

    log("Choosing pages and signing people in...")
    pages = build_pages(include=options.include, residents=options.sign_up_residents)
    outcome.pages = pages

    log("Counting SQL queries per page (in-process)...")
    outcome.queries = count_queries(pages)
    remove_bench_sign_ups()
    for key, count in outcome.queries.items():
        log(f"  {key}: {count.queries} queries, contrast {count.contrast} {count.error}")

    notes = []
    log(f"Starting gunicorn ({options.workers} workers)...")
    with Server(env=env, workers=options.workers) as server:
        log(f"  serving on {server.base_url}")
        for page in pages:
            if page.missing:
                log(f"{page.key}: skipped ({page.missing})")
                continue
            try:
                status, location, size = preflight(server.base_url, page.requests[0])
            except OSError as error:
                page.missing = f"no answer to a single request ({error})"
                log(f"{page.key}: {page.missing}")
                _drain(server)
                continue
            if status not in page.expect:
                page.missing = f"answered {status} {location}".strip()
                log(f"{page.key}: {page.missing}; server log:\n{server.log_tail()}")
                continue
            settings["sizes"][page.key] = size if page.method == "GET" else None
            requests = page.requests[1:] if page.method == "POST" else page.requests
            measured, warm = requests, requests
            if page.method == "POST":
                # Warm up on pairs the measured run never sends: a repeat is a cheaper path.
                cut = max(1, int(len(requests) * 0.8))
                measured, warm = requests[:cut], requests[cut:] or requests[:1]
            if options.warmup > 0:
                run_wrk(
                    server.base_url,
                    warm,
                    name=f"{page.key}-warm",
                    duration=options.warmup,
                    connections=options.connections,
                    threads=options.threads,
                )
                _drain(server)
            if page.key != "hello" and options.paired_hello > 0:
                # The ceiling again, just before this page: other programs on the machine
                # come and go, so each page is compared with the hello view at that moment.
                paired = run_wrk(
                    server.base_url,
                    [Request("GET", "/hello/")],
                    name="hello-paired",
                    duration=options.paired_hello,
                    connections=options.connections,
                    threads=options.threads,
                )
            result = run_wrk(
                server.base_url,
                measured,
                name=page.key,
                duration=options.duration,
                connections=options.connections,
                threads=options.threads,
            )
            if result.requests < 10:
                notes.append(
                    f"{page.key}: only {result.requests} "
                    f"request{'' if result.requests == 1 else 's'} finished within "
                    f"{options.duration:g} s with {options.connections} at once, so its "
                    "latencies rest on very few requests."
                )
            if page.method == "POST" and result.requests > len(measured):
                notes.append(
                    f"{page.key}: {result.requests:,} requests for {len(measured):,} different "
                    "pairs, so some repeated a sign-up (a cheaper path)."
                )
            log(
                f"{page.key}: {result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.1f} ms,"
                f" p95 {result.p95_ms:.1f} ms, errors {result.errors}"
            )
            if page.key != "hello" and options.paired_hello > 0:
                result.hello_rps = paired.requests_per_second
            outcome.loads[page.key] = result
            _drain(server)
        if options.page_weight:
            outcome.weights = _page_weights(server.base_url, pages, log, notes)
    settings["load_after"] = os.getloadavg()[0]
    removed = remove_bench_sign_ups()
    end_bench_sessions()
    log(f"Removed {removed:,} sign-ups made by the benchmark, and its sessions.")
    outcome.markdown = report.render(
        pages=pages,
        loads=outcome.loads,
        queries=outcome.queries,
        weights=outcome.weights,
        settings=settings,
        counts=counts,
        notes=notes,
    )
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(outcome.markdown)
    log(f"Wrote {options.output}")
    return outcome


def _active_queries() -> int:
    """Queries running in the benchmark's database, other than this process's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _drain(server, timeout=600):
    """Wait until the server has finished what wrk left queued, so a slow page does not slow
    down the next measurement: the workers use no CPU and the database runs no query for a
    moment. (Answering a request is not enough: a free worker answers while others are still
    busy with slow pages.)"""
    preflight(server.base_url, Request("GET", "/hello/"), timeout=timeout)
    deadline = time.monotonic() + timeout
    quiet = 0
    before = server.worker_cpu_seconds()
    while time.monotonic() < deadline and quiet < 2:
        time.sleep(0.25)
        now = server.worker_cpu_seconds()
        quiet = quiet + 1 if now - before < 0.02 and _active_queries() == 0 else 0
        before = now


def _page_weights(base_url, pages, log, notes):
    if not pageweight.chromium_available():
        notes.append(f"Page weight not measured: no Chromium at {pageweight.CHROMIUM}.")
        return []
    by_key = {page.key: page for page in pages}
    targets = []
    if "directory" in by_key and not by_key["directory"].missing:
        targets.append(("directory", "/opportunities/"))
    project = by_key.get("project")
    if project and not project.missing:
        targets.append(("project", project.path))
    if not targets:
        return []
    log("Measuring page weight and first paint in Chromium...")
    started = time.monotonic()
    weights = pageweight.measure(base_url, targets)
    for weight in weights:
        log(
            f"  {weight.path}: FCP {weight.fcp_ms} ms, {weight.transferred_bytes / 1024:.1f} KB, "
            f"third-party {weight.third_party or 'none'} {weight.error}"
        )
    log(f"  done in {time.monotonic() - started:.0f} s")
    return weights
