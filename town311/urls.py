from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import path

from town311.front import views as front_views

urlpatterns = [
    path("", front_views.home, name="home"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
