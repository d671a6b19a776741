"""Setting up a campaign: its fields, its questions and their choices,
saved together so a campaign is never left half-defined."""

import logging
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from town311.accounts.models import User
from town311.campaigns.models import (
    POINT_COLUMNS,
    Campaign,
    CampaignQuestion,
    CampaignQuestionValue,
    Datatype,
)
from town311.directory.models import ServiceAttribute
from town311.lib import geo
from town311.lib.errors import InvalidInput, NotAllowed

logger = logging.getLogger(__name__)

# The fields of a campaign that campaign_save takes from `data`, with the
# value of one left out.
FIELDS = {
    "slug": "",
    "title": "",
    "description": "",
    "why": "",
    "area_name": "",
    "area": "",
    "starts_on": None,
    "ends_on": None,
    "photo_required": True,
    "publication": Campaign.Publication.MODERATED,
    "licence_name": "",
    "licence_url": "",
}
REQUIRED_FIELDS = {
    "slug": "Give the campaign an address (its slug), such as “bike-racks”.",
    "title": "Give the campaign a title.",
    "description": "Say what residents are asked to map.",
    "starts_on": "Give the first day submissions are taken.",
    "ends_on": "Give the last day submissions are taken.",
}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
LIST_DATATYPES = ServiceAttribute.LIST_DATATYPES
QUESTIONS = "questions"


def may_set_up_campaigns(user) -> bool:
    """Coordinators and administrators create and edit campaigns."""
    return bool(
        user.is_authenticated
        and user.is_active
        and isinstance(user, User)
        and user.sees_all_departments
    )


def question_key(index: int, field: str) -> str:
    """The error key of a question's field: the name the question formset
    gives that field, so a view puts the message next to it."""
    return f"{QUESTIONS}-{index}-{field}"


def campaign_save(
    *,
    campaign: Campaign | None,
    data: dict,
    questions: list[dict],
    by: User,
) -> Campaign:
    """Create a campaign (campaign=None) or update one, with its questions.

    `data` holds the campaign's fields (see FIELDS). Each question is a dict
    with `code`, `description`, `datatype`, and optionally `pk` (an existing
    question of this campaign to update), `datatype_description`,
    `required`, `order` and `values`, a list of (key, name) pairs for list
    questions. Existing questions left out of the list are deleted.

    Raises NotAllowed unless `by` is a coordinator or an administrator, and
    InvalidInput naming each field to fix: campaign fields by name, and
    question fields as question_key(index, field).
    """
    if not may_set_up_campaigns(by):
        raise NotAllowed(
            "Only coordinators and administrators set up campaigns. Ask one to "
            "create or change this campaign."
        )

    values = {name: data.get(name, default) for name, default in FIELDS.items()}
    errors = _campaign_errors(campaign, values)
    existing = {q.pk: q for q in campaign.questions.all()} if campaign else {}
    has_submissions = bool(campaign and campaign.submissions.exists())
    errors |= _questions_errors(questions, existing, has_submissions)
    if errors:
        raise InvalidInput(errors)

    try:
        with transaction.atomic():
            saved = _campaign_write(campaign, values, by)
            _questions_write(saved, questions, existing)
    except IntegrityError as e:
        # Two coordinators saving at the same moment: the checks above passed
        # for both, and a unique index stops the second.
        logger.warning("A campaign save lost a race: %s", e)
        message = _slug_taken(values["slug"], exclude=campaign) or (
            "Someone changed this campaign at the same time; reload the page "
            "and make your change again."
        )
        raise InvalidInput({"slug": message}) from e

    return saved


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _campaign_errors(campaign: Campaign | None, values: dict) -> dict[str, str]:
    errors = {
        name: message
        for name, message in REQUIRED_FIELDS.items()
        if _blank(values[name])
    }
    for name, value in values.items():
        message = _too_long(Campaign, name, value)
        if message:
            errors.setdefault(name, message)

    slug = values["slug"]
    if "slug" not in errors:
        if not SLUG.match(slug):
            errors["slug"] = (
                "Use only letters, digits, hyphens and underscores in the "
                "address, such as “bike-racks”."
            )
        elif campaign is None or slug != campaign.slug:
            taken = _slug_taken(slug, exclude=campaign)
            if taken:
                errors["slug"] = taken

    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = (
            f"The campaign ends before it starts: make the last day "
            f"{starts_on:%B} {starts_on.day}, {starts_on.year} or later."
        )

    area = values["area"] or ""
    if area.strip():
        try:
            geo.parse_area(area)
        except ValidationError as e:
            errors["area"] = " ".join(e.messages)

    if values["publication"] not in Campaign.Publication.values:
        errors["publication"] = (
            "Choose whether points are published at once or after moderation."
        )

    if values["licence_url"] and _blank(values["licence_name"]):
        errors["licence_name"] = (
            "Name the licence the address points to, or clear the address to "
            "use the town's open-data licence."
        )

    return errors


def _too_long(model, name: str, value) -> str:
    limit = model._meta.get_field(name).max_length
    if limit and isinstance(value, str) and len(value.strip()) > limit:
        return f"Keep it under {limit} characters; this is {len(value.strip())}."

    return ""


