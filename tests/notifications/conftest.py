import pytest


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Call `after_commit(fn, *args)` to run fn and then its on-commit callbacks (delivery),
    as happens in production when the task's transaction commits."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
