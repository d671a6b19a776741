from django import template

from town311.front.timeline import status_words as _status_words

register = template.Library()


@register.filter
def status_words(service_request) -> str:
    """A request's status in plain words, e.g. “Closed: fixed”."""
    return _status_words(service_request.status, service_request.resolution)
