"""Small helpers for writing sentences around words people typed (titles, reasons)."""


def full_stop_after(text) -> str:
    """The full stop a sentence ending in `text` needs: none when it ends in its own ("Can
    we help?"), so no page or message says "?."."""
    return "" if str(text).rstrip().endswith((".", "?", "!")) else "."
