"""Count the SQL queries each page makes, in-process, against the same database.

Each page is requested once to warm caches (as the server is warm under load), then once
measured, then once for a contrast: the same page with many more or many fewer rows. Equal
counts show the number of queries does not grow with the data.

Shared copies of pages and figures (public pages, the claims queue, the insight dashboard)
are turned off here: a copy makes almost no queries, and what matters is the work behind it,
done whenever a copy is missing (a new search, a change). The time of that measured request
is reported too, as the cost of rendering the page afresh.
"""

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext


@dataclass
class QueryCount:
    queries: int | None = None
    contrast: int | None = None
    slowest_ms: float | None = None
    slowest_sql: str = ""
    status: int | None = None
    render_ms: float | None = None  # the measured request (median), in-process, no shared copy
    error: str = ""

    def constant(self, contrast_rows: str) -> bool | None:
        """Does the count stay put as rows grow? `contrast_rows` says what the contrast is:
        "same" (as many rows, e.g. a deeper page: the counts must be equal), "fewer" (the
        measured request has more rows: it must not need more queries), or "info" (a
        different path, shown for information only)."""
        if self.queries is None or self.contrast is None or contrast_rows == "info":
            return None
        if contrast_rows == "fewer":
            return self.queries <= self.contrast
        return self.queries == self.contrast


def _timed(client, probe) -> float:
    started = time.perf_counter()
    _request(client, probe)
    return (time.perf_counter() - started) * 1000


def _request(client, probe):
    if probe.method == "POST":
        return client.post(probe.path, probe.data or {})
    return client.get(probe.path)


@override_settings(PUBLIC_PAGE_CACHE_SECONDS=0, INSIGHT_CACHE_SECONDS=0)
def count_queries(pages, *, host="127.0.0.1") -> dict[str, QueryCount]:
    results = {}
    for page in pages:
        if page.missing or not page.probes:
            continue
        client = Client(HTTP_HOST=host)
        if page.user is not None:
            client.force_login(page.user)
        result = QueryCount()
        try:
            warm, measured, *rest = page.probes
            _request(client, warm)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = _request(client, measured)
                result.render_ms = (time.perf_counter() - started) * 1000
            result.status = response.status_code
            result.queries = len(captured)
            timed = [(float(q.get("time") or 0) * 1000, q["sql"]) for q in captured]
            if timed:
                result.slowest_ms, result.slowest_sql = max(timed)
            if measured.method == "GET":
                # One request is at the mercy of a garbage collection; take the median of a few.
                result.render_ms = statistics.median(_timed(client, measured) for _ in range(5))
            if rest:
                with CaptureQueriesContext(connection) as captured:
                    _request(client, rest[0])
                result.contrast = len(captured)
        except Exception as error:  # noqa: BLE001 - reported in the results, not fatal
            result.error = f"{type(error).__name__}: {error}"
        finally:
            client.logout()  # deletes the session force_login made
        results[page.key] = result
    return results
