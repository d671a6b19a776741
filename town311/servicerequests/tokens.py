"""Signed links in e-mails, so residents act without an account.

Each kind of link has its own salt: a link to unsubscribe cannot be used
to answer a question. Tokens carry the request and the e-mail address they
were sent to, and the time they were made.
"""

from django.core import signing

ANSWER_MAX_AGE = 60 * 60 * 24 * 60  # a question may take weeks to answer
RATING_MAX_AGE = 60 * 60 * 24 * 60
UNSUBSCRIBE_MAX_AGE = None  # an unsubscribe link must always work

SALTS = {
    "answer": "town311.answer",
    "rating": "town311.rating",
    "unsubscribe": "town311.unsubscribe",
}


class BadToken(Exception):
    """The link is broken, forged, for something else, or too old."""


def token_make(kind: str, *, request_id: int, email: str) -> str:
    return signing.dumps(
        {"r": request_id, "e": email.lower()}, salt=SALTS[kind], compress=True
    )


def token_read(kind: str, token: str, *, max_age: int | None) -> tuple[int, str]:
    """Return (request_id, email) from a token, or raise BadToken."""
    try:
        data = signing.loads(token, salt=SALTS[kind], max_age=max_age)
    except signing.SignatureExpired as e:
        raise BadToken("This link has expired.") from e
    except signing.BadSignature as e:
        raise BadToken("This link is not valid.") from e

    return int(data["r"]), data["e"]
