"""Who the resident is, for this browser session: the e-mail address they
proved they read, by following a one-time link. Residents have no account
and no password; signing out forgets the address."""

SESSION_KEY = "resident_email"


def resident_email(request) -> str:
    """The signed-in resident's e-mail address, or ""."""
    return request.session.get(SESSION_KEY, "")


def resident_sign_in(request, email: str) -> None:
    # A new session key, so a session id planted before signing in is
    # worth nothing afterwards.
    request.session.cycle_key()
    request.session[SESSION_KEY] = email


def resident_sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
