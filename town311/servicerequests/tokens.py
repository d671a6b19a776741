"""Signed links in e-mails, so residents act without an account.

Each kind of link has its own salt: a link to unsubscribe cannot be used
to answer a question. Tokens carry the request and the e-mail address they
were sent to, and the time they were made.
"""

from town311.lib.signed import BadToken, token_dump, token_load

__all__ = ["BadToken", "token_make", "token_read"]

ANSWER_MAX_AGE = 60 * 60 * 24 * 60  # a question may take weeks to answer
RATING_MAX_AGE = 60 * 60 * 24 * 60
UNSUBSCRIBE_MAX_AGE = None  # an unsubscribe link must always work

SALTS = {
    "answer": "town311.answer",
    "rating": "town311.rating",
    "unsubscribe": "town311.unsubscribe",
}


def token_make(kind: str, *, request_id: int, email: str) -> str:
    return token_dump({"r": request_id, "e": email.lower()}, salt=SALTS[kind])


def token_read(kind: str, token: str, *, max_age: int | None) -> tuple[int, str]:
    """Return (request_id, email) from a token, or raise BadToken."""
    data = token_load(token, salt=SALTS[kind], max_age=max_age)
    return int(data["r"]), data["e"]
