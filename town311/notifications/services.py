"""The outbox: queue e-mail inside a transaction, send it after commit."""

import enum
import logging
import smtplib
from collections import Counter
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from town311.notifications.models import Message, MessageAttachment

logger = logging.getLogger(__name__)

FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# How long a worker may take to hand a message to the mail server before
# another worker may try it.
CLAIM_DURATION = timedelta(minutes=10)


class Attachment(NamedTuple):
    """A file to send with a message; with a `content_id`, an inline part
    that the HTML body shows as <img src="cid:CONTENT_ID">."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""


def message_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
    request=None,
    headers: dict[str, str] | None = None,
    attachments: list[Attachment] | None = None,
) -> Message:
    """Put an e-mail in the outbox; it is sent once the transaction commits."""
    message = Message.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
        kind=kind,
        request=request,
    )
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, **attachment._asdict())
        for attachment in attachments or ()
    )

    # Imported here: tasks.py imports this module.
    from town311.notifications.tasks import deliver_message

    transaction.on_commit(lambda: _enqueue_delivery(deliver_message, message.pk))
    return message


def _enqueue_delivery(task, message_id: int) -> None:
    # If the queue itself is down the message stays pending, and the next
    # `send_outbox` run picks it up, so nothing is lost.
    try:
        task.enqueue(message_id)
    except Exception:
        logger.exception("Could not queue delivery of outbox message %s", message_id)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8... minutes after each failed attempt, at most 6 hours."""
    return min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), LONGEST_RETRY_DELAY)


class Outcome(enum.Enum):
    SENT = "sent"
    RETRYING = "retrying"
    GIVEN_UP = "given up"
    # Not due, already sent, or claimed by another worker.
    SKIPPED = "skipped"


class OutboxRun(NamedTuple):
    sent: int
    retrying: int
    given_up: int


def message_send(message_id: int) -> bool:
    """Try to send one message now. Returns True when it went out.

    The message is claimed with a conditional update before the mail server
    is contacted, so two workers never send it twice, and no database lock
    is held while a slow mail server answers. A worker that dies mid-send
    lets the claim lapse and the message is tried again later.
    """
    return _attempt(message_id) is Outcome.SENT


def _attempt(message_id: int) -> Outcome:
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_DURATION, attempts=F("attempts") + 1)
    if not claimed:
        return Outcome.SKIPPED

    message = Message.objects.get(pk=message_id)
    try:
        _email(message).send()
    except (smtplib.SMTPException, OSError) as e:
        return _record_failure(message, e)
    except Exception as e:
        # A bug or a bad header, not the mail server. Without this the
        # message would be retried forever and stop every sweep it is in.
        logger.exception("Unexpected error sending outbox message %s", message.pk)
        return _record_failure(message, e)

    message.status = Message.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "last_error"])
    return Outcome.SENT


def _email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers=message.headers or None,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")

    inline = False
    for attachment in message.attachments.order_by("pk"):
        if attachment.content_id:
            email.attach(_inline_part(attachment))
            inline = True
        else:
            email.attach(
                attachment.filename, bytes(attachment.content), attachment.content_type
            )

    # Inline parts must sit in a multipart/related beside the HTML that
    # names them by Content-ID, or mail programs list them as attachments.
    if inline:
        email.mixed_subtype = "related"

    return email


def _inline_part(attachment: MessageAttachment) -> MIMEBase:
    maintype, _, subtype = attachment.content_type.partition("/")
    part = MIMEBase(maintype, subtype or "octet-stream")
    part.set_payload(bytes(attachment.content))
    encoders.encode_base64(part)
    part.add_header("Content-ID", f"<{attachment.content_id}>")
    part.add_header("Content-Disposition", "inline", filename=attachment.filename)
    return part


def _record_failure(message: Message, error: Exception) -> Outcome:
    # The full error is kept on the message for the admin; the log gets
    # only its kind, since SMTP errors quote the recipient's address.
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status = Message.Status.FAILED
        outcome = Outcome.GIVEN_UP
        logger.error(
            "Gave up on outbox message %s after %s attempts: %s",
            message.pk,
            message.attempts,
            _error_kind(error),
        )
    else:
        message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
        outcome = Outcome.RETRYING
        logger.warning(
            "Outbox message %s failed (attempt %s), retrying at %s: %s",
            message.pk,
            message.attempts,
            message.next_attempt_at.isoformat(),
            _error_kind(error),
        )

    message.save(update_fields=["status", "next_attempt_at", "last_error"])
    return outcome


def _error_kind(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def messages_send_due(*, limit: int = 500) -> OutboxRun:
    """Send pending messages whose time has come, oldest first."""
    due = Message.objects.filter(
        status=Message.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
    outcomes = Counter(_attempt(pk) for pk in due.values_list("pk", flat=True)[:limit])

    return OutboxRun(
        sent=outcomes[Outcome.SENT],
        retrying=outcomes[Outcome.RETRYING],
        given_up=outcomes[Outcome.GIVEN_UP],
    )


def message_send_again(message: Message) -> bool:
    """Give a message that was given up a fresh set of attempts, for after
    an outage longer than the retries last. Returns False if it was not
    given up."""
    reset = Message.objects.filter(pk=message.pk, status=Message.Status.FAILED).update(
        status=Message.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if not reset:
        return False

    from town311.notifications.tasks import deliver_message

    transaction.on_commit(lambda: _enqueue_delivery(deliver_message, message.pk))
    return True
