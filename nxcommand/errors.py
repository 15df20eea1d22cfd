"""Errors the user sees. Their text is Chinese and says what to do; nothing was written."""

from __future__ import annotations


class UserError(Exception):
    """Refused input or an environment problem, worded for the user."""


class ValidationError(UserError):
    """Bad input. ``field`` names the form field at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(UserError):
    """A record the caller named does not exist."""
