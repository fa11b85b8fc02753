"""The dashboard's figures, kept in the cache for each choice of filters: as one piece of HTML
for the page, and as the CSV of every table on it.

Working the figures out reads every sign-up, claim and ledger entry in view: about a second
on a large hub. What they show is the same for every member of staff who may open the
dashboard (the builders take the filters and the time, never the person), so one copy per
filter choice serves everyone. The copy holds no form, no CSRF token and nothing about the
person looking. (The dashboard template keeps the filter form's HTML separately, per query
string and day, for as long.)

The copy is kept `INSIGHT_CACHE_SECONDS` and says when it was worked out. Its key holds
today's date, so the default dates (the year up to today) never show yesterday's figures.
0 seconds turns the copies off.

CSV downloads come from the same copy as the page, never from the rows as they are now. A
commissioner downloads a table to check or quote what the page says; a file worked out a few
minutes later could disagree with it (a claim paid in between), and nothing would say why.
So the tables' CSV is worked out with the page's HTML, in the same pass, and kept with it as
one value (two values could expire apart and pair one pass's page with another's file). A
download with no copy kept works the figures out and keeps them, so the page shown next
agrees with it. Either way the file's name says when its figures were worked out, as the page
does: a page left open past the copy's lifetime is older than any file downloaded from it.
"""

import time
from dataclasses import dataclass
from datetime import datetime

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
VERSION = 2  # 2: the copy holds the tables' CSV and when it was worked out, beside the HTML

# While one request works the figures out, others asking for the same ones wait for it
# rather than each running the same second of queries; after this long they stop waiting.
WAIT_SECONDS = 10.0
WAIT_STEP = 0.1
# Cache keys hold the day, so nothing about one day's figures needs keeping longer.
DAY_SECONDS = 24 * 60 * 60


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


@dataclass(frozen=True)
class Figures:
    """One pass of working the figures out: the page's HTML, the CSV of every table on it
    (by table name) and when it was done."""

    html: str
    csv: dict[str, str]
    worked_out_at: datetime


def work_out(filters: Filters, *, now) -> Figures:
    seconds = settings.INSIGHT_CACHE_SECONDS
    built = sections(filters, now=now)
    html = render_to_string(
        "insight/_partials/figures.html",
        {
            "filters": filters,
            "filters_query": filters.query(),
            "sections": built,
            "worked_out_at": timezone.localtime(now),
            "refreshed": refresh_phrase(seconds) if seconds > 0 else "",
        },
    )
    tables = {
        block.table.name: block.table.to_csv()
        for section in built
        for block in section.all_blocks()
    }
    return Figures(html=html, csv=tables, worked_out_at=now)


def kept_figures(filters: Filters, *, now) -> Figures:
    """The figures for `filters`: the kept copy if there is one, else worked out now (and
    kept, unless keeping is turned off)."""
    seconds = settings.INSIGHT_CACHE_SECONDS
    if seconds <= 0:
        return work_out(filters, now=now)
    key = cache_key(filters, today=timezone.localdate(now))
    figures = cache.get(key)
    if figures is None:
        figures = _work_out_once(key, filters, now=now, seconds=seconds)
    return figures


def figures_html(filters: Filters, *, now) -> SafeString:
    html = kept_figures(filters, now=now).html
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
    cache.set(cache_key(filters, today=today), work_out(filters, now=now), seconds)
    # Kept dashboard pages still hold the old figures: they are made afresh.
    page_cache.start_new_generation(page_cache.INSIGHT)


def _work_out_once(key, filters, *, now, seconds) -> Figures:
    busy = f"{key}:busy"
    mine = cache.add(busy, 1, timeout=int(WAIT_SECONDS) + 5)
    if not mine:
        waited = 0.0
        while waited < WAIT_SECONDS:
            time.sleep(WAIT_STEP)
            waited += WAIT_STEP
            figures = cache.get(key)
            if figures is not None:
                return figures
    try:
        figures = work_out(filters, now=now)
        cache.set(key, figures, seconds)
        # When these figures replace older ones for the same filters, a kept page may still
        # show the older ones (it can outlive them by up to its own keeping time), and a CSV
        # downloaded from it would disagree. Such pages are made afresh around the kept
        # figures (a few queries). The first figures of the day replace nothing: pages made
        # meanwhile, this one included, stay kept.
        if not cache.add(f"{key}:made", 1, timeout=DAY_SECONDS):
            page_cache.start_new_generation(page_cache.INSIGHT)
    finally:
        if mine:
            cache.delete(busy)
    return figures
