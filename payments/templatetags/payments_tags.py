from django import template

from coprod_hub.lib.money import format_pounds

register = template.Library()


@register.filter
def pence_rate(pence):
    """Small rates read better in pence: 45 -> "45p"; 150 -> "£1.50"."""
    if pence is None:
        return ""
    return f"{pence}p" if 0 <= pence < 100 else format_pounds(pence)
