"""The dashboard's figures as one piece of HTML, kept in the cache for each choice of filters.

Working the figures out reads every sign-up, claim and ledger entry in view: about a second
on a large hub. What they show is the same for every member of staff who may open the
dashboard (the builders take the filters and the time, never the person), so one copy per
filter choice serves everyone. The copy holds no form, no CSRF token and nothing about the
person looking. (The dashboard template keeps the filter form's HTML separately, per query
string and day, for as long.)

The copy is kept `INSIGHT_CACHE_SECONDS` and says when it was worked out. Its key holds
today's date, so the default dates (the year up to today) never show yesterday's figures.
0 seconds turns the copies off.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from coprod_hub.lib import page_cache

from ..filters import Filters, default_range
from . import builders

SECTION_ORDER = ["ladder", "reach", "reciprocity", "loop", "outcomes"]

# Change this when the fragment's template or figures change, so no copy made by the old code
# is shown after a release.
VERSION = 1

# While one request works the figures out, others asking for the same ones wait for it
# rather than each running the same second of queries; after this long they stop waiting.
WAIT_SECONDS = 10.0
WAIT_STEP = 0.1


def sections(filters: Filters, *, now) -> list:
    build = builders()
    return [build[slug](filters, now=now) for slug in SECTION_ORDER]


def cache_key(filters: Filters, *, today) -> str:
    area = filters.area.slug if filters.area else ""
    return (
        f"insight:dashboard:v{VERSION}:{page_cache.release()}:{today.isoformat()}:"
        f"{filters.start.isoformat()}:{filters.end.isoformat()}:{area}:{filters.level}"
    )


def refresh_phrase(seconds: int) -> str:
    """ "every 10 minutes", "every minute", "every 45 seconds"."""
    if seconds % 60:
        return "every second" if seconds == 1 else f"every {seconds} seconds"
    minutes = seconds // 60
    return "every minute" if minutes == 1 else f"every {minutes} minutes"


def render_figures(filters: Filters, *, now) -> str:
    seconds = settings.INSIGHT_CACHE_SECONDS
    return render_to_string(
        "insight/_partials/figures.html",
        {
            "filters": filters,
            "filters_query": filters.query(),
            "sections": sections(filters, now=now),
            "worked_out_at": timezone.localtime(now),
            "refreshed": refresh_phrase(seconds) if seconds > 0 else "",
        },
    )


def figures_html(filters: Filters, *, now) -> SafeString:
    """The figures for `filters`: the kept copy if there is one, else worked out now."""
    seconds = settings.INSIGHT_CACHE_SECONDS
    if seconds <= 0:
        return mark_safe(render_figures(filters, now=now))  # noqa: S308 (our own template)
    key = cache_key(filters, today=timezone.localdate(now))
    html = cache.get(key)
    if html is None:
        html = _work_out_once(key, filters, now=now, seconds=seconds)
    return mark_safe(html)  # noqa: S308 (rendered from our own template, escaped there)


def keep_default_figures_fresh(*, now) -> None:
    """Work out the figures most people see (the 12 months to today, every area and level)
    and keep them, so nobody opening the dashboard waits for them. Run by Celery beat as
    often as copies expire."""
    seconds = settings.INSIGHT_CACHE_SECONDS
    if seconds <= 0:
        return
    today = timezone.localdate(now)
    start, end = default_range(today)
    filters = Filters(start=start, end=end)
    cache.set(cache_key(filters, today=today), render_figures(filters, now=now), seconds)
    # Kept dashboard pages still hold the old figures: they are made afresh.
    page_cache.start_new_generation(page_cache.INSIGHT)


def _work_out_once(key, filters, *, now, seconds) -> str:
    busy = f"{key}:busy"
    mine = cache.add(busy, 1, timeout=int(WAIT_SECONDS) + 5)
    if not mine:
        waited = 0.0
        while waited < WAIT_SECONDS:
            time.sleep(WAIT_STEP)
            waited += WAIT_STEP
            html = cache.get(key)
            if html is not None:
                return html
    try:
        html = render_figures(filters, now=now)
        cache.set(key, html, seconds)
    finally:
        if mine:
            cache.delete(busy)
    return html
