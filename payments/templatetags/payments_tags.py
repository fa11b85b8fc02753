from django import template

from coprod_hub.lib.money import format_rate

register = template.Library()
register.filter("pence_rate", format_rate)
