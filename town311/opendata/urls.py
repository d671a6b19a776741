from django.urls import path

from town311.opendata import views

app_name = "opendata"

urlpatterns = [
    # /open-data/
    path("", views.index, name="index"),
    path("requests.geojson", views.requests_geojson, name="requests-geojson"),
    path("requests.csv", views.requests_csv, name="requests-csv"),
    # /open-data/campaigns/
    path(
        "campaigns/<slug:slug>.geojson",
        views.campaign_geojson,
        name="campaign-geojson",
    ),
    path("campaigns/<slug:slug>.csv", views.campaign_csv, name="campaign-csv"),
]
