from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from town311.front import views as front_views

urlpatterns = [
    path("", front_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
