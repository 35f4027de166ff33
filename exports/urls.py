from django.urls import path

from exports import views

urlpatterns = [
    path("studies/<str:accession>/datacite.xml", views.study_datacite_xml, name="study-datacite"),
    path(
        "studies/<str:accession>/v<int:version>/datacite.xml", views.study_datacite_xml, name="study-version-datacite"
    ),
]
