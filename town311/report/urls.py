from django.urls import path

from town311.report import views

app_name = "report"

urlpatterns = [
    path("", views.service_list, name="service"),
    # A slug cannot hold a dot, so no service code hides this one.
    path("places.json", views.places, name="places"),
    path("done/<int:pk>/", views.report_done, name="done"),
    # /report/<service_code>/...
    path("<slug:service_code>/", views.report_form, name="form"),
    path("<slug:service_code>/nearby/", views.nearby, name="nearby"),
    path("<slug:service_code>/photos/", views.photo_upload, name="photo-upload"),
]
