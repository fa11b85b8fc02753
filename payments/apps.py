from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_save

# What the commissioners' claims queue shows: a change to any of these replaces its cached
# copies (coprod_hub/lib/page_cache.py). People's names follow within the cache timeout.
CLAIMS_QUEUE_MODELS = [
    "payments.Claim",
    "payments.ClaimLine",
    "payments.ClaimEvent",
    "payments.PaymentRun",
    "payments.FeeAdjustment",
    "payments.PaymentPolicy",
    # Whether any commissioner may decide a claim: conflicts of interest, and (below) who
    # holds the commissioner role.
    "payments.ConflictOfInterest",
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
        # Roles given or taken (groups), and accounts closed or opened: the queue says which
        # claims no commissioner may decide, and who was told. Not every save of an account
        # (each sign-in saves one), only those that may change whether it counts as a
        # commissioner or an administrator.
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        m2m_changed.connect(
            _roles_changed,
            sender=user_model.groups.through,
            weak=False,
            dispatch_uid="claims-queue:roles",
        )
        post_save.connect(
            _account_saved, sender=user_model, weak=False, dispatch_uid="claims-queue:account"
        )


def _roles_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        from coprod_hub.lib import page_cache

        page_cache.start_new_generation_after_change(page_cache.CLAIMS)


def _account_saved(sender, instance, update_fields=None, **kwargs):
    # Administrators too: the queue says whether there is one to tell of claims nobody may
    # decide (services.deciders.who_was_told).
    if update_fields is None or {"is_active", "is_superuser"} & set(update_fields):
        from coprod_hub.lib import page_cache

        page_cache.start_new_generation_after_change(page_cache.CLAIMS)
