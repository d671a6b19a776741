"""Check residents' answers to a service's extra questions."""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from town311.directory.models import ServiceAttribute, Town
from town311.lib.errors import InvalidInput

Datatype = ServiceAttribute.Datatype
MAX_TEXT_LENGTH = 4000
# Beyond this a number is a typo or an attack: "1e2000000" is eleven
# characters, but turning it into an integer takes minutes of CPU and the
# result cannot even be written as JSON.
MAX_NUMBER = Decimal("1e15")


def attributes_clean(service, answers: dict, *, questions=None) -> dict:
    """Return the answers keyed by attribute code, typed for storage.

    Unknown codes are dropped. Empty answers count as missing. Raises
    InvalidInput naming each question that needs fixing. `questions`, the
    service's variable attributes with their values, saves reading them
    when the caller holds them already.
    """
    if not isinstance(answers, dict):
        raise InvalidInput(
            {
                "attributes": gettext(
                    "Send the answers as pairs of question code and answer."
                )
            }
        )

    cleaned, errors = {}, {}
    if questions is None:
        questions = service.attributes.filter(variable=True).prefetch_related("values")
    for question in questions:
        value = answers.get(question.code)
        if _is_empty(value):
            if question.required:
                errors[question.code] = gettext("Please answer “%(question)s”.") % {
                    "question": question.description
                }
            continue

        try:
            cleaned[question.code] = _clean_value(question, value)
        except ValueError as e:
            # Translators: the question, then what is wrong with the answer.
            errors[question.code] = gettext("“%(question)s”: %(problem)s") % {
                "question": question.description,
                "problem": e,
            }

    if errors:
        raise InvalidInput(errors)

    return cleaned


def _town_zone():
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def _is_empty(value) -> bool:
    if value is None:
        return True

    if isinstance(value, (list, tuple)):
        return all(_is_empty(v) for v in value)

    return str(value).strip() == ""


def _clean_value(question: ServiceAttribute, value):
    if question.datatype == Datatype.MULTIVALUELIST:
        items = value if isinstance(value, (list, tuple)) else [value]
        keys = [str(v).strip() for v in items if not _is_empty(v)]
        allowed = {v.key for v in question.values.all()}
        unknown = [k for k in keys if k not in allowed]
        if unknown:
            raise ValueError(
                gettext("“%(answer)s” is not one of the choices.")
                % {"answer": unknown[0]}
            )

        return list(dict.fromkeys(keys))

    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise ValueError(gettext("give one answer only."))
        value = value[0]

    text = str(value).strip()
    if question.datatype == Datatype.SINGLEVALUELIST:
        if text not in {v.key for v in question.values.all()}:
            raise ValueError(
                gettext("“%(answer)s” is not one of the choices.") % {"answer": text}
            )
        return text

    if question.datatype == Datatype.NUMBER:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("enter a number, such as 3 or 2.5.")) from None
        if not number.is_finite():
            raise ValueError(gettext("enter a number, such as 3 or 2.5."))
        if number.copy_abs() >= MAX_NUMBER:
            raise ValueError(gettext("enter a smaller number."))
        return int(number) if number == number.to_integral_value() else float(number)

    if question.datatype == Datatype.DATETIME:
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(
                gettext("enter a date and time, such as 2026-05-01T14:30.")
            )
        if timezone.is_naive(moment):
            # People give local times: read them in the town's time zone.
            moment = timezone.make_aware(moment, _town_zone())
        return moment.isoformat()

    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(
            ngettext(
                "keep it under %(limit)s character.",
                "keep it under %(limit)s characters.",
                MAX_TEXT_LENGTH,
            )
            % {"limit": MAX_TEXT_LENGTH}
        )

    return text
