from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Page-numbered lists: `page` and `page_size` (at most 100)."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
