from django.apps import AppConfig


class CoprodHubConfig(AppConfig):
    name = "coprod_hub"
    verbose_name = "Co-production Hub"

    def ready(self):
        from . import audit

        audit.register_models()
