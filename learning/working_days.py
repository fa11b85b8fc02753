"""The moderation queue's target: entries are read within 5 working days.

Working days, and how working time is counted, are the hub's (coprod_hub/lib/working_days.py):
time counts only on a working day in UK time, so weekends, bank holidays and the council's
closure days are left out. An entry sent on Friday at 4pm has waited 8 hours of working time
by Monday at midnight, not 56; sent the Thursday before Easter, its clock stops from Good
Friday to the end of Easter Monday.
"""

from datetime import datetime

from coprod_hub.lib.working_days import subtract_working_days

# The queue flags items that have waited longer than this.
MODERATION_TARGET_WORKING_DAYS = 5


def moderation_cutoff(now: datetime) -> datetime:
    """Entries submitted before this moment have waited more than the target."""
    return subtract_working_days(now, MODERATION_TARGET_WORKING_DAYS)
