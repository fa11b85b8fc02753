"""The results as Markdown: bench/results.md."""

import platform
from datetime import datetime

TARGET_RATIO = 0.30
TARGET_P95_MS = 300
TARGET_FCP_MS = 1500
TARGET_BYTES = 200 * 1024


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _rate(per_second: float) -> str:
    return f"{per_second:.1f}" if per_second < 10 else f"{per_second:,.0f}"


def _ratio(ratio) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:.3f}" if ratio < 0.01 else f"{ratio:.2f}"


def _yes_no(ok):
    return "–" if ok is None else ("yes" if ok else "**no**")


def page_verdict(page, load, queries, hello):
    """(meets every target?, ratio to hello). The ratio uses the hello run made just before
    the page when there is one, else the first hello run."""
    if page.key == "hello" or load is None:
        return None, None
    hello_rps = load.hello_rps if load.hello_rps is not None else 0
    if not hello_rps and hello:
        hello_rps = hello.requests_per_second
    ratio = load.requests_per_second / hello_rps if hello_rps else None
    if page.reference:
        return None, ratio
    constant = queries.constant(page.contrast_rows) if queries else None
    ok = (
        ratio is not None
        and load.requests > 0
        and ratio >= TARGET_RATIO
        and load.p95_ms < TARGET_P95_MS
        and load.errors == 0
        and constant is not False
    )
    return ok, ratio


def render(*, pages, loads, queries, weights, settings, counts, notes=()) -> str:
    hello = loads.get("hello")
    paired = settings.get("paired_hello")
    lines = [
        "# Benchmark results",
        "",
        f"Run on {datetime.now().astimezone():%d %B %Y at %H:%M %Z} "
        f"(commit {settings.get('commit', 'unknown')}).",
        "",
        f"- Machine: {settings.get('cpus')} CPUs ({_cpu_model()}), "
        f"Python {platform.python_version()}, PostgreSQL {settings.get('postgres', '?')}.",
        f"- Server: gunicorn, {settings['workers']} sync workers, DEBUG off, PostgreSQL, "
        f"{'Redis cache' if settings.get('redis') else 'local-memory cache (no REDIS_URL)'}.",
        f"- Load: wrk, {settings['connections']} connections, {settings['threads']} thread, "
        f"{settings['duration']:g} s per page after a {settings['warmup']:g} s warm-up, "
        "127.0.0.1 only.",
        f"- Machine load (1-minute load average): {settings.get('load_before', 0):.1f} just "
        f"before the run, {settings.get('load_after', 0):.1f} at the end (the benchmark itself "
        "adds about 4 on this machine). Well above 0 before the run means other programs "
        "were sharing the CPUs, and every number below is lower than it would be alone.",
        "- Data: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()) + ".",
        "",
        f"Targets: every page at least {TARGET_RATIO:.0%} of the hello view's throughput, "
        f"p95 under {TARGET_P95_MS} ms at {settings['connections']} concurrent connections, "
        "the same number of SQL queries on the contrast request (more or fewer rows).",
        "",
        (
            f"Each page's ratio is to the hello view measured for {paired:g} s just before "
            'it ("hello alongside"), so that other programs starting or stopping on the '
            "machine do not skew the comparison."
            if paired
            else "Ratios are to the hello view measured at the start."
        ),
        "",
        "Visitors who are not signed in get shared copies of the public pages, and the "
        "insight dashboard and the claims queue reuse their figures for a few minutes "
        '(README, "Speed"). wrk asks for the same address again and again, so its figures '
        'are mostly copies. The queries and "fresh render" columns show the work behind a '
        "copy: one request made in-process with no copy to hand, as for a new search or the "
        "first visitor after a change.",
        "",
        "| Page | req/s | Ratio to hello | Hello alongside, req/s | p50 ms | p95 ms | Queries "
        "| Queries, contrast | Fresh render ms | HTML KB | Errors | Meets targets |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for page in pages:
        if page.missing:
            lines.append(f"| {page.label} |{' – |' * 10} {page.missing} |")
            continue
        load = loads.get(page.key)
        count = queries.get(page.key)
        ok, ratio = page_verdict(page, load, count, hello)
        if load is None:
            lines.append(f"| {page.label} |{' – |' * 10} not measured |")
            continue
        contrast = "–"
        if count and count.contrast is not None:
            contrast = f"{count.contrast} ({page.contrast})"
        query_cell = "–"
        if count:
            query_cell = str(count.queries) if count.queries is not None else "error"
        render_cell = f"{count.render_ms:,.1f}" if count and count.render_ms is not None else "–"
        ratio_cell = "1.00" if page.key == "hello" else _ratio(ratio)
        size = settings.get("sizes", {}).get(page.key)
        size_cell = f"{size / 1024:.1f}" if size is not None else "–"
        alongside = f"{load.hello_rps:,.0f}" if load.hello_rps is not None else "–"
        lines.append(
            f"| {page.label} | {_rate(load.requests_per_second)} | {ratio_cell} | {alongside} "
            f"| {load.p50_ms:.1f} | {load.p95_ms:.1f} | {query_cell} | {contrast} "
            f"| {render_cell} | {size_cell} | {load.errors} | {_yes_no(ok)} |"
        )
    if weights:
        lines += [
            "",
            "## Page weight and first contentful paint",
            "",
            "Chromium on a simulated mid-range phone: 412 × 823 screen, CPU slowed 4×, "
            "slow 4G (150 ms round trip, 1.6 Mbit/s), empty cache; median of 3 loads. "
            f"Targets: first contentful paint under {TARGET_FCP_MS / 1000:g} s, under "
            f"{TARGET_BYTES // 1024} KB transferred, no third-party requests.",
            "",
            "| Page | First contentful paint ms | Transferred KB | Uncompressed KB "
            "| Requests | Third-party requests | Meets targets |",
            "|---|---:|---:|---:|---:|---|---|",
        ]
        for weight in weights:
            if weight.error:
                lines.append(f"| {weight.path} | – | – | – | – | – | error: {weight.error} |")
                continue
            ok = (
                weight.fcp_ms is not None
                and weight.fcp_ms < TARGET_FCP_MS
                and weight.transferred_bytes < TARGET_BYTES
                and not weight.third_party
            )
            third = ", ".join(weight.third_party) or "none"
            fcp = f"{weight.fcp_ms:.0f}" if weight.fcp_ms is not None else "–"
            lines.append(
                f"| {weight.path} | {fcp} | {weight.transferred_bytes / 1024:.1f} "
                f"| {weight.decoded_bytes / 1024:.1f} | {weight.requests} | {third} "
                f"| {_yes_no(ok)} |"
            )
    for weight in weights or []:
        if weight.resources:
            parts = ", ".join(
                f"{'the page' if path == weight.path else path.rsplit('/', 1)[-1]} "
                f"{size / 1024:.1f} KB"
                for path, size in sorted(weight.resources, key=lambda r: -r[1])
            )
            lines.append(f"\nBytes on the wire for {weight.path}: {parts}.")
    problems = [
        (page, queries[page.key])
        for page in pages
        if page.key in queries and (queries[page.key].error or queries[page.key].slowest_sql)
    ]
    if problems:
        lines += [
            "",
            "## Slowest query on each page (in-process, one request)",
            "",
        ]
        for page, count in problems:
            if count.error:
                lines.append(f"- {page.label}: error while counting: `{count.error}`")
            else:
                sql = " ".join(count.slowest_sql.split())
                if len(sql) > 300:
                    sql = sql[:300] + " …"
                lines.append(f"- {page.label}: {count.slowest_ms:.1f} ms: `{sql}`")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"
