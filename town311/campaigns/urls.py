"""The public pages of campaigns."""

from django.urls import path

from town311.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    # /campaigns/<slug>/...
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/nearby.json", views.nearby, name="nearby"),
    path("<slug:slug>/photo/", views.photo_upload, name="photo-upload"),
    path("<slug:slug>/thanks/<int:pk>/", views.thanks, name="thanks"),
    path("<slug:slug>/confirmed/<int:pk>/", views.confirmed, name="confirmed"),
]
