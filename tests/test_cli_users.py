"""`coalition user` and `coalition audit` (issue 9), and the CLI acting as the store's operator.

Passwords come from a prompt typed twice (getpass) or from standard input with
--password-stdin, never from an argument. The store keeps its last admin. Once a store has
accounts, the CLI's writes and history reads still work: it passes the operator explicitly.
"""

from __future__ import annotations

import io
import json

import pytest
from helpers import tiny_folder

from coalition import cli, settings
from coalition.accounts import operator
from coalition.errors import SignInError
from coalition.store import open_store

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "u.db")


class Terminal(io.StringIO):
    """Standard input that says it is a terminal (for the prompt path)."""

    def isatty(self) -> bool:
        return True


def run(capsys, monkeypatch, *argv, stdin: str | None = None):
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def add(capsys, monkeypatch, db, name, role="viewer", password=PASSWORD):
    return run(
        capsys,
        monkeypatch,
        "user",
        "add",
        name,
        "--role",
        role,
        "--password-stdin",
        "--db",
        db,
        stdin=password + "\n",
    )


def roles(db) -> dict[str, str]:
    listed = open_store(db).accounts(account=operator("test"))
    return dict(zip(listed["name"], listed["role"], strict=True))


def test_add_with_password_stdin_then_sign_in(capsys, monkeypatch, db):
    code, out, _ = add(capsys, monkeypatch, db, "ana", "admin")
    assert code == 0 and out.startswith("Added ana as admin in ")
    assert roles(db) == {"ana": "admin"}
    account, _ = open_store(db).sign_in("ana", PASSWORD)  # the newline is not the password's
    assert account.role == "admin"


def test_add_from_a_prompt_typed_twice(capsys, monkeypatch, db):
    typed = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("sys.stdin", Terminal())
    code, _, _ = run(capsys, monkeypatch, "user", "add", "bo", "--role", "editor", "--db", db)
    assert code == 0 and roles(db) == {"bo": "editor"}


def test_two_different_passwords_add_nobody(capsys, monkeypatch, db):
    typed = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("sys.stdin", Terminal())
    code, _, err = run(capsys, monkeypatch, "user", "add", "bo", "--db", db)
    assert code == 1 and "The two passwords differ" in err
    assert roles(db) == {}


def test_without_a_terminal_the_password_must_come_from_stdin(capsys, monkeypatch, db):
    code, _, err = run(capsys, monkeypatch, "user", "add", "bo", "--db", db, stdin="")
    assert code == 2 and "--password-stdin" in err
    assert roles(db) == {}


def test_a_password_is_never_an_argument(capsys, monkeypatch, db):
    code, _, err = run(capsys, monkeypatch, "user", "add", "bo", "--password", PASSWORD, "--db", db)
    assert code == 2 and "unrecognized arguments" in err


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [
        ("bo", "short", "too short"),
        ("bo", "", "read no password"),
        ("no spaces", PASSWORD, "name"),
    ],
)
def test_bad_accounts_are_refused(capsys, monkeypatch, db, name, password, words):
    code, _, err = add(capsys, monkeypatch, db, name, password=password)
    assert code == 1 and words in err
    assert roles(db) == {}


def test_a_taken_name_and_an_unknown_role_are_refused(capsys, monkeypatch, db):
    add(capsys, monkeypatch, db, "ana", "admin")
    code, _, err = add(capsys, monkeypatch, db, "ana")
    assert code == 1 and "exists already" in err
    code, _, err = run(capsys, monkeypatch, "user", "add", "x", "--role", "boss", "--db", db)
    assert code == 2 and "invalid choice" in err


