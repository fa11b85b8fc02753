"""An entry's text laid out as HTML, with the sub-heading level each page needs."""

from django import template

from ..rendering import entry_html

register = template.Library()


@register.filter
def guide_text(text, heading_level=2):
    """`{{ entry.text|guide_text:3 }}`: the level is one below the heading the text sits
    under, so the page's outline stays in order."""
    return entry_html(text or "", heading_level=int(heading_level))
