"""'My studies': the signed-in user's own and shared studies, the landing page after sign-in."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive.selectors.my_studies import studies_of_user
from archive.views.study_page import requested_page

STUDIES_PER_PAGE = 20


@login_required
@require_safe
def my_studies(request):
    paginator = Paginator(studies_of_user(request.user), STUDIES_PER_PAGE, allow_empty_first_page=True)
    number = requested_page(request)
    if number > paginator.num_pages:
        context = {
            "page_obj": None,
            "page_error": f"Page {number} does not exist: your studies fill {paginator.num_pages} page(s).",
        }
        return render(request, "archive/my_studies.html", context, status=400)
    return render(request, "archive/my_studies.html", {"page_obj": paginator.page(number)})
