from django.core.signals import request_finished
from django.db import close_old_connections


def close_download(response):
    """File downloads (receipts) hold their file open until the response is closed.

    Closing a response also tells Django the request finished, which would close the test's
    database connection, so that signal is held back, as Django's test client itself does.
    """
    if not response.streaming:
        return
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
