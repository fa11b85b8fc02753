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


class _Labels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names = {}  # input id -> name
        self.labels = []  # (for, text)
        self._label_for = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and "id" in attrs:
            self.names[attrs["id"]] = attrs.get("name")
        elif tag == "label":
            self._label_for = attrs.get("for")
            self.labels.append([self._label_for, ""])

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_for = None

    def handle_data(self, data):
        if self._label_for is not None:
            self.labels[-1][1] += data


def option_labels(page: str, name: str) -> list[str]:
    """The labels of the radios or checkboxes called `name`, in order."""
    parser = _Labels()
    parser.feed(page)
    return [
        " ".join(text.split()) for target, text in parser.labels if parser.names.get(target) == name
    ]
