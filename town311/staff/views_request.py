"""The staff request page and every action taken on it.

Each action is a POST to its own URL that calls the lifecycle with the
version the page showed. A plain form post gets a redirect back to the
page with a message; an htmx post gets the page's workspace section,
redrawn with the new state. A refused action shows why together with the
request as it is now, keeping what the staff member typed so nothing is
lost when someone else acted first.
"""

import logging
from dataclasses import dataclass, field

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from town311.directory.models import Town
from town311.lib.errors import ActionError, InvalidInput, NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import Event, Redaction, ServiceRequest
from town311.servicerequests.selectors import nearby_open_requests
from town311.staff import forms_request as forms
from town311.staff.access import request_for_staff, staff_required
from town311.staff.blockers import request_block
from town311.staff.redaction import REDACTED, can_see_originals, request_redact

logger = logging.getLogger(__name__)

# Close enough on the request's map to tell one street from the next.
MAP_ZOOM = 17

Kind = Event.Kind

FORMS = [
    forms.AcknowledgeForm,
    forms.StartForm,
    forms.ReplyForm,
    forms.NoteForm,
    forms.AskForm,
    forms.AssignForm,
    forms.ReassignForm,
    forms.ReferForm,
    forms.MergeForm,
    forms.CloseForm,
    forms.ReopenForm,
    forms.BlockForm,
]


@dataclass
class Entry:
    """One timeline event as staff read it."""

    event: Event
    title: str
    who: str
    is_internal: bool
    redactions: list = field(default_factory=list)

    @property
    def can_redact(self) -> bool:
        # Routing and merge texts are written by the system, not a person.
        written = self.event.kind not in (Kind.ROUTED, Kind.MERGED)
        return written and bool(self.event.text) and self.event.text != REDACTED


# The page


@staff_required
def details(request, pk: int):
    service_request = request_for_staff(request.user, pk)
    return _render_page(request, service_request)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render_page(request, service_request, *, bound=None, status=200):
    service_request = _loaded(service_request.pk)
    context = _context(request, service_request, bound or {})

    # An htmx action swaps the workspace only, and must show its own
    # messages since the page's message area is outside it.
    if _is_htmx(request):
        template, status = "staff/request_workspace.html", 200
    else:
        template = "staff/request.html"

    town = Town.objects.current()
    with timezone.override(town.zone if town else None):
        return render(request, template, context, status=status)


def _loaded(pk: int) -> ServiceRequest:
    return ServiceRequest.objects.select_related(
        "service",
        "department",
        "agency",
        "assignee",
        "duplicate_of",
        "blocker",
        "neighbourhood",
    ).get(pk=pk)


def _context(request, service_request: ServiceRequest, bound: dict) -> dict:
    user = request.user
    redactions = list(
        service_request.redactions.select_related("redacted_by", "event", "photo")
    )
    action_forms = {}
    for form_class in FORMS:
        action_forms[form_class.action] = bound.get(form_class.action) or form_class(
            service_request=service_request, user=user
        )

    nearby = [
        other
        for other in nearby_open_requests(
            service=service_request.service,
            lat=service_request.lat,
            long=service_request.long,
        )
        if other.pk != service_request.pk
    ]

    return {
        "service_request": service_request,
        "timeline": _timeline(service_request, redactions),
        "photos": _photos(service_request, redactions),
        "description_redactions": [
            r for r in redactions if r.target == Redaction.Target.DESCRIPTION
        ],
        "can_see_originals": can_see_originals(user),
        "followers_count": service_request.followers.count(),
        "me_too_count": service_request.me_toos.count(),
        "nearby": nearby,
        "forms": action_forms,
        "is_htmx": _is_htmx(request),
        "redacted_marker": REDACTED,
        "map_zoom": MAP_ZOOM,
    }


def _photos(service_request, redactions) -> list[tuple]:
    by_photo = {}
    for redaction in redactions:
        if redaction.photo_id:
            by_photo.setdefault(redaction.photo_id, []).append(redaction)

    return [
        (photo, by_photo.get(photo.pk, [])) for photo in service_request.photos.all()
    ]


