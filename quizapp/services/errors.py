"""Errors a service raises for a user to read."""


class ServiceError(Exception):
    """Something the user can fix; the message is shown to them.

    `field` names the form field the message belongs beside, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class Forbidden(ServiceError):
    """The user may see that the object exists, but not act on it (403)."""
