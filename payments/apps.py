from django.apps import AppConfig, apps

# What the commissioners' claims queue shows: a change to any of these replaces its cached
# copies (coprod_hub/lib/page_cache.py). People's names follow within the cache timeout.
CLAIMS_QUEUE_MODELS = [
    "payments.Claim",
    "payments.ClaimLine",
    "payments.ClaimEvent",
    "payments.PaymentRun",
    "payments.FeeAdjustment",
    "payments.PaymentPolicy",
    "payments.FeeRate",
    "payments.ExpenseRule",
    "participation.Opportunity",
    "projects.Project",
]


# Answers worked out from the expense rules alone (whether a session's day pays for taxis,
# asked by the staff manage page): a change to a rule replaces them at once.
EXPENSE_RULES = "expense-rules"


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Fees and expenses"

    def ready(self):
        from coprod_hub.lib import page_cache

        page_cache.refresh_on_change(
            page_cache.CLAIMS, *(apps.get_model(label) for label in CLAIMS_QUEUE_MODELS)
        )
        page_cache.refresh_on_change(EXPENSE_RULES, apps.get_model("payments.ExpenseRule"))
