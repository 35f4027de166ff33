from django.urls import path

from submissions import api

urlpatterns = [
    path("scope-form/", api.ScopeFormView.as_view(), name="api-scope-form"),
]
