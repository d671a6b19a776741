from django.urls import path

from town311.staff import (
    views_auth,
    views_intake,
    views_lingering,
    views_queue,
    views_request,
    views_templates,
)

app_name = "staff"

urlpatterns: list = [
    # /staff/ (sign-in)
    path("", views_auth.home, name="home"),
    path("login/", views_auth.login, name="login"),
    path("logout/", views_auth.logout, name="logout"),
    # /staff/queue/
    path("queue/", views_queue.queue, name="queue"),
    path("queue/bulk/", views_queue.bulk, name="bulk"),
    path("queue.geojson", views_queue.queue_map, name="queue-map"),
    # /staff/requests/<pk>/ and one URL per action on it
    path("requests/<int:pk>/", views_request.details, name="request"),
    path(
        "requests/<int:pk>/acknowledge/", views_request.acknowledge, name="acknowledge"
    ),
    path("requests/<int:pk>/start/", views_request.start, name="start"),
    path("requests/<int:pk>/reply/", views_request.reply, name="reply"),
    path("requests/<int:pk>/note/", views_request.note, name="note"),
    path("requests/<int:pk>/ask/", views_request.ask, name="ask"),
    path("requests/<int:pk>/assign/", views_request.assign, name="assign"),
    path("requests/<int:pk>/reassign/", views_request.reassign, name="reassign"),
    path("requests/<int:pk>/refer/", views_request.refer, name="refer"),
    path("requests/<int:pk>/merge/", views_request.merge, name="merge"),
    path("requests/<int:pk>/close/", views_request.close, name="close"),
    path("requests/<int:pk>/reopen/", views_request.reopen, name="reopen"),
    path("requests/<int:pk>/block/", views_request.block, name="block"),
    path("requests/<int:pk>/redact/", views_request.redact, name="redact"),
    # /staff/templates/
    path("templates/", views_templates.templates, name="templates"),
    path("templates/add/", views_templates.template_add, name="template-add"),
    path("templates/<int:pk>/", views_templates.template_edit, name="template-edit"),
    path(
        "templates/<int:pk>/delete/",
        views_templates.template_delete,
        name="template-delete",
    ),
    # /staff/intake/ (phone and walk-in requests)
    path("intake/", views_intake.intake, name="intake"),
    # /staff/lingering/ (coordinators)
    path("lingering/", views_lingering.lingering, name="lingering"),
    path("lingering/nudge/<slug:slug>/", views_lingering.nudge, name="nudge"),
]
