from django.urls import path

from town311.residents import views

app_name = "residents"

urlpatterns = [
    # /my/
    path("", views.my_requests, name="my-requests"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/<str:token>/", views.sign_in_link, name="sign-in-link"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("requests/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
