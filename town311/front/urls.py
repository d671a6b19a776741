from django.urls import path

from town311.front import views

app_name = "front"

urlpatterns = [
    # /requests/
    path("requests/", views.browse, name="browse"),
    path("requests.geojson", views.requests_geojson, name="requests-geojson"),
    # /requests/<pk>/
    path("requests/<int:pk>/", views.details, name="request"),
    path("requests/<int:pk>/follow/", views.follow, name="follow"),
    path("requests/<int:pk>/me-too/", views.me_too, name="me-too"),
    # /requests/<pk>/... from links in e-mails
    path("requests/<int:pk>/answer/<str:token>/", views.answer, name="answer"),
    path("requests/<int:pk>/rate/<str:token>/", views.rate, name="rate"),
]
