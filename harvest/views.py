"""The OAI-PMH endpoint: arguments by GET, or by POST as application/x-www-form-urlencoded (OAI-PMH 2.0 §3.1.1)."""

from django.http import HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harvest.answers import oai_answer

FORM_TYPE = "application/x-www-form-urlencoded"


# Harvesters are programs with no session to protect: a POST is a query like a GET, and changes nothing.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def oai(request):
    arguments = request.GET
    if request.method == "POST":
        # Another body type has no arguments for the protocol: the answer says the verb is missing.
        arguments = request.POST if request.content_type == FORM_TYPE else QueryDict()
    return HttpResponse(oai_answer(arguments), content_type="text/xml; charset=utf-8")