def _timeline(service_request, redactions) -> list[Entry]:
    by_event = {}
    for redaction in redactions:
        if redaction.event_id:
            by_event.setdefault(redaction.event_id, []).append(redaction)

    events = service_request.events.select_related(
        "actor",
        "from_department",
        "to_department",
        "agency",
        "assignee",
    )
    return [
        Entry(
            event=event,
            title=_title(event),
            who=_who(event),
            is_internal=not event.is_public,
            redactions=by_event.get(event.pk, []),
        )
        for event in events
    ]


def _title(event: Event) -> str:
    match event.kind:
        case Kind.SUBMITTED:
            return "Submitted"
        case Kind.ROUTED:
            return f"Routed to {event.to_department or 'no department'}"
        case Kind.ACKNOWLEDGED:
            return "Acknowledged"
        case Kind.WORK_STARTED:
            return "Work started"
        case Kind.REPLY:
            return "Public reply"
        case Kind.NOTE:
            return "Internal note"
        case Kind.INFORMATION_REQUESTED:
            return "Asked the resident for information"
        case Kind.INFORMATION_PROVIDED:
            return "The resident answered"
        case Kind.ASSIGNED:
            return f"Assigned to {event.assignee}" if event.assignee else "Unassigned"
        case Kind.REASSIGNED:
            return f"Reassigned from {event.from_department} to {event.to_department}"
        case Kind.REFERRED:
            return f"Referred to {event.agency}"
        case Kind.MERGED:
            return f"Merged as a duplicate of request {event.duplicate_of_id}"
        case Kind.CLOSED:
            return f"Closed: {event.get_resolution_display().lower()}"
        case Kind.REOPENED:
            return "Reopened"

    return event.get_kind_display()


def _who(event: Event) -> str:
    if event.actor is not None:
        return str(event.actor)

    if event.kind == Kind.ROUTED:
        return "Routing"

    return "The resident"


# Acting on the request


def _act(request, pk: int, form_class, perform):
    """Run one action from its form: `perform(service_request, data)` calls
    the lifecycle and returns the message to show when it worked."""
    service_request = request_for_staff(request.user, pk)
    form = form_class(request.POST, service_request=service_request, user=request.user)

    if "use_template" in request.POST and isinstance(form, forms.TemplatePickForm):
        bound = {form.action: form.with_template()}
        return _render_page(request, service_request, bound=bound)

    if not form.is_valid():
        messages.error(request, "Nothing was done: " + _form_errors(form))
        return _render_page(
            request, service_request, bound={form.action: form}, status=400
        )

    try:
        done = perform(service_request, form.cleaned_data)
    except ActionError as error:
        messages.error(request, error.message)
        if isinstance(error, InvalidInput):
            status = 400
        elif isinstance(error, NotAllowed):
            status = 403
        else:
            status = 409
        return _render_page(
            request, service_request, bound={form.action: form}, status=status
        )

    messages.success(request, done)
    if _is_htmx(request):
        return _render_page(request, service_request)

    return redirect("staff:request", pk=service_request.pk)


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@require_POST
@staff_required
def acknowledge(request, pk: int):
    def perform(service_request, data):
        services.request_acknowledge(
            service_request,
            by=request.user,
            message=data["message"],
            seen_version=data["version"],
        )
        if data["message"].strip():
            return (
                f"Acknowledged request {service_request.number} and sent your message."
            )
        return f"Acknowledged request {service_request.number}."

    return _act(request, pk, forms.AcknowledgeForm, perform)


@require_POST
@staff_required
def start(request, pk: int):
    def perform(service_request, data):
        services.request_start_work(
            service_request,
            by=request.user,
            message=data["message"],
            seen_version=data["version"],
        )
        return f"Request {service_request.number} is in progress."

    return _act(request, pk, forms.StartForm, perform)


@require_POST
@staff_required
def reply(request, pk: int):
    def perform(service_request, data):
        services.request_reply(
            service_request,
            by=request.user,
            text=data["text"],
            seen_version=data["version"],
        )
        return "Your reply was sent to the followers and shows on the public page."

    return _act(request, pk, forms.ReplyForm, perform)


