from django.core.paginator import Paginator


class ForgivingPaginationMixin:
    """For ListView: a nonsense or too-large ?page= shows the nearest real page, not a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


def paginate(request, queryset, per_page=20):
    """For function views: the page object for ?page=, forgiving bad values."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
