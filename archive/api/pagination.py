from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(request, name: str, *, default: int, maximum: int | None = None) -> int:
    """Read a positive whole-number query parameter, or answer 400 naming it."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() else 0
    if value < 1 or (maximum is not None and value > maximum):
        upper = f" to {maximum}" if maximum is not None else " or more"
        raise ValidationError({name: [f"Give a whole number from 1{upper}."]})
    return value


class StandardPagination(PageNumberPagination):
    """Page-numbered lists: `page` and `page_size` (at most 100).

    DRF quietly falls back to the default page size for a bad or oversized
    `page_size`; the API answers 400 naming the parameter instead, so that a
    client never mistakes a short page for the end of the list.
    """

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def get_page_size(self, request):
        return _whole_number(request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size)

    def get_page_number(self, request, paginator):
        return _whole_number(request, self.page_query_param, default=1)

    def get_schema_operation_parameters(self, view):
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"]["minimum"] = 1
        page_size["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        page_size["description"] = f"Number of results per page, at most {self.max_page_size}."
        return [page, page_size]
