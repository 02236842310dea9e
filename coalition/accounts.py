"""Who may do what: roles, the acting account, and password hashing.

A shared instance has local accounts (kept in the store, see :class:`coalition.store.Store`), each
with one role:

- **viewer**: the dashboard's pages and the public exports, with small counts shown as ranges.
- **editor**: also records changes, imports files, runs working sessions, administers surveys, and
  sees exact counts (labelled "not for sharing") and the history of changes.
- **admin**: also manages accounts, restores old versions, reads individual survey ratings, the
  audit log and full exports, and makes backups.

Every write and every sensitive read of the library takes the acting :class:`Account` and calls
:func:`require`, so the dashboard's page list is the first guard and the library the second: no
URL, query parameter or replayed widget action gets past a role.

The command line acts as the store's **operator** (:func:`operator`): whoever can open the store
file or its database URL can read and change everything in it anyway, so the CLI is an admin by
construction. With no accounts in the store the dashboard is a single-person tool on this machine
and acts as the operator too; once an account exists it acts only as a signed-in account.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended
parameter set); the hash, never the password, is stored.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import settings
from .errors import AccountError, PermissionDenied

# Roles from least to most trusted; each may do everything the ones before it may.
ROLES: tuple[str, ...] = ("viewer", "editor", "admin")

# What each action needs (the least role that may do it).
ACTIONS: dict[str, str] = {
    # viewer
    "view": "viewer",  # the pages, with small counts as ranges
    "export_public": "viewer",  # downloads and `export --public`: what a viewer may see
    # editor
    "edit": "editor",  # record, change, retire, merge, undo a change, name a meeting
    "import": "editor",  # load or import a city folder or file
    "survey": "editor",  # administer the partner survey (rounds, roster, import answers)
    "exact_counts": "editor",  # exact small counts, labelled "not for sharing"
    "history": "editor",  # versions, changes, removed (retired) records, old versions
    # admin
    "accounts": "admin",  # add, remove, change roles and passwords of accounts
    "restore": "admin",  # bring back a whole old version
    "backup": "admin",  # copy the whole store
    "audit": "admin",  # read the audit log
    "export_full": "admin",  # full exports (exact counts, every field)
    "survey_ratings": "admin",  # individual partners' survey ratings
}

# What each role is called in sentences.
ROLE_WORDS = {"viewer": "a viewer", "editor": "an editor", "admin": "an admin"}

# Account names: letters, digits and . _ @ - (an e-mail address works), 1 to 64 characters.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    """The account a request acts as.

    Attributes
    ----------
    name : str
        The account's name (shown in the history and the audit log as "who").
    role : str
        One of :data:`ROLES`.
    operator : bool
        True for the store's operator (the CLI, or the dashboard with no accounts configured):
        not a stored account, and an admin.

    Examples
    --------
    >>> Account("ana", "editor").can("edit"), Account("ana", "editor").can("restore")
    (True, False)
    """

    name: str
    role: str
    operator: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccountError(f"Unknown role {self.role!r}; use one of {', '.join(ROLES)}.")

    def can(self, action: str) -> bool:
        """Whether this account's role may do ``action`` (a key of :data:`ACTIONS`).

        Examples
        --------
        >>> Account("v", "viewer").can("view"), Account("v", "viewer").can("exact_counts")
        (True, False)
        """
        return role_allows(self.role, action)


def role_allows(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action``.

    Raises
    ------
    KeyError
        For an action not in :data:`ACTIONS` (a programming error, never a user's).

    Examples
    --------
    >>> role_allows("admin", "edit"), role_allows("viewer", "edit")
    (True, False)
    """
    needed = ACTIONS[action]
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def require(account: Account | None, action: str, doing: str) -> Account:
    """Refuse ``doing`` unless ``account`` may do ``action``; return the account.

    Parameters
    ----------
    account : Account or None
        The acting account; None (nobody signed in) may do nothing.
    action : str
        A key of :data:`ACTIONS`.
    doing : str
        What was attempted, for the message ("record a change").

    Raises
    ------
    coalition.errors.PermissionDenied
        With a message that says which role is needed and how to get it.

    Examples
    --------
    >>> require(Account("ana", "editor"), "edit", "record a change").name
    'ana'
    >>> require(Account("vi", "viewer"), "edit", "record a change")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    coalition.errors.PermissionDenied: Only an editor or an admin may record a change; vi is ...
    """
    needed = ACTIONS[action]
    if account is None:
        raise PermissionDenied(f"Sign in to {doing}.")
    if role_allows(account.role, action):
        return account
    allowed = ROLES[ROLES.index(needed) :]
    who = " or ".join(ROLE_WORDS[role] for role in allowed)
    raise PermissionDenied(
        f"Only {who} may {doing}; {account.name} is {ROLE_WORDS[account.role]}. "
        f"An admin can change a role with: coalition user set-role {account.name} {needed}"
    )


def operator(name: str | None = None) -> Account:
    """The store's operator: the CLI, or a dashboard with no accounts configured.

    Parameters
    ----------
    name : str, optional
        Shown as "who" in the history; default the machine's user name.

    Examples
    --------
    >>> operator("convener")
    Account(name='convener', role='admin', operator=True)
    """
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no user name in a bare container
            name = "operator"
    return Account(name=name, role="admin", operator=True)


def check_name(name: str) -> str:
    """An account name, stripped, or an AccountError saying what names look like.

    Examples
    --------
    >>> check_name(" ana.lopez@hplct.org ")
    'ana.lopez@hplct.org'
    """
    text = str(name).strip()
    if not _NAME.match(text):
        raise AccountError(
            f"{text[:80]!r} cannot be an account name: use 1 to 64 letters, digits, '.', '_', "
            "'@' or '-', starting with a letter or digit (an e-mail address works)."
        )
    return text


def check_role(role: str) -> str:
    """A role name, or an AccountError listing the roles.

    Examples
    --------
    >>> check_role("Editor")
    'editor'
    """
    text = str(role).strip().lower()
    if text not in ROLES:
        raise AccountError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    return text


def hash_password(password: str) -> str:
    """The Argon2id hash of a password that is long enough.

    Raises
    ------
    coalition.errors.AccountError
        For a password shorter than :data:`coalition.settings.PASSWORD_MIN_LENGTH` characters.

    Examples
    --------
    >>> hash_password("correct horse battery").startswith("$argon2id$")
    True
    """
    if len(password) < settings.PASSWORD_MIN_LENGTH:
        raise AccountError(
            f"The password is too short: use at least {settings.PASSWORD_MIN_LENGTH} characters "
            "(a few words in a row are easy to remember and hard to guess)."
        )
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``; False for a missing or damaged hash.

    With no hash (an unknown account) a dummy hash is still checked, so that a wrong name takes
    as long as a wrong password and names cannot be told apart by timing.

    Examples
    --------
    >>> verify_password(hash_password("correct horse battery"), "correct horse battery")
    True
    >>> verify_password(None, "anything at all")
    False
    """
    try:
        _HASHER.verify(stored_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with older parameters than today's (rehash on sign-in).

    Examples
    --------
    >>> needs_rehash(hash_password("correct horse battery"))
    False
    """
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_HASHER.hash("not a password anyone has"))
    return _DUMMY[0]
