"""Signed links in alert e-mails: one to confirm a subscription, one to end
it. Each kind has its own salt, so neither can stand in for the other, nor
for the links about requests in town311.servicerequests.tokens."""

from django.core import signing

from town311.servicerequests.tokens import BadToken

CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
UNSUBSCRIBE_MAX_AGE = None  # an unsubscribe link must always work

SALTS = {
    "confirm": "town311.alerts.confirm",
    "unsubscribe": "town311.alerts.unsubscribe",
}

__all__ = ["BadToken", "token_make", "token_read"]


def token_make(kind: str, *, subscription_id: int, email: str) -> str:
    return signing.dumps(
        {"s": subscription_id, "e": email.lower()}, salt=SALTS[kind], compress=True
    )


def token_read(kind: str, token: str, *, max_age: int | None) -> tuple[int, str]:
    """Return (subscription_id, email) from a token, or raise BadToken."""
    try:
        data = signing.loads(token, salt=SALTS[kind], max_age=max_age)
    except signing.SignatureExpired as e:
        raise BadToken("This link has expired.") from e
    except signing.BadSignature as e:
        raise BadToken("This link is not valid.") from e

    return int(data["s"]), data["e"]
