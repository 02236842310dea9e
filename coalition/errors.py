"""The package's exception tree.

Every error a user can cause derives from :class:`CoalitionError`, and its message says what to
do about it. Catch ``CoalitionError`` at the edges (CLI, dashboard) to show a message instead of
a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class CoalitionError(Exception):
    """Base class for every error raised on purpose by this package."""


class DataError(CoalitionError):
    """A data folder or file cannot be read at all (missing, unreadable, wrong format)."""


class StoreError(CoalitionError):
    """The store cannot be opened, read or written."""


class ConfigError(CoalitionError):
    """A setting (an environment variable or an option) has a value the tool cannot use."""


class PermissionDenied(CoalitionError):
    """The acting account's role may not do this (see :mod:`coalition.accounts`)."""


class AccountError(CoalitionError):
    """An account cannot be made or changed as asked (a bad name, role or password, a missing
    account, or the last admin)."""


class SignInError(CoalitionError):
    """A sign-in failed: wrong name or password, or the account is locked for a while."""


class SurveyError(CoalitionError):
    """A survey round cannot take this: unknown or closed round, name taken, or a bad link."""


class AnalysisError(CoalitionError):
    """An analysis was asked for something the data cannot answer (e.g. k above candidates)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data folder.

    Attributes
    ----------
    file : str
        The file name inside the data folder (e.g. ``"organizations.csv"``).
    message : str
        What is wrong and how to fix it.
    row : int or None
        The spreadsheet row number (header is row 1), when the problem is in one row.
    column : str or None
        The column, when the problem is in one column.
    value : str or None
        The offending value, as read.
    severity : str
        ``"error"`` (blocks loading) or ``"warning"`` (loading goes on).
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        shown = f" (value: {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity.upper()}: {where}: {self.message}{shown}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ValidationError(CoalitionError):
    """A data folder has one or more problems; ``problems`` lists them all.

    Raised only after every check has run, so a user fixes everything in one pass.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def __str__(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"{len(errors)} problem(s) found; nothing was loaded. Fix them and run again:"
        return "\n".join([head, *(f"  - {p}" for p in errors)])


@dataclass(frozen=True)
class Conflict:
    """One row that changed since the form that edits it was read.

    Attributes
    ----------
    change : coalition.edits.RowChange
        The change asked for (``change.before`` is the row as the form read it).
    current : dict or None
        The row as stored now (None when it is no longer there or retired).
    changed_in : int or None
        The version that last changed it.
    """

    change: Any
    current: dict[str, Any] | None
    changed_in: int | None


class ConflictError(StoreError):
    """Someone saved the same record since the page was read: nothing was changed.

    ``conflicts`` lists each row with the value the form read, and the value stored now, so the
    page can show both and let the editor choose.
    """

    def __init__(self, conflicts: list[Conflict], message: str | None = None):
        self.conflicts = conflicts
        super().__init__(
            message
            or (
                f"{len(conflicts)} record(s) changed since this page was read; nothing was "
                "saved. Compare the values and save again to keep yours."
            )
        )