def test_list_set_role_and_remove(capsys, monkeypatch, db):
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--db", db)
    assert code == 0 and out.startswith("No accounts in ")
    add(capsys, monkeypatch, db, "ana", "admin")
    add(capsys, monkeypatch, db, "vi")
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--db", db)
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["name", "role"]
    assert [line.split()[:2] for line in lines[1:]] == [["ana", "admin"], ["vi", "viewer"]]
    assert "argon2" not in out
    code, out, _ = run(capsys, monkeypatch, "user", "list", "--json", "--db", db)
    assert [(a["name"], a["role"]) for a in json.loads(out)] == [("ana", "admin"), ("vi", "viewer")]
    assert not any("hash" in key for key in json.loads(out)[0])

    code, out, _ = run(capsys, monkeypatch, "user", "set-role", "vi", "editor", "--db", db)
    assert code == 0 and roles(db) == {"ana": "admin", "vi": "editor"}
    code, out, _ = run(capsys, monkeypatch, "user", "remove", "vi", "--db", db)
    assert code == 0 and roles(db) == {"ana": "admin"}
    code, _, err = run(capsys, monkeypatch, "user", "remove", "nobody", "--db", db)
    assert code == 1 and "There is no account called nobody" in err


def test_the_last_admin_is_kept(capsys, monkeypatch, db):
    add(capsys, monkeypatch, db, "ana", "admin")
    code, _, err = run(capsys, monkeypatch, "user", "set-role", "ana", "viewer", "--db", db)
    assert code == 1 and "ana is the only admin" in err
    code, _, err = run(capsys, monkeypatch, "user", "remove", "ana", "--db", db)
    assert code == 1 and "ana is the only admin" in err
    assert roles(db) == {"ana": "admin"}


def test_a_new_password_unlocks(capsys, monkeypatch, db):
    add(capsys, monkeypatch, db, "vi")
    store = open_store(db)
    for _ in range(settings.LOCKOUT_AFTER):
        with pytest.raises(SignInError):
            store.sign_in("vi", "not the password")
    with pytest.raises(SignInError, match="locked"):
        store.sign_in("vi", PASSWORD)
    code, out, _ = run(
        capsys,
        monkeypatch,
        "user",
        "password",
        "vi",
        "--password-stdin",
        "--db",
        db,
        stdin="a brand new passphrase\n",
    )
    assert code == 0 and "unlocked" in out
    assert store.sign_in("vi", "a brand new passphrase")[0].name == "vi"


def test_audit_prints_the_log_newest_first(capsys, monkeypatch, db):
    add(capsys, monkeypatch, db, "ana", "admin")
    add(capsys, monkeypatch, db, "vi")
    with pytest.raises(SignInError):
        open_store(db).sign_in("vi", "not the password")
    code, out, _ = run(capsys, monkeypatch, "audit", "--db", db)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert "sign_in_failed" in lines[0] and "added vi as viewer" in lines[1]
    assert "added ana as admin" in lines[2]
    code, out, _ = run(capsys, monkeypatch, "audit", "--limit", "1", "--json", "--db", db)
    (entry,) = json.loads(out)
    assert (entry["who"], entry["action"]) == ("vi", "sign_in_failed")
    code, _, err = run(capsys, monkeypatch, "audit", "--limit", "0", "--db", db)
    assert code == 2 and "--limit" in err


def test_audit_of_a_missing_store_exits_1(capsys, monkeypatch, tmp_path):
    code, _, err = run(capsys, monkeypatch, "audit", "--db", str(tmp_path / "none.db"))
    assert code == 1 and "none.db" in err and not (tmp_path / "none.db").exists()


def test_the_cli_keeps_working_once_the_store_has_accounts(capsys, monkeypatch, db, tmp_path):
    """Every write and history read of the CLI passes the operator: none is refused."""
    folder = tiny_folder(tmp_path / "tiny")
    assert run(capsys, monkeypatch, "init", str(folder), "--db", db)[0] == 0
    add(capsys, monkeypatch, db, "ana", "admin")
    steps = [
        ("meeting", "March convening", "--who", "Ana"),
        ("init", str(folder), "--db", db),  # the same city again: a second version
        ("changes", "--list"),
        ("changes", "--since", "March convening"),
        ("undo",),
        ("restore", "1", "--who", "Ana"),
        ("backup", str(tmp_path / "copy.db")),
    ]
    for step in steps:
        argv = [*step] if "--db" in step else [*step, "--db", db]
        code, _, err = run(capsys, monkeypatch, *argv)
        assert code == 0, (step, err)
        assert "sign in" not in err
    versions = open_store(db).versions(account=operator("test"))
    assert versions.iloc[0]["kind"] == "restore" and versions.iloc[0]["who"] == "Ana"
    assert (tmp_path / "copy.db").exists()
