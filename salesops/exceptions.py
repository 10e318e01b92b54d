class ApplicationError(Exception):
    """A domain rule was broken. Carries a user-facing message and optional field errors."""

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
