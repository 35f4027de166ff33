"""Home and search pages."""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive.forms import SearchForm
from archive.selectors.files import studies_with_thumbnail
from archive.selectors.search import StudySearch, archive_counts, facet_counts, studies_listed_for, study_search_page

NEWEST_ON_HOME = 8
RESULTS_PER_PAGE = 20


@require_safe
def home(request):
    # The home page shows what the public sees, whoever is signed in.
    newest = studies_with_thumbnail(studies_listed_for(AnonymousUser(), StudySearch()))[:NEWEST_ON_HOME]
    return render(request, "archive/home.html", {"counts": archive_counts(), "newest": newest})


@require_safe
def search(request):
    form = SearchForm(request.GET or None, facets=facet_counts())
    context = {"form": form, "page_obj": None}
    if request.GET and not form.is_valid():
        return render(request, "archive/search.html", context, status=400)
    search = form.search() if form.is_bound else StudySearch()
    number = (form.cleaned_data.get("page") if form.is_bound else None) or 1
    results = study_search_page(request.user, search, page=number, per_page=RESULTS_PER_PAGE)
    paginator = Paginator(results, RESULTS_PER_PAGE)
    if number > paginator.num_pages:
        results_paged = f"the first {results.total:,} results" if results.more else "the results"
        form.add_error("page", f"Page {number} does not exist: {results_paged} fill {paginator.num_pages} page(s).")
        return render(request, "archive/search.html", context, status=400)
    page_obj = paginator.page(number)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(page_obj=page_obj, query_without_page=query.urlencode(), filtered=form.is_bound and form.is_filtered)
    return render(request, "archive/search.html", context)
