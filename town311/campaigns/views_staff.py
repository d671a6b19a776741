"""The staff pages of campaigns: the list, setting one up, and the
moderation queue with its actions.

Every staff member moderates; only coordinators and administrators set
campaigns up. Each moderation action is a POST to its own URL carrying
the status the page showed, so a second tap finds the work done and says
so instead of failing, and a refused action redraws the queue with the
message next to what was typed.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from town311.campaigns import services
from town311.campaigns.forms_staff import (
    AnswersForm,
    ApproveForm,
    BulkForm,
    CampaignForm,
    MergeForm,
    QueueFilterForm,
    RejectForm,
    question_formset,
)
from town311.campaigns.models import Campaign, Datatype, Submission
from town311.campaigns.setup import (
    LIST_DATATYPES,
    campaign_save,
    may_set_up_campaigns,
)
from town311.directory.models import Town
from town311.lib.errors import ActionError, InvalidInput, NotAllowed
from town311.staff.access import staff_required

logger = logging.getLogger(__name__)

Status = Submission.Status
PER_PAGE = 20
TAB_WORDS = dict(QueueFilterForm.base_fields["status"].choices)
STATE_WORDS = {"upcoming": "Not started", "open": "Open", "ended": "Ended"}
NEW_CAMPAIGN = {"photo_required": True, "publication": Campaign.Publication.MODERATED}
DONE_WORDS = {
    "approve": "approved",
    "reject": "rejected",
    "merge": "merged",
    "answers": "changed",
}


def _town_zone():
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def _check_organiser(user) -> None:
    if not may_set_up_campaigns(user):
        raise PermissionDenied(
            "Only coordinators and administrators set up campaigns. You can "
            "still moderate their submissions from the campaigns list."
        )


# /staff/campaigns/


@staff_required
def campaigns(request):
    counted = {
        status: Count("submissions", filter=Q(submissions__status=status))
        for status in Status.values
    }
    rows = list(Campaign.objects.annotate(**counted))
    for campaign in rows:
        campaign.state_words = STATE_WORDS[services.campaign_state(campaign)]

    context = {
        "campaigns": rows,
        "may_set_up": may_set_up_campaigns(request.user),
    }
    return render(request, "staff/campaigns/list.html", context)


# /staff/campaigns/add/ and /staff/campaigns/<slug>/edit/


@staff_required
def campaign_add(request):
    _check_organiser(request.user)
    return _campaign_form_page(request, None)


@staff_required
def campaign_edit(request, slug: str):
    _check_organiser(request.user)
    campaign = get_object_or_404(Campaign, slug=slug)
    return _campaign_form_page(request, campaign)


def _campaign_form_page(request, campaign: Campaign | None):
    questions = services.campaign_questions(campaign) if campaign else []
    if request.method != "POST":
        if campaign:
            form = CampaignForm.for_campaign(campaign)
        else:
            form = CampaignForm(initial=NEW_CAMPAIGN)
        formset = question_formset(questions=questions)
        return _campaign_form_render(request, campaign, form, formset)

    form = CampaignForm(request.POST)
    formset = question_formset(request.POST, questions=questions)
    if not (form.is_valid() and formset.is_valid()):
        return _campaign_form_render(request, campaign, form, formset, status=400)

    repeated = _repeated_create(request.user, form) if campaign is None else None
    if repeated is not None:
        messages.info(request, f"The campaign “{repeated.title}” was created already.")
        return redirect("staff-campaigns:list")

    try:
        saved = campaign_save(
            campaign=campaign,
            data=form.campaign_data(),
            questions=formset.questions(),
            by=request.user,
        )
    except NotAllowed as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except InvalidInput as error:
        _errors_to_forms(error.errors, form, formset)
        return _campaign_form_render(request, campaign, form, formset, status=400)

    done = "saved" if campaign else "created"
    messages.success(request, f"The campaign “{saved.title}” is {done}.")
    return redirect("staff-campaigns:list")


def _repeated_create(user, form: CampaignForm) -> Campaign | None:
    """The campaign an earlier post of this same page created: same address,
    by the same person, after the page was drawn."""
    issued_at = form.issued_at()
    if issued_at is None:
        return None

    return Campaign.objects.filter(
        slug=form.cleaned_data["slug"], created_by=user, created_at__gte=issued_at
    ).first()


def _errors_to_forms(errors: dict[str, str], form, formset) -> None:
    forms_by_prefix = {f.prefix: f for f in formset.forms}
    for key, message in errors.items():
        if key in form.fields:
            form.add_error(key, message)
            continue

        prefix, _, field = key.rpartition("-")
        question_form = forms_by_prefix.get(prefix)
        if question_form is not None and field in question_form.fields:
            question_form.add_error(field, message)
        else:
            form.add_error(None, message)


def _campaign_form_render(request, campaign, form, formset, *, status=200):
    question_errors = [
        (index + 1, error)
        for index, question_form in enumerate(formset.forms)
        for errors in question_form.errors.values()
        for error in errors
    ]
    context = {
        "campaign": campaign,
        "form": form,
        "formset": formset,
        "question_errors": question_errors,
        "list_datatypes": LIST_DATATYPES,
    }
    return render(request, "staff/campaigns/form.html", context, status=status)


# /staff/campaigns/<slug>/queue/


@dataclass
class Card:
    """One submission as the queue shows it, with its action forms."""

    submission: Submission
    answers: list[tuple[str, str]]
    nearby: list
    forms: dict


@staff_required
def queue(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    return _queue_render(request, campaign)


def _queue_render(request, campaign: Campaign, *, back="", bound=None, status=200):
    """The queue at `back` (by default the page asked for); `bound` holds a
    refused action's form, keyed by (submission pk, action), to show with
    its errors and what was typed."""
    # Times on the page, and in the answer forms, are the town's.
    with timezone.override(_town_zone()):
        context = _queue_context(request, campaign, back=back, bound=bound or {})
        return render(request, "staff/campaigns/queue.html", context, status=status)


def _queue_context(request, campaign: Campaign, *, back: str, bound: dict) -> dict:
    back = back or request.get_full_path()
    filter_form = QueueFilterForm(QueryDict(back.partition("?")[2]))
    shown = filter_form.chosen_status()
    questions = services.campaign_questions(campaign)

    submissions = _queue_submissions(campaign, shown)
    page = Paginator(submissions, PER_PAGE).get_page(filter_form.data.get("page"))
    cards = [_card(submission, questions, bound) for submission in page.object_list]

    by_status = campaign.submissions.order_by().values_list("status")
    counts = dict(by_status.annotate(n=Count("pk")))
    return {
        "campaign": campaign,
        "state_words": STATE_WORDS[services.campaign_state(campaign)],
        "filter_form": filter_form,
        "shown": shown,
        "shown_label": TAB_WORDS[shown],
        "tabs": [
            (value, label, counts.get(value, 0))
            for value, label in filter_form.fields["status"].choices
            if value != "all"
        ],
        "total": sum(counts.values()),
        "page": page,
        "cards": cards,
        "bulk_form": bound.get("bulk") or BulkForm(initial={"next": back}),
        "ticked": _ticked(bound.get("bulk")),
        "next": back,
    }


def _ticked(form: BulkForm | None) -> set[int]:
    """The boxes a refused bulk action had ticked, to tick them again."""
    if form is None:
        return set()

    return {int(pk) for pk in form.data.getlist("submissions") if pk.isdigit()}


def _queue_submissions(campaign: Campaign, shown: str):
    submissions = campaign.submissions.select_related("moderated_by", "merged_into")
    if shown == "all":
        # Waiting ones first: they are the work.
        waiting = Case(
            When(status=Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return submissions.order_by(waiting, "-submitted_at", "-pk")

    submissions = submissions.filter(status=shown)
    if shown == Status.PENDING:
        # The longest waiting first, so nobody waits long.
        return submissions.order_by("submitted_at", "pk")

    return submissions.order_by("-moderated_at", "-submitted_at", "-pk")


def _nearby_others(submission: Submission) -> list:
    """The published points near a submission, other than itself: the
    points it may be merged into."""
    points = services.nearby_points(
        submission.campaign, submission.lat, submission.long
    )
    return [(point, metres) for point, metres in points if point.pk != submission.pk]


def _card(submission: Submission, questions, bound: dict) -> Card:
    nearby = _nearby_others(submission)
    forms = {
        "approve": ApproveForm(submission=submission),
        "reject": RejectForm(submission=submission),
        "merge": MergeForm(submission=submission, nearby=nearby),
        "answers": AnswersForm(submission=submission, questions=questions),
    }
    for action in forms:
        if (submission.pk, action) in bound:
            forms[action] = bound[(submission.pk, action)]

    return Card(
        submission=submission,
        answers=_answer_rows(questions, submission.answers),
        nearby=nearby,
        forms=forms,
    )


def _answer_rows(questions, answers: dict) -> list[tuple[str, str]]:
    """Each question with its answer in words: choices by their names."""
    rows = []
    for question in questions:
        answer = answers.get(question.code)
        if answer in (None, "", []):
            rows.append((question.description, "No answer"))
            continue

        if question.datatype == Datatype.DATETIME:
            rows.append((question.description, _moment_words(answer)))
            continue

        names = {value.key: value.name for value in question.values.all()}
        items = answer if isinstance(answer, list) else [answer]
        words = ", ".join(names.get(str(item), str(item)) for item in items)
        rows.append((question.description, words))

    return rows


def _moment_words(answer) -> str:
    try:
        moment = datetime.fromisoformat(str(answer))
    except ValueError:
        return str(answer)

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)

    return formats.date_format(moment, "DATETIME_FORMAT")


# Moderation actions: /staff/campaigns/<slug>/submissions/<pk>/<action>/


def _back(request, campaign: Campaign) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target

    return reverse("staff-campaigns:moderation", args=[campaign.slug])


def _already_done(action: str, submission: Submission, form) -> bool:
    if action == "approve":
        return submission.status == Status.PUBLISHED
    if action == "reject":
        return submission.status == Status.REJECTED
    if action == "merge":
        return (
            submission.status == Status.MERGED
            and submission.merged_into_id == form.cleaned_data.get("into")
        )

    return False


def _moderate(request, slug: str, pk: int, form_class, perform, **form_options):
    """Run one moderation action from its form: `perform(submission, form)`
    calls the service and returns what to tell the moderator."""
    campaign = get_object_or_404(Campaign, slug=slug)
    submission = get_object_or_404(
        campaign.submissions.select_related("moderated_by"), pk=pk
    )
    options = {name: make(submission) for name, make in form_options.items()}
    form = form_class(request.POST, submission=submission, **options)
    action = form.action
    back = _back(request, campaign)

    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was done to submission {pk}: {problems}")
        return _queue_again(request, campaign, {(pk, action): form}, status=400)

    seen = form.cleaned_data.get("seen")
    if seen and seen != submission.status:
        if _already_done(action, submission, form):
            messages.info(request, f"Submission {pk} was {DONE_WORDS[action]} already.")
            return HttpResponseRedirect(back)

        who = submission.moderated_by or "someone"
        messages.error(
            request,
            f"Nothing was done: submission {pk} was "
            f"{submission.get_status_display().lower()} by {who} in the meantime; "
            f"it is listed under “{TAB_WORDS[submission.status]}”.",
        )
        return HttpResponseRedirect(back)

    try:
        done = perform(submission, form)
    except InvalidInput as error:
        form.add_service_errors(error.errors)
        messages.error(request, f"Nothing was done to submission {pk}: {error.message}")
        return _queue_again(request, campaign, {(pk, action): form}, status=400)
    except ActionError as error:
        messages.error(request, f"Nothing was done to submission {pk}: {error.message}")
        return _queue_again(request, campaign, {(pk, action): form}, status=409)

    messages.success(request, done)
    return HttpResponseRedirect(back)


def _queue_again(request, campaign: Campaign, bound: dict, *, status: int):
    """The queue the moderator came from, redrawn with the refused form."""
    back = _back(request, campaign)
    return _queue_render(request, campaign, back=back, bound=bound, status=status)


def _thanked(submission: Submission) -> str:
    if submission.contributor_email:
        return " The contributor is thanked by e-mail."

    return ""


@require_POST
@staff_required
def approve(request, slug: str, pk: int):
    def perform(submission, form):
        submission = services.submission_approve(submission, by=request.user)
        return f"Submission {pk} is approved and published.{_thanked(submission)}"

    return _moderate(request, slug, pk, ApproveForm, perform)


@require_POST
@staff_required
def reject(request, slug: str, pk: int):
    def perform(submission, form):
        services.submission_reject(
            submission, by=request.user, reason=form.cleaned_data["reason"]
        )
        return f"Submission {pk} is rejected: {form.cleaned_data['reason']}"

    return _moderate(request, slug, pk, RejectForm, perform)


@require_POST
@staff_required
def merge(request, slug: str, pk: int):
    def perform(submission, form):
        into = form.into_point()
        services.submission_merge(submission, into=into, by=request.user)
        return (
            f"Submission {pk} is merged into point {into.pk}, which counts it as "
            f"a confirmation.{_thanked(submission)}"
        )

    return _moderate(request, slug, pk, MergeForm, perform, nearby=_nearby_others)


@require_POST
@staff_required
def answers(request, slug: str, pk: int):
    def perform(submission, form):
        services.submission_answers_edit(
            submission, answers=form.answers(), by=request.user
        )
        return f"The answers of submission {pk} are saved."

    def questions(submission):
        return services.campaign_questions(submission.campaign)

    return _moderate(request, slug, pk, AnswersForm, perform, questions=questions)


# /staff/campaigns/<slug>/queue/bulk/


@require_POST
@staff_required
def bulk(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    form = BulkForm(request.POST)
    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was done: {problems}")
        return _queue_again(request, campaign, {"bulk": form}, status=400)

    action = form.cleaned_data["action"]
    ticked = campaign.submissions.filter(pk__in=form.cleaned_data["submissions"])
    try:
        changed = services.submissions_bulk(
            action=action,
            submissions=list(ticked),
            by=request.user,
            reason=form.cleaned_data["reason"].strip(),
        )
    except ActionError as error:
        messages.error(request, f"Nothing was done: {error.message}")
        return _queue_again(request, campaign, {"bulk": form}, status=409)

    _bulk_report(request, action, form.cleaned_data["submissions"], changed, ticked)
    return HttpResponseRedirect(_back(request, campaign))


def _bulk_report(request, action: str, wanted: list[int], changed: int, ticked):
    done = DONE_WORDS[action]
    target = Status.PUBLISHED if action == "approve" else Status.REJECTED
    if changed == len(wanted):
        noun = "submission" if changed == 1 else "submissions"
        messages.success(request, f"{changed} {noun} {done}.")
        return

    found = ticked.count() == len(wanted)
    if changed == 0 and found and not ticked.exclude(status=target).exists():
        # A second tap on the same button: the first did the work.
        messages.info(request, f"The ticked submissions were {done} already.")
        return

    skipped = len(wanted) - changed
    were = "1 was" if skipped == 1 else f"{skipped} were"
    if changed == 0:
        messages.error(
            request,
            "Nothing was done: the ticked submissions were moderated already "
            "or are no longer in this campaign.",
        )
        return

    noun = "submission" if changed == 1 else "submissions"
    messages.warning(
        request,
        f"{changed} {noun} {done}; {were} skipped, as someone had moderated "
        "them already.",
    )
