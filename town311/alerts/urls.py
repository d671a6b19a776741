from django.urls import path

from town311.alerts import views

app_name = "alerts"

urlpatterns = [
    # /alerts/
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("feed/", views.feed, name="feed"),
]
