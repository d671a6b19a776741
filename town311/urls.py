from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from town311.front import views as front_views
from town311.opendata import views as opendata_views

urlpatterns = [
    path("", front_views.home, name="home"),
    path("", include("town311.front.urls")),
    path("report/", include("town311.report.urls")),
    path("my/", include("town311.residents.urls")),
    path("alerts/", include("town311.alerts.urls")),
    path("campaigns/", include("town311.campaigns.urls")),
    path("email/", include("town311.notifications.urls")),
    path("staff/campaigns/", include("town311.campaigns.urls_staff")),
    path("staff/", include("town311.staff.urls")),
    path("metrics/", include("town311.metrics.urls")),
    path("open311/", include("town311.open311.urls")),
    path("open-data/", include("town311.opendata.urls")),
    path("data.json", opendata_views.data_json, name="data-json"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
