"""URL map: pages, the JSON API and language switching."""

from __future__ import annotations

from django.urls import path
from django.views.i18n import set_language

from needlewise.api.routes import api
from needlewise.web.views import pages, questionnaire, saved

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("assess/", questionnaire.step, name="assess"),
    path("result/", questionnaire.result, name="result"),
    path("result/pdf/", questionnaire.result_pdf, name="result-pdf"),
    path("save/", saved.save, name="save"),
    path("r/<str:token>/", saved.show, name="saved"),
    path("r/<str:token>/pdf/", saved.pdf, name="saved-pdf"),
    path("r/<str:token>/delete/", saved.delete, name="saved-delete"),
    path("sources/", pages.sources, name="sources"),
    path("claims/", pages.claims, name="claims"),
    path("docs", pages.api_docs, name="api-docs"),
    path("language/", set_language, name="set-language"),
    path("", api.urls),
]

handler404 = "needlewise.web.views.pages.not_found"
handler500 = "needlewise.web.views.pages.server_error"
