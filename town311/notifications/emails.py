"""Rendering e-mails from templates and putting them in the outbox.

Each kind of e-mail is three templates in templates/emails/: the subject
(`<kind>-subject.txt`), the plain text body (`<kind>-body.txt`) and the
HTML body (`<kind>-body.html`). Links are absolute, from SITE_URL, since
an e-mail has no page to be relative to.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from town311.directory.models import Town
from town311.notifications.models import Message
from town311.notifications.services import Attachment, message_queue

BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def url(name: str, *args) -> str:
    """The absolute address of a named URL, for links in e-mails."""
    return absolute_url(reverse(name, args=args))


def email_render(kind: str, context: dict) -> tuple[str, str, str]:
    """The subject, text body and HTML body of a `kind` e-mail."""
    context = {"site_url": settings.SITE_URL, **context}
    if "town" not in context:
        context["town"] = Town.objects.current()

    subject = render_to_string(f"emails/{kind}-subject.txt", context)
    text = render_to_string(f"emails/{kind}-body.txt", context)
    html = render_to_string(f"emails/{kind}-body.html", context)

    # A subject is one line, however the template wraps it, and optional
    # parts of a text body leave no runs of empty lines.
    subject = " ".join(subject.split())
    text = BLANK_LINES.sub("\n\n", text).strip() + "\n"
    return subject, text, html


def email_queue(
    kind: str,
    *,
    to: str,
    context: dict,
    request=None,
    unsubscribe_url: str = "",
    attachments: list[Attachment] | None = None,
) -> Message:
    """Render a `kind` e-mail and put it in the outbox, in the caller's
    transaction. With `unsubscribe_url`, the e-mail carries the headers
    that let mail programs offer one-click unsubscribing (RFC 8058);
    `attachments` may include inline images the HTML names by cid:."""
    subject, text, html = email_render(
        kind, {**context, "unsubscribe_url": unsubscribe_url}
    )
    headers = {}
    if unsubscribe_url:
        headers = {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    return message_queue(
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        kind=kind,
        request=request,
        headers=headers,
        attachments=attachments,
    )
