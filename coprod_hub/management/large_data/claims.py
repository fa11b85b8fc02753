"""Claims, payment runs and the ledger, as the payments services would have written them.

Claims for attended sessions that pay a fee or expenses go through the real life cycle
(draft, sent, returned, rejected, approved, paid in weekly Friday payment runs), with their
lines and history. The ledger holds approvals, payments and corrections that reverse and
replace an approved amount; to reach the ledger size asked for, more claims get corrections
than a real hub would see, which makes the ledger pessimistically large.
"""

from datetime import date, timedelta

from django.apps import apps
from django.utils import timezone

from ..bulk_copy import next_id
from .helpers import Seeder, has_model, local_dt, pick

EXPENSES = [
    # category, share, low pence, high pence
    ("public_transport", 40, 250, 1200),
    ("mileage", 25, 0, 0),
    ("parking", 12, 200, 800),
    ("taxi", 6, 800, 3500),
    ("meals", 8, 400, 1200),
    ("care_cover", 5, 2500, 7500),
    ("childcare", 2, 1500, 4500),
    ("phone_data", 2, 200, 800),
]
FEE_PENCE = {"per_hour": 2000, "half_day": 5000, "full_day": 10000, "per_activity": 2500}


class ClaimSeeder(Seeder):
    def seed_claims(self):
        if not has_model("payments", "LedgerEntry"):
            self.log("  the payments app has no ledger yet: skipped")
            return
        from payments.taxyear import tax_year_for

        models = {
            name: apps.get_model("payments", name)
            for name in ("Claim", "ClaimLine", "ClaimEvent", "PaymentRun", "PaymentRunItem",
                         "LedgerEntry")
        }  # fmt: skip
        rng = self.rng
        claimable = [
            a
            for a in self.attended
            if a.opportunity.fee_basis != "none" or a.opportunity.pays_expenses
        ]
        rng.shuffle(claimable)
        claimable = claimable[: self.target["claims"]]
        claimable.sort(key=lambda a: a.opportunity.starts_at)
        if len(claimable) < self.target["claims"]:
            self.log(f"  only {len(claimable):,} attended sessions pay anything: that many claims")
        commissioners = self.commissioners or self.staff

        claim_id = next_id(models["Claim"])
        run_id = next_id(models["PaymentRun"])
        entry_id = next_id(models["LedgerEntry"])
        claims, lines, events, items, entries = [], [], [], [], []
        runs: dict[date, list] = {}  # paid on -> [run id, claim count, total pence]

        plans = []
        for attended in claimable:
            plans.append(self._claim_plan(attended, rng))
        # Corrections to reach the ledger size asked for (see the module docstring).
        base_entries = sum(plan["base_entries"] for plan in plans)
        correctable = [p for p in plans if p["status"] in ("approved", "paid")]
        spare = self.target["ledger"] - base_entries
        while spare > 0 and correctable:
            plan = rng.choice(correctable)
            plan["corrections"] += 1
            spare -= 2 * plan["components"]

        def entry(who, kind, account, component, amount, on, at, run_pk=None, reverses=None,
                  note=""):  # fmt: skip
            """Append one ledger row as the payments services would write it; return its id."""
            nonlocal entry_id
            claim_pk, person, project, author = who
            entries.append(
                (entry_id, kind, account, component, amount, claim_pk, person, project, run_pk,
                 reverses, on, tax_year_for(on), note, author, at)
            )  # fmt: skip
            entry_id += 1
            return entry_id - 1

        for plan in plans:
            attended = plan["attended"]
            opportunity = attended.opportunity
            pk = claim_id
            claim_id += 1
            claimant = attended.resident_id
            activity = timezone.localdate(opportunity.starts_at)
            started_by = claimant if rng.random() < 0.93 else rng.choice(self.staff)
            created = opportunity.starts_at + timedelta(days=rng.uniform(0.2, 10))
            status = plan["status"]
            fee, expenses = plan["fee"], plan["expenses"]
            submitted = created + timedelta(days=rng.uniform(0, 3)) if status != "draft" else None
            decided = (
                submitted + timedelta(days=rng.uniform(1, 12))
                if status in ("approved", "paid", "returned", "rejected")
                else None
            )
            decided = min(decided, self.now) if decided else None
            decider = rng.choice(commissioners) if decided else None
            paid_on = None
            if status == "paid":
                paid_on = timezone.localdate(decided) + timedelta(days=rng.randrange(3, 25))
                paid_on += timedelta(days=(4 - paid_on.weekday()) % 7)  # runs go on Fridays
                if paid_on > self.today:
                    paid_on = self.today - timedelta(days=(self.today.weekday() - 4) % 7)
                paid_on = max(paid_on, timezone.localdate(decided))
            run = None
            if paid_on:
                if paid_on not in runs:
                    runs[paid_on] = [run_id, 0, 0]
                    run_id += 1
                run = runs[paid_on]

            # The fee line and expense lines, as the claim form writes them.
            if fee:
                lines.append((pk, "fee", opportunity.fee_basis, plan["hours"], "", "", None,
                              FEE_PENCE[opportunity.fee_basis], fee, created))  # fmt: skip
            for category, amount, miles in plan["expense_lines"]:
                lines.append((pk, "expense", "", None, category, "", miles,
                               45 if miles else None, amount, created))  # fmt: skip

            # The history people see on the claim.
            events.append((pk, started_by, "", "draft", "", started_by != claimant, created))
            if submitted:
                events.append(
                    (pk, started_by, "draft", "submitted", "", started_by != claimant, submitted)
                )
            if status in ("returned", "rejected"):
                events.append((pk, decider, "submitted", status, plan["reason"], False, decided))

            approved_fee, approved_expenses = (None, None)
            who = (pk, claimant, opportunity.project_id, decider)

            if status in ("approved", "paid"):
                events.append((pk, decider, "submitted", "approved", "", False, decided))
                on = timezone.localdate(decided)
                live = [
                    (
                        entry(who, "approval", "owed", component, amount, on, decided),
                        component,
                        amount,
                    )  # fmt: skip
                    for component, amount in (("fee", fee), ("expenses", expenses))
                    if amount
                ]
                when = decided
                for _ in range(plan["corrections"]):
                    when += timedelta(hours=rng.uniform(1, 30))
                    on = timezone.localdate(when)
                    note = "Bus fare was less than claimed; receipt checked."
                    for original, component, amount in live:
                        entry(who, "reversal", "owed", component, -amount, on, when,
                              reverses=original, note=note)  # fmt: skip
                    live = [
                        (
                            entry(
                                who, "correction", "owed", component, changed, on, when, note=note
                            ),
                            component,
                            changed,
                        )  # fmt: skip
                        for _, component, amount in live
                        for changed in [max(1, amount + rng.choice([-150, -100, -50, 50, 100]))]
                    ]
                    events.append(
                        (pk, decider, "approved", "approved", f"Amount changed: {note}", False,
                         when)
                    )  # fmt: skip
                approved_fee = sum(a for _, c, a in live if c == "fee")
                approved_expenses = sum(a for _, c, a in live if c == "expenses")
            if status == "paid":
                paid_at = local_dt(paid_on, 15)
                for _, component, amount in live:
                    entry(who, "payment", "owed", component, -amount, paid_on, paid_at, run[0])
                    entry(who, "payment", "paid", component, amount, paid_on, paid_at, run[0])
                items.append((run[0], pk, approved_fee, approved_expenses))
                run[1] += 1
                run[2] += approved_fee + approved_expenses
                events.append((pk, decider, "approved", "paid", "", False, paid_at))
            days_to_pay = (
                max((paid_on - timezone.localdate(submitted)).days, 0) if paid_on else None
            )
            claims.append(
                (pk, claimant, attended.id, opportunity.id, opportunity.project_id, activity,
                 status, plan["method"], False, True,
                 submitted if submitted else None, started_by, started_by if submitted else None,
                 fee, expenses, approved_fee, approved_expenses, plan["reason"], submitted,
                 decided, decider, paid_on, days_to_pay, run[0] if run else None, created,
                 decided or submitted or created, submitted)
            )  # fmt: skip

        run_rows = [
            (pk, "paid", rng.choice(commissioners), local_dt(paid_on, 10) - timedelta(days=2),
             count, total, paid_on, rng.choice(commissioners), local_dt(paid_on, 15))
            for paid_on, (pk, count, total) in runs.items()
        ]  # fmt: skip
        self._copy(
            models["PaymentRun"],
            ["id", "status", "created_by_id", "created_at", "claim_count", "total_pence",
             "paid_on", "confirmed_by_id", "confirmed_at"],
            run_rows,
            key="payment runs",
            label="payment runs",
        )  # fmt: skip
        self._copy(
            models["Claim"],
            ["id", "claimant_id", "signup_id", "opportunity_id", "project_id", "activity_date",
             "status", "payment_method", "employed_by_partner", "not_part_of_paid_job",
             "benefits_acknowledged_at", "started_by_id", "submitted_by_id", "fee_pence",
             "expenses_pence", "approved_fee_pence", "approved_expenses_pence", "reason",
             "submitted_at", "decided_at", "decided_by_id", "paid_on", "days_to_pay",
             "payment_run_id", "created_at", "updated_at", "first_submitted_at"],
            claims,
            key="claims",
            label="claims",
        )  # fmt: skip
        self._copy(
            models["ClaimLine"],
            ["claim_id", "kind", "fee_basis", "hours", "category", "description", "miles",
             "rate_pence", "amount_pence", "created_at"],
            lines,
            key="claim lines",
            label="claim lines",
        )  # fmt: skip
        self._copy(
            models["ClaimEvent"],
            ["claim_id", "actor_id", "from_status", "to_status", "note", "on_behalf",
             "created_at"],
            events,
            key="claim events",
            label="claim history events",
        )  # fmt: skip
        self._copy(
            models["PaymentRunItem"],
            ["run_id", "claim_id", "fee_pence", "expenses_pence"],
            items,
            label="payment run items",
        )
        self._copy(
            models["LedgerEntry"],
            ["id", "kind", "account", "component", "amount_pence", "claim_id", "person_id",
             "project_id", "payment_run_id", "reverses_id", "effective_on", "tax_year", "note",
             "created_by_id", "created_at"],
            entries,
            key="ledger entries",
            label="ledger entries",
        )  # fmt: skip

    def _claim_plan(self, attended, rng) -> dict:
        opportunity = attended.opportunity
        age_days = (self.now - opportunity.starts_at).days
        if age_days > 60:
            status = pick(rng, [("paid", 93), ("rejected", 2), ("draft", 3), ("returned", 2)])
        else:
            status = pick(
                rng,
                [("draft", 15), ("submitted", 35), ("approved", 25), ("paid", 20),
                 ("returned", 3), ("rejected", 2)],
            )  # fmt: skip
        method = pick(rng, [("bank_transfer", 70), ("voucher", 20), ("expenses_only", 10)])
        fee = 0
        hours = None
        if opportunity.fee_basis != "none" and method != "expenses_only":
            if opportunity.fee_basis == "per_hour":
                hours = opportunity.hours
                fee = round(FEE_PENCE["per_hour"] * hours)
            else:
                fee = FEE_PENCE[opportunity.fee_basis]
        expense_lines = []
        if opportunity.pays_expenses:
            for _ in range(pick(rng, [(0, 25), (1, 50), (2, 20), (3, 5)])):
                category = pick(rng, [(e[0], e[1]) for e in EXPENSES])
                low, high = next((e[2], e[3]) for e in EXPENSES if e[0] == category)
                if category == "mileage":
                    miles = round(rng.uniform(2, 40), 1)
                    expense_lines.append((category, round(miles * 45), miles))
                else:
                    expense_lines.append((category, rng.randrange(low, high + 1, 10), None))
        if not fee and not expense_lines:
            # Nothing to claim would not be a claim: a bus fare is the commonest expense.
            expense_lines.append(("public_transport", rng.randrange(250, 1200, 10), None))
        expenses = sum(amount for _, amount, _ in expense_lines)
        components = (1 if fee else 0) + (1 if expenses else 0)
        base = 0
        if status in ("approved", "paid"):
            base += components
        if status == "paid":
            base += 2 * components
        reason = {
            "returned": "Please add the receipt for the taxi.",
            "rejected": "This session did not pay a fee, and no travel was needed.",
        }.get(status, "")
        return {
            "attended": attended,
            "status": status,
            "method": method,
            "fee": fee,
            "hours": hours,
            "expenses": expenses,
            "expense_lines": expense_lines,
            "components": components,
            "base_entries": base,
            "corrections": 0,
            "reason": reason,
        }
