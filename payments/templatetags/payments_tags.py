from django import template

from coprod_hub.lib.money import format_rate

register = template.Library()
register.filter("pence_rate", format_rate)


@register.inclusion_tag("payments/_partials/radios.html")
def radios(form, name):
    """GOV.UK radios for `form[name]`, its question a heading. Follow-up questions listed in
    `form.reveals[name]` ({answer: [field names]}) sit under their answer and show only once
    it is chosen (the GOV.UK conditional reveal, shown and hidden by frontend/hub.mjs).
    Without JavaScript they all show, each under its answer, so the services ignore any
    posted for another answer."""
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
    return {"field": field, "items": items}
