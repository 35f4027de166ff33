import base64
import json

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from archive.selectors.file_tree import KeysetPage, Position


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


class KeysetPagination:
    """Keyset pages of path-ordered lists (files, folders): an opaque `cursor` from `next`/`previous`, and
    `page_size` (at most 100). A page number is refused: every page must cost what the first does.
    """

    page_size = StandardPagination.page_size
    max_page_size = StandardPagination.max_page_size

    def __init__(self, request):
        self.request = request
        if "page" in request.query_params:
            raise ValidationError({"page": ["This list pages by cursor: follow the `next` and `previous` links."]})
        self.size = _whole_number(request, "page_size", default=self.page_size, maximum=self.max_page_size)
        self.position = self._decoded(request.query_params.get("cursor", ""))

    @staticmethod
    def _decoded(cursor: str) -> Position:
        if not cursor:
            return Position()
        try:
            direction, path = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        except (ValueError, TypeError, UnicodeError):
            direction, path = None, None
        if direction not in ("after", "before") or not isinstance(path, str) or not path or len(path) > 4096:
            raise ValidationError({"cursor": ["Not a cursor of this list: follow the `next` and `previous` links."]})
        return Position(**{direction: path})

    def _link(self, direction: str, path: str) -> str:
        cursor = base64.urlsafe_b64encode(json.dumps([direction, path]).encode()).decode("ascii")
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)

    def response(self, page: KeysetPage, results: list, *, count: int | None) -> Response:
        """`{count, next, previous, results}`; `count` is None where it would cost a count (searches)."""
        return Response(
            {
                "count": count,
                "next": self._link("after", page.last_path) if page.has_next else None,
                "previous": self._link("before", page.first_path) if page.has_previous else None,
                "results": results,
            }
        )
