"""Files that crawlers and browsers ask for by a fixed name: robots.txt and favicon.ico.

The sitemap is served by django.contrib.sitemaps.
"""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

# Private or transactional areas that crawlers have no business in.
DISALLOWED = ["/admin/", "/api/v1/uploads/", "/review/", "/accounts/"]


@require_safe
def robots_txt(request):
    # Disallow lines come first: first-match parsers (Python's robotparser) would otherwise stop at
    # "Allow: /"; RFC 9309's longest match gives the same answer in either order.
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /"]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def favicon(request):
    # Browsers ask for /favicon.ico where no page names an icon (API answers, downloads). Not a permanent
    # redirect: the static file's hashed name changes with its content.
    return redirect(static("img/favicon.svg"))
