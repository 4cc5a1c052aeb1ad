"""Errors a user can act on. The CLI prints them as one line, never a traceback."""

from __future__ import annotations


class NewstraceError(Exception):
    """Base class: the message says what went wrong and what to do next."""

    exit_code = 2


class UsageError(NewstraceError):
    """The command was given something it cannot use."""


class InputError(NewstraceError):
    """An input file or text cannot be read as an article."""


class StoreError(NewstraceError):
    """The store cannot be opened or written."""


class StoreUnavailable(StoreError):
    """The store's server went away mid-work (PostgreSQL restarted, network lost)."""
