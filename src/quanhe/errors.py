"""Every error quanhe raises on purpose, each with a message that says how to fix it.

The CLI maps them to one-line messages and exit codes; a future API maps them to one JSON shape.
"""
from __future__ import annotations


class QuanheError(Exception):
    """Base of every deliberate error; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class InputError(QuanheError):
    """An input file or line cannot be read as an article."""

    exit_code = 1

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class StoreError(QuanheError):
    """The store cannot be opened, migrated or written."""

    exit_code = 3


class UsageError(QuanheError):
    """A command was called with options that do not fit together."""

    exit_code = 2


class DataFileError(QuanheError):
    """A bundled data file (gazetteer, patterns) is malformed."""

    exit_code = 4


class NotFoundError(QuanheError):
    """A fact, article or partner asked for by id is not in the store."""

    exit_code = 1
