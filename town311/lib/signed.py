"""Signed tokens for links in e-mails: what the link is about, checked
when it comes back, with no database row needed."""

from django.core import signing


class BadToken(Exception):
    """The link is broken, forged, for something else, or too old."""


def token_dump(data: dict, *, salt: str) -> str:
    return signing.dumps(data, salt=salt, compress=True)


def token_load(token: str, *, salt: str, max_age: int | None) -> dict:
    """The data a token carries, or BadToken saying what is wrong with it."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as e:
        raise BadToken("This link has expired.") from e
    except signing.BadSignature as e:
        raise BadToken("This link is not valid.") from e
