"""The outbox: queue e-mail inside a transaction, send it after commit."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from town311.notifications.models import Message

logger = logging.getLogger(__name__)

FIRST_RETRY_DELAY = timedelta(minutes=1)
LONGEST_RETRY_DELAY = timedelta(hours=6)
# How long a worker may take to hand a message to the mail server before
# another worker may try it.
CLAIM_DURATION = timedelta(minutes=10)


def message_queue(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    kind: str = "",
    request=None,
) -> Message:
    """Put an e-mail in the outbox; it is sent once the transaction commits."""
    message = Message.objects.create(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        kind=kind,
        request=request,
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


def message_send(message_id: int) -> bool:
    """Try to send one message now. Returns True when it went out.

    The message is claimed with a conditional update before the mail server
    is contacted, so two workers never send it twice, and no database lock
    is held while a slow mail server answers. A worker that dies mid-send
    lets the claim lapse and the message is tried again later.
    """
    now = timezone.now()
    claimed = Message.objects.filter(
        pk=message_id, status=Message.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_DURATION, attempts=F("attempts") + 1)
    if not claimed:
        return False

    message = Message.objects.get(pk=message_id)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")

    try:
        email.send()
    except (smtplib.SMTPException, OSError) as e:
        _record_failure(message, e)
        return False

    message.status = Message.Status.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "sent_at", "last_error"])
    return True


def _record_failure(message: Message, error: Exception) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status = Message.Status.FAILED
        logger.error(
            "Gave up on outbox message %s after %s attempts: %s",
            message.pk,
            message.attempts,
            message.last_error,
        )
    else:
        message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
        logger.warning(
            "Outbox message %s failed (attempt %s), retrying at %s: %s",
            message.pk,
            message.attempts,
            message.next_attempt_at.isoformat(),
            message.last_error,
        )

    message.save(update_fields=["status", "next_attempt_at", "last_error"])


def messages_send_due(*, limit: int = 500) -> tuple[int, int]:
    """Send pending messages whose time has come. Returns (sent, failed)."""
    due = Message.objects.filter(
        status=Message.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:limit])

    sent = sum(1 for pk in ids if message_send(pk))
    return sent, len(ids) - sent
