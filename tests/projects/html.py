"""Small helpers to read what a page shows without depending on its whitespace."""

from html.parser import HTMLParser


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "textarea", "select", "option"):
            self.inputs.append((tag, dict(attrs)))


def checked(page: str, name: str) -> set[str]:
    """The values of the ticked radios or checkboxes called `name`."""
    parser = _Inputs()
    parser.feed(page)
    return {
        attrs.get("value")
        for tag, attrs in parser.inputs
        if tag == "input" and attrs.get("name") == name and "checked" in attrs
    }


def value(page: str, name: str) -> str | None:
    """The value of the text input called `name`."""
    parser = _Inputs()
    parser.feed(page)
    for tag, attrs in parser.inputs:
        if tag == "input" and attrs.get("name") == name:
            return attrs.get("value")
    return None
