"""A large, believable data set for load testing: a big county's hub after four years.

`python manage.py seed_large` (or `seed_demo --scale large`) writes, at size 1:
100,000 people, 2,000 projects, 20,000 opportunities, 300,000 sign-ups, 100,000 claims with
1,000,000 ledger entries, 20,000 practice-guide entries and 50,000 outbox messages.

The shape matters as much as the size, because it decides which queries are slow:
- Most people take part rarely and a few take part very often (a Zipf-like curve: the most
  active person has a few hundred sign-ups, the median participant one or two, and about a
  third of accounts never sign up at all).
- A few projects run many opportunities; most run a handful.
- Four fifths of opportunities are in the past; the rest are in the next six months.
- Claims follow the real life cycle: drafts, sent, returned, rejected, approved, paid in
  weekly payment runs, and the ledger holds what the payments services would have written
  (approval, corrections that reverse and replace, payment). To reach the ledger size asked
  for, more claims have corrections than a real hub would see: a pessimistic ledger.

Everything is written with COPY (see coprod_hub/management/bulk_copy.py) inside one
transaction, so a failed run leaves nothing behind, then the tables are analysed so the
planner sees the new sizes. Runs only on PostgreSQL. The people's addresses end in
@large.example.org; their presence means the data is already there, and the seeder stops.

The package has one module for each part it writes, in the order `LargeData.run` writes
them: people, projects, opportunities, signups, claims (with payment runs and the ledger),
guide, outbox and outcomes. `generator` puts them together into `LargeData`, `helpers`
holds random picking, COPY writing and progress lines, and `words` the shared word lists.
Callers import what they need from here.
"""

from .generator import BASE_COUNTS, MINIMUM_COUNTS, LargeData
from .words import EMAIL_DOMAIN, GUIDE_SEARCH_WORD, OPPORTUNITY_SEARCH_WORD

__all__ = [
    "BASE_COUNTS",
    "EMAIL_DOMAIN",
    "GUIDE_SEARCH_WORD",
    "MINIMUM_COUNTS",
    "OPPORTUNITY_SEARCH_WORD",
    "LargeData",
]
