"""Managing a department's response templates: leads manage their own
department's, administrators every department's."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from town311.accounts.models import User
from town311.staff.access import staff_required
from town311.staff.forms_templates import ResponseTemplateForm, departments_for
from town311.staff.models import ResponseTemplate
from town311.staff.templates_fill import PLACEHOLDERS

logger = logging.getLogger(__name__)


def _check_manager(user: User) -> None:
    if user.is_superuser:
        return

    if user.role != User.Role.LEAD or user.department_id is None:
        raise PermissionDenied(
            "Only a department's lead (or an administrator) manages its response "
            "templates. Ask your lead to add or change one."
        )


def _template_for(user: User, pk: int) -> ResponseTemplate:
    template = get_object_or_404(
        ResponseTemplate.objects.select_related("department"), pk=pk
    )
    if not user.is_superuser and template.department_id != user.department_id:
        raise PermissionDenied(
            f"“{template.title}” belongs to {template.department}, whose templates "
            "you do not manage."
        )

    return template


@staff_required
def templates(request):
    _check_manager(request.user)
    departments = departments_for(request.user)
    response_templates = ResponseTemplate.objects.filter(
        department__in=departments
    ).select_related("department")
    context = {
        "response_templates": response_templates.order_by(
            "department__name", "order", "title"
        ),
        "placeholders": PLACEHOLDERS,
    }
    return render(request, "staff/templates.html", context)


@staff_required
def template_add(request):
    _check_manager(request.user)
    departments = departments_for(request.user)
    form = ResponseTemplateForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        template = form.save()
        messages.success(request, f"Template “{template.title}” added.")
        return redirect("staff:templates")

    return render(request, "staff/template_form.html", {"form": form})


@staff_required
def template_edit(request, pk: int):
    _check_manager(request.user)
    template = _template_for(request.user, pk)
    form = ResponseTemplateForm(
        request.POST or None,
        instance=template,
        departments=departments_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Template “{template.title}” saved.")
        return redirect("staff:templates")

    context = {"form": form, "template": template}
    return render(request, "staff/template_form.html", context)


@require_POST
@staff_required
def template_delete(request, pk: int):
    _check_manager(request.user)
    template = _template_for(request.user, pk)
    template.delete()
    messages.success(request, f"Template “{template.title}” deleted.")
    return redirect("staff:templates")
