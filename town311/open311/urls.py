from django.urls import path, re_path

from town311.open311 import views, views_docs, views_updates

app_name = "open311"

# Codes, ids and tokens are matched as any text, slashes included, so that
# a client sending a wrong one gets the Open311 404 rather than a web page.
urlpatterns: list = [
    # v2/
    path("v2/discovery.<str:fmt>", views.discovery, name="discovery"),
    path("v2/services.<str:fmt>", views.services, name="services"),
    path(
        "v2/services/<path:service_code>.<str:fmt>",
        views.service_definition,
        name="service-definition",
    ),
    path("v2/requests.<str:fmt>", views.service_requests, name="requests"),
    path(
        "v2/requests/<path:service_request_id>.<str:fmt>",
        views.service_request,
        name="request",
    ),
    path("v2/tokens/<path:token>.<str:fmt>", views.token, name="token"),
    path(
        "v2/servicerequestupdates.<str:fmt>",
        views_updates.service_request_updates,
        name="updates",
    ),
    path("", views_docs.index, name="index"),
    path("v2/openapi.json", views_docs.openapi, name="openapi"),
    re_path(r"^v2/", views.unknown_endpoint, name="unknown"),
]
