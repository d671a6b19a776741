"""Background tasks of the outbox: thin wrappers around the services."""

from django.utils import timezone
from django_tasks import task

from town311.notifications import services
from town311.notifications.models import Message


@task()
def deliver_message(message_id: int) -> bool:
    sent = services.message_send(message_id)
    if not sent:
        _schedule_retry(message_id)

    return sent


@task()
def deliver_due_messages() -> int:
    return services.messages_send_due().sent


def _schedule_retry(message_id: int) -> None:
    # Backends that can run a task later get the retry queued now; with the
    # others the message waits for the next `send_outbox` run.
    if not deliver_message.get_backend().supports_defer:
        return

    message = Message.objects.filter(
        pk=message_id, status=Message.Status.PENDING
    ).first()
    if message is not None and message.next_attempt_at > timezone.now():
        deliver_message.using(run_after=message.next_attempt_at).enqueue(message_id)