def _slug_taken(slug: str, *, exclude: Campaign | None = None) -> str:
    others = Campaign.objects.filter(slug=slug)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)

    other = others.first()
    if other is None:
        return ""

    return (
        f"The campaign “{other.title}” already uses the address “{slug}”; pick another."
    )


def _questions_errors(
    questions: list[dict], existing: dict, has_submissions: bool
) -> dict[str, str]:
    errors = {}
    codes = {}
    for index, question in enumerate(questions):
        code = (question.get("code") or "").strip()
        datatype = question.get("datatype")
        pk = question.get("pk")
        before = existing.get(pk) if pk else None

        if pk and before is None:
            errors[question_key(index, "code")] = (
                "This question is not one of the campaign's any more; reload "
                "the page and make the change again."
            )
            continue

        if not code:
            errors[question_key(index, "code")] = (
                "Give the question a code: the column name of its answers, "
                "such as “capacity”."
            )
        elif not SLUG.match(code):
            errors[question_key(index, "code")] = (
                f"“{code}” is not a code: use only letters, digits, hyphens "
                "and underscores."
            )
        elif code.lower() in POINT_COLUMNS:
            errors[question_key(index, "code")] = (
                f"“{code}” is already a column of every point in the published "
                "data; choose another code."
            )
        elif code.lower() in codes:
            errors[question_key(index, "code")] = (
                f"Question {codes[code.lower()] + 1} already has the code "
                f"“{code}”; each question needs its own."
            )
        else:
            codes[code.lower()] = index

        if _blank(question.get("description")):
            errors[question_key(index, "description")] = (
                "Write the question as residents will read it."
            )
        for name in ("code", "description", "datatype_description"):
            message = _too_long(CampaignQuestion, name, question.get(name))
            if message:
                errors.setdefault(question_key(index, name), message)

        if datatype not in Datatype.values:
            errors[question_key(index, "datatype")] = "Choose the kind of answer."

        # Answers already sent are stored under the question's code and in
        # its datatype; changing either would strand them.
        if before is not None and has_submissions:
            if code and code != before.code:
                errors[question_key(index, "code")] = (
                    f"Submissions already answer this question under “"
                    f"{before.code}”; keep the code, or add a new question."
                )
            if datatype and datatype != before.datatype:
                errors[question_key(index, "datatype")] = (
                    "Submissions already answer this question as “"
                    f"{before.get_datatype_display()}”; keep it, or add a new "
                    "question."
                )

        values_error = _values_error(datatype, question.get("values") or [])
        if values_error:
            errors[question_key(index, "values")] = values_error

    return errors


def _values_error(datatype: str, values: list) -> str:
    if datatype not in LIST_DATATYPES:
        if values:
            return (
                "Only “pick one” and “pick any” questions have choices: clear "
                "them, or change the kind of answer."
            )
        return ""

    if not values:
        return "List the choices, one per line, such as “wave: Wave rack”."

    keys = set()
    for key, name in values:
        if not key or not SLUG.match(key):
            return (
                f"“{key}” is not a choice key: use only letters, digits, "
                "hyphens and underscores before the colon."
            )
        if key in keys:
            return f"The key “{key}” is listed twice; each choice needs its own."
        if _blank(name):
            return f"Give the choice “{key}” a name after the colon."
        if _too_long(CampaignQuestionValue, "key", key):
            return f"Keep the key “{key[:20]}…” under 100 characters."
        if _too_long(CampaignQuestionValue, "name", name):
            return f"Keep the name of “{key}” under 200 characters."
        keys.add(key)

    return ""


def _campaign_write(campaign: Campaign | None, values: dict, by: User) -> Campaign:
    now = timezone.now()
    if campaign is None:
        campaign = Campaign(created_by=by, created_at=now)

    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(campaign, name, value)

    campaign.photo_required = bool(campaign.photo_required)
    campaign.updated_at = now
    campaign.save()
    return campaign


def _questions_write(campaign: Campaign, questions: list[dict], existing: dict):
    kept = {q["pk"]: q for q in questions if q.get("pk")}
    for pk, question in existing.items():
        if pk not in kept:
            question.delete()

    # Codes are unique per campaign: free the codes of questions being
    # renamed first, so one question may take another's old code.
    for pk, data in kept.items():
        if existing[pk].code != data["code"].strip():
            CampaignQuestion.objects.filter(pk=pk).update(code=f"-renaming-{pk}")

    for index, data in enumerate(questions):
        question = existing.get(data.get("pk")) or CampaignQuestion(campaign=campaign)
        question.code = data["code"].strip()
        question.description = data["description"].strip()
        question.datatype = data["datatype"]
        question.datatype_description = (data.get("datatype_description") or "").strip()
        question.required = bool(data.get("required"))
        order = data.get("order")
        question.order = index if order is None else order
        question.save()
        _values_write(question, data.get("values") or [])


def _values_write(question: CampaignQuestion, values: list) -> None:
    by_key = {value.key: value for value in question.values.all()}
    question.values.exclude(key__in=[key for key, _ in values]).delete()

    for order, (key, name) in enumerate(values):
        value = by_key.get(key) or CampaignQuestionValue(question=question, key=key)
        value.name = name.strip()
        value.order = order
        value.save()
