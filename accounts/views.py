"""Pages for a signed-in person's own account (profile and API token), and the answer to a locked log-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    current = selectors.profile_for(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.profile_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your profile has been saved.")
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={
                "given_name": request.user.first_name,
                "family_name": request.user.last_name,
                "orcid": current.orcid,
                "affiliation": current.affiliation,
            }
        )
    return render(request, "accounts/profile.html", {"form": form, "profile": current})


@never_cache  # the page shows the token
@login_required
@require_http_methods(["GET", "POST"])
def api_token(request):
    if request.method == "POST":
        services.api_token_regenerate(user=request.user)
        messages.success(request, "A new API token has been created; the previous one no longer works.")
        return redirect("accounts:api-token")
    token = selectors.api_token_for(user=request.user)
    studies_url = request.build_absolute_uri("/api/v1/studies/")
    return render(request, "accounts/api_token.html", {"token": token, "studies_url": studies_url})


def login_locked_out(request, response=None, credentials=None):
    """Answer a log-in to a locked account (AXES_LOCKOUT_CALLABLE) with 429 and how long to wait."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    context = {"failure_limit": settings.LOGIN_FAILURE_LIMIT, "lockout_minutes": minutes}
    locked = render(request, "accounts/locked_out.html", context, status=429)
    locked["Retry-After"] = str(minutes * 60)
    return locked
