from django.contrib import admin
from django.utils.dateformat import format as format_date

from .models import ClosureDay


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    """Days the council is closed beyond weekends and bank holidays. Offers to people staff
    phone, and the moderation queue's target, count working days without them."""

    list_display = ["date", "day_of_the_week", "reason"]
    date_hierarchy = "date"
    search_fields = ["reason"]

    @admin.display(description="Day", ordering="date")
    def day_of_the_week(self, closure_day):
        return format_date(closure_day.date, "l")
