from django.urls import path

from town311.notifications import views

app_name = "notifications"

urlpatterns = [
    # /email/
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
