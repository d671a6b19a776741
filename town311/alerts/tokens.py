"""Signed links in alert e-mails: one to confirm a subscription, one to end
it. Each kind has its own salt, so neither can stand in for the other, nor
for the links about requests in town311.servicerequests.tokens."""

from town311.lib.signed import BadToken, token_dump, token_load

CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
UNSUBSCRIBE_MAX_AGE = None  # an unsubscribe link must always work

SALTS = {
    "confirm": "town311.alerts.confirm",
    "unsubscribe": "town311.alerts.unsubscribe",
}

__all__ = ["BadToken", "token_make", "token_read"]


def token_make(kind: str, *, subscription_id: int, email: str) -> str:
    return token_dump({"s": subscription_id, "e": email.lower()}, salt=SALTS[kind])


def token_read(kind: str, token: str, *, max_age: int | None) -> tuple[int, str]:
    """Return (subscription_id, email) from a token, or raise BadToken."""
    data = token_load(token, salt=SALTS[kind], max_age=max_age)
    return int(data["s"]), data["e"]
