"""The portal's routes, read from the URLconf, so that tests generated over them cover routes added later."""

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView


def _walk(resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""):
    """Yield (name, parameter names, view class or None, route) of every named route outside the admin."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's admin reads forms only, and has its own tests
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view_class = getattr(pattern.callback, "view_class", None)
            yield f"{namespace}{pattern.name}", tuple(pattern.pattern.regex.groupindex), view_class, route


def named_routes():
    """Yield (name, parameter names, view class or None) of every named route outside the admin."""
    for name, parameters, view_class, _ in _walk():
        yield name, parameters, view_class


def api_routes():
    """Yield (name, parameter names) of every named route under /api/."""
    for name, parameters, _, route in _walk():
        if route.startswith("api/"):
            yield name, parameters


def api_write_routes():
    """Yield (name, parameter names, method) for each write method a DRF view of the API implements."""
    for name, parameters, view_class in named_routes():
        if view_class and issubclass(view_class, APIView):
            for method in ("post", "put", "patch", "delete"):
                if hasattr(view_class, method):
                    yield name, parameters, method