@require_POST
@staff_required
def note(request, pk: int):
    def perform(service_request, data):
        services.request_add_note(
            service_request,
            by=request.user,
            text=data["text"],
            seen_version=data["version"],
        )
        return "Internal note saved. Residents do not see it."

    return _act(request, pk, forms.NoteForm, perform)


@require_POST
@staff_required
def ask(request, pk: int):
    def perform(service_request, data):
        services.request_ask_information(
            service_request,
            by=request.user,
            question=data["question"],
            seen_version=data["version"],
        )
        return "Your question was e-mailed to the reporter."

    return _act(request, pk, forms.AskForm, perform)


@require_POST
@staff_required
def assign(request, pk: int):
    def perform(service_request, data):
        services.request_assign(
            service_request,
            by=request.user,
            assignee=data["assignee"],
            seen_version=data["version"],
        )
        if data["assignee"] is None:
            return f"Request {service_request.number} is assigned to nobody now."
        if data["assignee"] == request.user:
            return f"Request {service_request.number} is assigned to you."
        return f"Request {service_request.number} is assigned to {data['assignee']}."

    return _act(request, pk, forms.AssignForm, perform)


@require_POST
@staff_required
def reassign(request, pk: int):
    def perform(service_request, data):
        services.request_reassign(
            service_request,
            by=request.user,
            department=data["department"],
            reason=data["reason"],
            seen_version=data["version"],
        )
        return (
            f"Request {service_request.number} moved to {data['department']}; "
            "the followers were told why."
        )

    return _act(request, pk, forms.ReassignForm, perform)


@require_POST
@staff_required
def refer(request, pk: int):
    def perform(service_request, data):
        services.request_refer(
            service_request,
            by=request.user,
            agency=data["agency"],
            message=data["message"],
            seen_version=data["version"],
        )
        return (
            f"Request {service_request.number} is closed as referred to "
            f"{data['agency']}; the followers were told how to reach them."
        )

    return _act(request, pk, forms.ReferForm, perform)


@require_POST
@staff_required
def merge(request, pk: int):
    def perform(service_request, data):
        services.request_merge(
            service_request,
            by=request.user,
            original=data["original"],
            seen_version=data["version"],
        )
        return (
            f"Request {service_request.number} is closed as a duplicate of request "
            f"{service_request.duplicate_of_id}; its followers moved there and "
            "were told."
        )

    return _act(request, pk, forms.MergeForm, perform)


@require_POST
@staff_required
def close(request, pk: int):
    def perform(service_request, data):
        services.request_close(
            service_request,
            by=request.user,
            resolution=data["resolution"],
            message=data["message"],
            seen_version=data["version"],
        )
        return (
            f"Request {service_request.number} is closed: "
            f"{service_request.get_resolution_display().lower()}."
        )

    return _act(request, pk, forms.CloseForm, perform)


@require_POST
@staff_required
def reopen(request, pk: int):
    def perform(service_request, data):
        services.request_reopen(
            service_request,
            by=request.user,
            reason=data["reason"],
            seen_version=data["version"],
        )
        return f"Request {service_request.number} is open again, acknowledged."

    return _act(request, pk, forms.ReopenForm, perform)


@require_POST
@staff_required
def block(request, pk: int):
    def perform(service_request, data):
        request_block(
            service_request,
            by=request.user,
            blocker=data["blocker"],
            seen_version=data["version"],
        )
        if data["blocker"] is None:
            return f"Request {service_request.number} is no longer waiting."
        return (
            f"Request {service_request.number} is marked “{data['blocker']}”. "
            f"Residents read: {data['blocker'].public_text}"
        )

    return _act(request, pk, forms.BlockForm, perform)


@require_POST
@staff_required
def redact(request, pk: int):
    def perform(service_request, data):
        request_redact(
            service_request,
            by=request.user,
            target=data["target"],
            reason=data["reason"],
            event=data.get("event"),
            photo=data.get("photo"),
            seen_version=data["version"],
        )
        return "Redacted. The public page no longer shows it; the original is kept."

    return _act(request, pk, forms.RedactForm, perform)
