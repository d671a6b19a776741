from django.urls import path

from town311.open311 import views, views_docs, views_updates

app_name = "open311"

urlpatterns: list = [
    # v2/
    path("v2/discovery.<str:fmt>", views.discovery, name="discovery"),
    path("v2/services.<str:fmt>", views.services, name="services"),
    path(
        "v2/services/<slug:service_code>.<str:fmt>",
        views.service_definition,
        name="service-definition",
    ),
    path("v2/requests.<str:fmt>", views.service_requests, name="requests"),
    path(
        "v2/requests/<str:service_request_id>.<str:fmt>",
        views.service_request,
        name="request",
    ),
    path("v2/tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path(
        "v2/servicerequestupdates.<str:fmt>",
        views_updates.service_request_updates,
        name="updates",
    ),
    path("", views_docs.index, name="index"),
    path("v2/openapi.json", views_docs.openapi, name="openapi"),
]
