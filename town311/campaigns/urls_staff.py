"""The staff pages of campaigns: setting them up and moderating."""

from django.urls import path

from town311.campaigns import views_staff

app_name = "staff-campaigns"

urlpatterns = [
    # /staff/campaigns/ (the list, and setting a campaign up)
    path("", views_staff.campaigns, name="list"),
    path("add/", views_staff.campaign_add, name="add"),
    path("<slug:slug>/edit/", views_staff.campaign_edit, name="edit"),
    # /staff/campaigns/<slug>/queue/ (moderation)
    path("<slug:slug>/queue/", views_staff.queue, name="moderation"),
    path("<slug:slug>/queue/bulk/", views_staff.bulk, name="bulk"),
    # /staff/campaigns/<slug>/submissions/<pk>/ and one URL per action on it
    path(
        "<slug:slug>/submissions/<int:pk>/approve/",
        views_staff.approve,
        name="approve",
    ),
    path("<slug:slug>/submissions/<int:pk>/reject/", views_staff.reject, name="reject"),
    path("<slug:slug>/submissions/<int:pk>/merge/", views_staff.merge, name="merge"),
    path(
        "<slug:slug>/submissions/<int:pk>/answers/",
        views_staff.answers,
        name="answers",
    ),
]
