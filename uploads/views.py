"""The upload page: the caller's own upload area and nobody else's (P-UPLOAD-PRIVATE)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from uploads.errors import UploadNotFound
from uploads.forms import UploadAreaForm
from uploads.selectors import upload_area_listing, upload_file_get_owned
from uploads.services.upload import upload_file_delete

FILES_PER_PAGE = 50
# Uppy sends each PATCH in chunks of this size; a dropped connection loses at most one chunk.
TUS_CHUNK_BYTES = 50 * 1024 * 1024


@login_required
@require_safe
def area(request):
    form = UploadAreaForm(request.GET)
    listing = upload_area_listing(owner=request.user, per_page=FILES_PER_PAGE, **form.listing_arguments())
    context = {
        "form": form,
        "listing": listing,
        "retention_months": settings.UPLOAD_RETENTION_MONTHS,
        "warning_days": settings.UPLOAD_WARNING_DAYS,
        "max_file_bytes": settings.UPLOAD_MAX_FILE_BYTES,
        "chunk_bytes": TUS_CHUNK_BYTES,
        "portal_url": request.build_absolute_uri("/"),
    }
    return render(request, "uploads/area.html", context, status=200 if form.is_valid() else 400)


def _back_to(request) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("uploads:area")


@login_required
@require_http_methods(["GET", "POST"])
def file_delete(request, pk: int):
    """Delete one of the caller's files after a confirmation (the browser's, or this page's without JavaScript)."""
    back = _back_to(request)
    try:
        if request.method == "POST" and request.POST.get("confirmed") == "yes":
            upload_file_delete(owner=request.user, pk=pk)
            messages.success(request, "The file has been deleted from your upload area.")
            return redirect(back)
        upload = upload_file_get_owned(owner=request.user, pk=pk)
    except UploadNotFound:
        raise Http404("No such file in your upload area.") from None
    return render(request, "uploads/file_delete.html", {"upload": upload, "back": back})
