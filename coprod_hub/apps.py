from django.apps import AppConfig, apps

# What the public pages (directory, projects, "we said, we did", practice guide) show: a
# change to any of these replaces the shared copies of those pages (lib/page_cache.py).
PUBLIC_PAGE_MODELS = [
    "participation.Venue",
    "participation.Opportunity",
    "participation.SignUp",
    "projects.ServiceArea",
    "projects.Project",
    "projects.StepChange",
    "projects.Update",
    "learning.Entry",
    "payments.FeeRate",  # an opportunity's page says what it pays
]


class CoprodHubConfig(AppConfig):
    name = "coprod_hub"
    verbose_name = "Co-production Hub"

    def ready(self):
        from . import audit, checks  # noqa: F401 - checks registers itself
        from .lib import page_cache, working_days

        audit.register_models()
        working_days.forget_closure_days_on_change(self.get_model("ClosureDay"))
        page_cache.refresh_on_change(
            page_cache.PUBLIC, *(apps.get_model(label) for label in PUBLIC_PAGE_MODELS)
        )
