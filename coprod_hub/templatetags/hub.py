from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from coprod_hub.lib.money import format_pounds
from coprod_hub.lib.text import full_stop_after

register = template.Library()
register.filter("full_stop_after", full_stop_after)


@register.filter
def pounds(pence):
    """{{ claim.total_pence|pounds }} -> "£12.50"."""
    return format_pounds(pence)


@register.simple_tag
def js_enabled_script():
    """The one inline script; the Content-Security-Policy allows it by its hash."""
    return format_html("<script>{}</script>", mark_safe(settings.JS_ENABLED_SCRIPT))  # noqa: S308


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters changed, e.g. for pagination links.

    {% query_with page=3 %} keeps every filter in the URL and sets page=3.
    """
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = urlencode(sorted(params.lists()), doseq=True)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def elided_pages(page_obj):
    """Page numbers to link to, with "…" gaps: 1 … 4 5 6 … 20."""
    paginator = page_obj.paginator
    return list(paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1))


@register.filter
def is_mapping(value):
    return isinstance(value, dict)


@register.filter
def is_sequence(value):
    return isinstance(value, list | tuple)


@register.filter
def humanise_key(key):
    """ "access_needs" -> "Access needs" for the readable data download."""
    return str(key).replace("_", " ").capitalize()


@register.filter(is_safe=True)
def in_back_navigation(html):
    """Wraps a page's back link in a navigation landmark, so nothing on the page sits outside
    one (screen reader users move between landmarks); nothing when the page has none."""
    if not str(html).strip():
        return ""
    return format_html('<nav aria-label="Back">{}</nav>', html)


@register.filter
def hours(value) -> str:
    """A length of time in hours as people write it: "2 hours", "2.5 hours", "1 hour"."""
    number = Decimal(str(value)).normalize()
    if number == number.to_integral():
        number = number.quantize(Decimal(1))
    return f"{number} hour{'' if number == 1 else 's'}"


@register.inclusion_tag("components/radios.html")
def radios(form, name, heading=True):
    """GOV.UK radios for `form[name]`, its question a heading unless `heading` is False (for
    a page with a heading just above). Follow-up questions listed in `form.reveals[name]`
    ({answer: [field names]}) sit under their answer and show only once it is chosen (the
    GOV.UK conditional reveal, shown and hidden by frontend/hub.mjs). Without JavaScript they
    all show, each under its answer, so the services ignore any posted for another answer."""
    field = form[name]
    follow_ups = getattr(form, "reveals", {}).get(name, {})
    chosen = str(field.value()) if field.value() is not None else None
    items = []
    for position, choice in enumerate(field.field.choices, start=1):
        value = str(choice[0])
        items.append(
            {
                # The ids crispy-forms-gds gives radios: the error summary links to _1.
                "id": f"id_{field.html_name}_{position}",
                "value": value,
                "label": choice[1],
                "hint": getattr(choice, "hint", ""),
                "checked": value == chosen,
                "revealed": [form[other] for other in follow_ups.get(value, [])],
            }
        )
    return {"field": field, "items": items, "heading": heading}
