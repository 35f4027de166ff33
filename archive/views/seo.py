"""Files for crawlers: robots.txt (the sitemap is served by django.contrib.sitemaps)."""

from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

# Private or transactional areas that crawlers have no business in.
DISALLOWED = ["/admin/", "/api/v1/uploads/", "/review/", "/accounts/"]


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", "Allow: /", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
