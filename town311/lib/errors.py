class ActionError(Exception):
    """An action the domain refuses, with a message a person can act on.

    Views show the message as it is, the API returns it as an error
    description, and commands print it.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ActionError):
    """The actor has no right to do this to this object."""


class InvalidTransition(ActionError):
    """The request is not in a state that allows this action."""


class InvalidInput(ActionError):
    """Some fields are wrong; `errors` maps each field to what to fix."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


class HandledElsewhere(ActionError):
    """The town does not handle this; `agency` (if known) does."""

    def __init__(self, message: str, *, agency=None) -> None:
        super().__init__(message, field="location")
        self.agency = agency


class OutsideServiceArea(HandledElsewhere):
    """The place is outside the town boundary."""
