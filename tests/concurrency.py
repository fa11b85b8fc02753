"""Running things at the same moment against real PostgreSQL, for the concurrency tests."""

import threading

from django.db import close_old_connections, connection


def run_at_once(functions):
    """Start every function at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected and re-raised in the test
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def exactly_one_refused(errors, refusal) -> bool:
    """Of two at once, one was refused with `refusal` (words people read); nothing crashed."""
    return len(errors) == 1 and isinstance(errors[0], refusal)
