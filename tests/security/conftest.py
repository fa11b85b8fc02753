import pytest


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Receipts (and any other upload) go to a throwaway folder, never private-media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }
    return tmp_path / "private"
