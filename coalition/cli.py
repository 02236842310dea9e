"""The ``coalition`` command: load, check, export, analyse, draw and serve a city.

Exit codes: 0 ok, 1 invalid input (the message says what to fix), 2 usage error.

Analyses (``gaps``, ``coverage``, ``rank``, ``maps``, ``export``, ``changes``, ``info``) read the
store and never fill it: on an empty or missing store they exit 1 and say to run
``coalition init DIR``. Their output names the city and the data version (a first line in text,
``"city"`` and ``"data_version"`` keys in JSON). Relative paths (``--db``, ``COALITION_DB``,
``--out``) mean the current working directory.

Examples
--------
$ coalition sample hartford
$ coalition validate hartford
$ coalition init hartford
$ coalition gaps --json
$ coalition rank --k 3 --weights need=0.5,readiness=0.2
$ coalition export --format gpkg out/hartford.gpkg
$ coalition maps
$ coalition changes --since 3
$ coalition meeting "March convening"
$ coalition changes --since "March convening"
$ coalition restore 3
$ coalition undo --who Ana
$ coalition backup coalition-backup.db
$ coalition user add ana --role admin
$ coalition user list
$ coalition audit --limit 20
$ coalition survey make --round "2026 fall" forms --links
$ coalition survey import answers/*.json --round "2026 fall" --yes
$ coalition survey status
$ coalition gaps --ties any --round "2026 fall"
$ coalition changes --round "2026 spring" --round "2026 fall"
$ coalition serve

Accounts: the command line acts as the store's operator (:func:`coalition.accounts.operator`,
an admin), and passes it explicitly (``account=``) to every store write and sensitive read.
Whoever can open the store file or its database URL can read and change everything in it
anyway, so a role check here would protect nothing; the dashboard, which others reach over the
network, is where accounts and roles apply. Passwords are read from a prompt (typed twice) or,
for scripts, from standard input (``--password-stdin``): never from the command line, which
other users of the machine can read in the process list.
"""

from __future__ import annotations

import argparse
import logging
import math
import numbers
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import i18n, settings
from .errors import CoalitionError, ValidationError
from .i18n import N_, _, ngettext, pgettext
from .presenting.text import fmt_int
from .values import json_text, json_value

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("coalition.cli")
# The city and data version behind this run's output: set when the stored city is read
# (:func:`_city`), added to every JSON document printed (:func:`_print_json`).
_SOURCE: dict[str, Any] = {}
# Host names the dashboard always answers to; `serve --address/--allow-host` add more.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")  # names to compare with, not a bind
# What `serve` runs: the dashboard behind the Host and Origin checks (never imported here).
GUARDED_SERVER = settings.PACKAGE_DIR / "dashboard" / "guarded.py"


class UsageError(Exception):
    """Bad command-line arguments (exit code 2)."""


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def _print_json(data: Any) -> None:
    if _SOURCE and isinstance(data, dict):  # name the city and data version first
        data = {**_SOURCE, **data}
    print(json_text(json_value(data), default=_json_default))


def _store(args: argparse.Namespace, *, must_exist: bool = False):
    from .store import open_store

    return open_store(args.db, must_exist=must_exist)


def _operator():
    """The account every store call of the command line acts as: the store's operator."""
    from .accounts import operator

    return operator()


def _city(args: argparse.Namespace):
    """The stored city, read in one snapshot; an empty or missing store is an error (exit 1).

    Names what the output is about: a first line (text) or ``city``/``data_version`` (JSON).
    """
    store = _store(args, must_exist=True)
    city = store.read_city()  # StoreError "the store … is empty: run `coalition init DIR`"
    version = int(city.meta.get("version", 0))
    _SOURCE.update(city=city.name, data_version=version)
    if not getattr(args, "json", False):
        print(
            _("{city} — data version {version} (store: {store})").format(
                city=city.name, version=version, store=_where(store)
            )
        )
    if getattr(args, "survey_ties", None) or getattr(args, "survey_round", None):
        return _with_survey_ties(args, store, city)
    return city


def _graph(args: argparse.Namespace):
    from .model import build_graph

    return build_graph(_city(args))


def _index(args: argparse.Namespace):
    """The analyses' index of the stored city, read from its tables (no networkx graph)."""
    from .analysis.graph_index import index_city

    return index_city(_city(args))


# --- verbs --------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from .ingest import validate_city

    report = validate_city(args.folder)
    if args.json:
        _print_json(report.as_dict())
        return EXIT_OK if report.ok else EXIT_INVALID
    for problem in report.problems:
        print(problem)
    if report.ok and report.city is not None:
        warnings = len(report.warnings)
        print(
            ngettext(
                "OK: {folder} is valid ({counts}; {count} warning(s)).",
                "OK: {folder} is valid ({counts}; {count} warning(s)).",
                warnings,
            ).format(folder=args.folder, counts=_table_counts(report.city), count=fmt_int(warnings))
        )
        return EXIT_OK
    errors = len(report.errors)
    print(
        ngettext(
            "INVALID: {count} problem(s) in {folder}; nothing can be loaded until they are fixed.",
            "INVALID: {count} problem(s) in {folder}; nothing can be loaded until they are fixed.",
            errors,
        ).format(count=fmt_int(errors), folder=args.folder)
    )
    return EXIT_INVALID


def _table_count(table: str, count: int) -> str:
    """A table's rows counted (the English always says the table's name: "1 navigators")."""
    counted = {
        "neighborhoods": ngettext("{count} neighborhoods", "{count} neighborhoods", count),
        "organizations": ngettext("{count} organizations", "{count} organizations", count),
        "communities": ngettext("{count} communities", "{count} communities", count),
        "navigators": ngettext("{count} navigators", "{count} navigators", count),
        "committees": ngettext("{count} committees", "{count} committees", count),
        "ties": ngettext("{count} ties", "{count} ties", count),
    }
    return counted.get(table, "{count} " + table).format(count=fmt_int(count))


def _table_counts(city: Any) -> str:
    """``4 neighborhoods, 6 organizations, …``: the rows of each of a city's tables."""
    return ", ".join(_table_count(table, len(frame)) for table, frame in city.tables.items())


def cmd_init(args: argparse.Namespace) -> int:
    from .errors import StoreError
    from .ingest import read_city

    store = _store(args)
    empty = store.is_empty()
    info = store.info()
    if args.if_empty and not empty:
        print(
            _("The store already holds {city} (version {version}); nothing to do.").format(
                city=info.get("city"), version=info["version"]
            )
        )
        return EXIT_OK
    folder = Path(args.folder).absolute() if args.folder else settings.data_dir()
    city = read_city(folder)  # raises ValidationError before the store is touched
    if not empty and info.get("city") != city.name and not args.replace:
        raise StoreError(
            _(
                "the store {store} holds {city} (version {version}); loading {new_city} would "
                "replace it. Run again with --replace to do so (the current version stays in "
                "the history: `coalition restore {version}` brings it back), or use another "
                "store with --db."
            ).format(
                store=_where(store),
                city=info.get("city"),
                version=info["version"],
                new_city=city.name,
            )
        )
    automatic = empty and not args.folder  # the sample, because the store was empty
    version = store.replace_city(city, automatic=automatic, account=_operator())
    if automatic:
        print(_("The store was empty: loaded the sample city ({city}).").format(city=city.name))
    print(
        _("Loaded {city} from {folder} into {store} (version {version}): {counts}.").format(
            city=city.name,
            folder=folder,
            store=_where(store),
            version=version,
            counts=_table_counts(city),
        )
    )
    if not empty and info.get("city") != city.name:
        print(
            _(
                "Replaced {city} (version {version}, kept in the history: "
                "`coalition restore {version}` brings it back)."
            ).format(city=info.get("city"), version=info["version"])
        )
    for warning in city.meta.get("warnings", []):
        print(
            _("WARNING: {file}: {message}").format(file=warning["file"], message=warning["message"])
        )
    return EXIT_OK


def _where(store) -> str:
    return store.shown_url.removeprefix("sqlite:///")  # a password in a URL is never printed


def cmd_info(args: argparse.Namespace) -> int:
    from .model import city_summary

    city = _city(args)
    data = {
        **city.meta,
        "metric_crs": city.metric_crs,
        "store": _where(_store(args)),
        "counts": city_summary(city),
    }
    if args.json:
        _print_json(data)
    else:
        words = _info_words()
        for key, value in data.items():
            if key == "counts" and isinstance(value, dict):
                value = {words.get(k, k): v for k, v in value.items()}
            print(_("{key}: {value}").format(key=words.get(key, key), value=value))
    return EXIT_OK


def _info_words() -> dict[str, str]:
    """What ``info`` calls the store's facts and counts (English: their keys, as in the JSON)."""
    return {
        "store_format": pgettext("coalition info", "store_format"),
        "survey_revision": pgettext("coalition info", "survey_revision"),
        "version": pgettext("coalition info", "version"),
        "adjacency_tolerance_m": pgettext("coalition info", "adjacency_tolerance_m"),
        "loaded_at": pgettext("coalition info", "loaded_at"),
        "updated_at": pgettext("coalition info", "updated_at"),
        "source_dir": pgettext("coalition info", "source_dir"),
        "warnings": pgettext("coalition info", "warnings"),
        "loaded_automatically": pgettext("coalition info", "loaded_automatically"),
        "metric_crs": pgettext("coalition info", "metric_crs"),
        "store": pgettext("coalition info", "store"),
        "counts": pgettext("coalition info", "counts"),
        "organization": pgettext("coalition info", "organization"),
        "neighborhood": pgettext("coalition info", "neighborhood"),
        "community": pgettext("coalition info", "community"),
        "navigator": pgettext("coalition info", "navigator"),
        "committee": pgettext("coalition info", "committee"),
        "members": pgettext("coalition info", "members"),
        "other_organizations": pgettext("coalition info", "other_organizations"),
        "ties": pgettext("coalition info", "ties"),
        "illustrative_nodes": pgettext("coalition info", "illustrative_nodes"),
        "illustrative_ties": pgettext("coalition info", "illustrative_ties"),
        "partly_illustrative_nodes": pgettext("coalition info", "partly_illustrative_nodes"),
        "partly_illustrative_ties": pgettext("coalition info", "partly_illustrative_ties"),
    }


def cmd_export(args: argparse.Namespace) -> int:
    """Write the stored city: exact (the operator's full export) or, with --public, what a
    viewer may see (small counts hidden, README says so). Both are written to the audit log."""
    from . import accounts
    from .exports import export_city
    from .privacy import EXACT_LABEL, Disclosure

    disclosure = Disclosure.public() if args.public else None
    path = export_city(_city(args), args.format, Path(args.out).absolute(), disclosure=disclosure)
    what = "public" if args.public else "full (exact counts)"
    surveyed = _SOURCE.get("survey_ties")
    ties = (
        f" with the ties of partner survey round {surveyed['round']} ({surveyed['ties']})"
        if surveyed
        else ""
    )
    _store(args).audit(
        "export",
        f"{what} {args.format} export by the command line{ties}",
        account=accounts.operator(),
    )
    if args.public:
        assert disclosure is not None
        print(
            _(
                "Wrote the public {format} export to {path}: counts of residents below "
                "{threshold} are hidden; it may be shared."
            ).format(format=args.format, path=path, threshold=fmt_int(disclosure.threshold))
        )
    else:
        print(_("Wrote {format} to {path}").format(format=args.format, path=path))
        print(
            _(
                "{exact_label}: this full export keeps every count exactly. To share, use "
                "`coalition export --public OUT`."
            ).format(exact_label=EXACT_LABEL)
        )
    return EXIT_OK


def _parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    weights = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep:
            raise UsageError(
                _(
                    "--weights takes name=value pairs, e.g. need=0.4,readiness=0.2 (got '{part}')."
                ).format(part=part)
            )
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise UsageError(
                _("--weights: '{value}' is not a number.").format(value=value)
            ) from None
    return weights


MARK = "◇"  # rests on illustrative rows (as on the dashboard and the maps)


def _illustrative_note() -> str:
    """The note under a list with illustrative entries."""
    return _("{mark} rests on illustrative rows (made up to show the tool, not facts).").format(
        mark=MARK
    )


def _marked(text: str, illustrative: Any) -> str:
    return f"{MARK} {text}" if illustrative else text


def _by_severity(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most severe first (entries without a severity last); the library's order breaks ties."""
    return sorted(
        entries,
        key=lambda e: -e["severity"] if isinstance(e.get("severity"), (int, float)) else math.inf,
    )


def _disclosure(args: argparse.Namespace) -> Any:
    """The CLI is the operator (exact counts) unless ``--public`` asks for a viewer's view."""
    from .privacy import Disclosure

    return Disclosure.public() if getattr(args, "public", False) else Disclosure.exact_counts()


def _say_exact(args: argparse.Namespace, disclosure: Any) -> None:
    """Say once, at the top, that the counts below are exact (to stderr under --json, so the
    JSON stays parseable)."""
    from .privacy import EXACT_LABEL

    if disclosure.exact:
        print(EXACT_LABEL, file=sys.stderr if args.json else sys.stdout)


def cmd_gaps(args: argparse.Namespace) -> int:
    from .analysis import find_gaps

    disclosure = _disclosure(args)
    report = find_gaps(_index(args), disclosure=disclosure).to_dict()
    _say_exact(args, disclosure)
    if args.json:
        _print_json(report)
        return EXIT_OK
    marked = 0
    for family, entries in report.items():
        heading = GAP_HEADINGS[family] if family in GAP_HEADINGS else family.upper()
        print("\n" + _("{family} ({count})").format(family=heading, count=fmt_int(len(entries))))
        for entry in _by_severity(entries)[: args.limit]:
            marked += bool(entry.get("illustrative"))
            print(f"  - {_marked(entry['explanation'], entry.get('illustrative'))}")
        if len(entries) > args.limit:
            more = len(entries) - args.limit
            print(
                "  "
                + ngettext(
                    "… and {count} more (--limit, or --json for all)",
                    "… and {count} more (--limit, or --json for all)",
                    more,
                ).format(count=fmt_int(more))
            )
    if marked:
        print("\n" + _illustrative_note())
    return EXIT_OK


def _choice(value: str | None, frame: Any, option: str) -> str | None:
    """A neighborhood or community given by id or name (any case); a usage error naming the
    choices otherwise."""
    from .i18n import _

    if value is None:
        return None
    text = value.strip()
    if text in frame.index:
        return text
    by_name = {str(n).strip().lower(): str(i) for i, n in frame["name"].items()}
    if text.lower() in by_name:
        return by_name[text.lower()]
    raise UsageError(
        _("{option}: no {value} in this city. Choose one of: {choices}.").format(
            option=option, value=repr(text), choices=", ".join(map(str, frame.index))
        )
    )


def cmd_introductions(args: argparse.Namespace) -> int:
    from .analysis.introductions import introductions
    from .i18n import _, ngettext
    from .presenting.introductions import pair_sentences

    if args.limit < 1:
        raise UsageError(
            _("--limit must be 1 or more pairs (got {limit}).").format(limit=args.limit)
        )
    disclosure = _disclosure(args)
    index = _index(args)
    neighborhood = _choice(args.neighborhood, index.neighborhoods, "--neighborhood")
    community = _choice(args.community, index.communities, "--community")
    report = introductions(
        index,
        neighborhood=neighborhood,
        community=community,
        limit=args.limit,
        disclosure=disclosure,
    )
    _say_exact(args, disclosure)
    if args.json:
        _print_json(report.to_dict())
        return EXIT_OK
    print(
        "\n"
        + ngettext(
            "INTRODUCTIONS: WHO SHOULD MEET ({measured} of {candidates} candidate pair measured)",
            "INTRODUCTIONS: WHO SHOULD MEET ({measured} of {candidates} candidate pairs measured)",
            report.candidates,
        ).format(measured=report.measured, candidates=report.candidates)
    )
    if report.pairs.empty:
        print("  " + _("No pair to introduce for this choice."))
    marked = False
    for row in report.pairs.to_dict("records"):
        said = pair_sentences(row, str, disclosure)
        marked |= bool(row["illustrative"])
        print(f"\n{row['rank']:>3}. {said['headline']}")
        if said["invitation"]:
            print("     " + _("Invite: {sentence}").format(sentence=said["invitation"]))
        for sentence in said["reasons"]:
            print("     " + _("Why: {sentence}").format(sentence=sentence))
        for sentence in said["effects"]:
            print("     " + _("Effect: {sentence}").format(sentence=sentence))
    if marked:
        print(
            "\n"
            + _("{mark} rests on illustrative rows (made up to show the tool, not facts).").format(
                mark=MARK
            )
        )
    return EXIT_OK


# The families of gaps, as `gaps` heads them (the dashboard's titles: labels.GAP_FAMILIES).
GAP_HEADINGS = i18n.Translated(
    {
        "service_gaps": N_("SERVICE GAPS"),
        "language_gaps": N_("LANGUAGE GAPS"),
        "fragile_links": N_("FRAGILE LINKS"),
        "bridging": N_("BRIDGING"),
        "isolated": N_("ISOLATED"),
        "uncovered_need": N_("UNCOVERED NEED"),
        "could_invite": N_("COULD INVITE"),
    }
)


def cmd_coverage(args: argparse.Namespace) -> int:
    from .analysis import coverage_report

    disclosure = _disclosure(args)
    report = coverage_report(
        _index(args), rule=args.rule, distance_km=args.distance_km, disclosure=disclosure
    ).to_dict()
    _say_exact(args, disclosure)
    if args.json:
        _print_json(report)
        return EXIT_OK
    summary = report["summary"]
    print(_marked(summary.get("explanation", ""), summary.get("illustrative")))
    share = summary["share_foreign_born_covered"]
    share_words = (
        _("no figure")
        if share is None
        else share
        if isinstance(share, str)  # withheld to protect a small count
        else _percent(share, 1)
    )
    print(
        _(
            "Neighborhoods covered: {covered} of {total}; foreign-born residents covered: "
            "{foreign_born_covered} of {foreign_born_total} ({share})."
        ).format(
            covered=_count(summary["neighborhoods_covered"]),
            total=_count(summary["neighborhoods_total"]),
            foreign_born_covered=_count(summary["foreign_born_covered"]),
            foreign_born_total=_count(summary["foreign_born_total"]),
            share=share_words,
        )
    )
    columns = (_("neighborhood"), _("committee"), _("population"), _("foreign-born"))
    # The English widths, wider where a translation needs it.
    widths = (
        28,
        max(9, len(columns[1]), *(len(word) for word in COMMITTEE_CELLS.values())),
        max(10, len(columns[2])),
        max(12, len(columns[3])),
    )
    print(
        f"\n  {columns[0]:{widths[0]}} {columns[1]:{widths[1]}} {columns[2]:>{widths[2]}} "
        f"{columns[3]:>{widths[3]}}  " + _("covered")
    )
    yes, no = _("yes"), _("no")
    marked = False
    for row in report["neighborhoods"]:
        mark = MARK if row.get("illustrative") else " "
        marked |= mark == MARK
        status = row["committee_status"]
        print(
            f"{mark} {str(row['name'])[:28]:{widths[0]}} "
            f"{COMMITTEE_CELLS.get(status, status):{widths[1]}} "
            f"{_count(row['population']):>{widths[2]}} {_count(row['foreign_born']):>{widths[3]}}  "
            f"{yes if row['covered'] else no}"
        )
    if marked or summary.get("illustrative"):
        print(
            "\n"
            + _(
                "{mark} rests on illustrative rows (the neighborhood's figures or a committee "
                "covering it are made up to show the tool)."
            ).format(mark=MARK)
        )
    return EXIT_OK


# A neighborhood's committee, in the coverage table's column.
COMMITTEE_CELLS = i18n.Translated(
    {"active": N_("active"), "forming": N_("forming"), "paused": N_("paused"), "none": N_("none")}
)


def _count(value: Any) -> str:
    """A count for a table cell ("no figure" when missing; a hidden count's text as it is)."""
    if isinstance(value, str):
        return value
    if value is None:
        return _("no figure")
    return fmt_int(value) if isinstance(value, numbers.Integral) else f"{value:,}"


def _percent(share: float, decimals: int = 0) -> str:
    """A share as a percentage in the language in use, rounded as Python's ``%`` format rounds.

    Examples
    --------
    >>> _percent(0.295), _percent(0.4, 1)  # as f"{0.295:.0%}"
    ('30%', '40.0%')
    """
    return i18n.fmt_percent(round(share * 100, decimals) / 100, decimals)


def _decimal(value: float, decimals: int) -> str:
    """A number with ``decimals`` places in the language in use, rounded as Python's format.

    Examples
    --------
    >>> _decimal(0.41359, 3)
    '0.414'
    """
    return i18n.fmt_number(round(value, decimals), decimals)


# What a viewer sees of the ranking and the plan: their sentences are written by the analyses
# with exact figures, so a candidate whose figures are hidden loses its figures and its "Need"
# sentence, and the plan's foreign-born totals are withheld whenever any neighborhood's figure is
# (coverage "from 728 to 734" would give the hidden one away).
_NEED_WITHHELD = N_("Need: this neighborhood's figures are withheld to protect a small count.")
# How the analyses start the "Need" reason (the English, and as the Spanish analyses write it).
_NEED_PREFIXES = ("Need:", N_("Need:"))
_PLAN_FIGURES = (
    "newly_covered",
    "top_k_by_score_newly_covered",
    "gain_over_top_k",
    "foreign_born_covered_before",
    "foreign_born_covered_after",
    "foreign_born_total",
)


def _public_rank(
    index: Any, ranking: dict[str, Any], plan: dict[str, Any], disclosure: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ranking and plan dicts with every figure a viewer may not see withheld."""
    from .analysis.coverage import index_counts
    from .privacy import NEIGHBORHOOD_COUNTS, WITHHELD_TEXT, is_hidden

    shown = index_counts(index).protect(disclosure)

    def hidden_here(neighborhood_id: Any) -> bool:
        return any(
            is_hidden(shown.get(("neighborhood", str(neighborhood_id), column)))
            for column in NEIGHBORHOOD_COUNTS
        )

    candidates = []
    for candidate in ranking["candidates"]:
        if hidden_here(candidate["neighborhood_id"]):
            need = tuple({*_NEED_PREFIXES, *(_(prefix) for prefix in _NEED_PREFIXES)})
            reasons = [
                _(_NEED_WITHHELD) if str(r).startswith(need) else r for r in candidate["reasons"]
            ]
            candidate = {**candidate, "foreign_born": WITHHELD_TEXT, "reasons": reasons}
        candidates.append(candidate)
    any_hidden = any(
        is_hidden(v) and key == ("neighborhood", key[1], "foreign_born")
        for key, v in shown.items()
        if isinstance(key, tuple) and len(key) == 3
    )
    if any_hidden:
        plan = {
            **plan,
            **{key: WITHHELD_TEXT for key in _PLAN_FIGURES if key in plan},
            "selected": [
                {**pick, "foreign_born_if_alone": WITHHELD_TEXT} for pick in plan["selected"]
            ],
            "explanation": _(
                "The foreign-born residents this plan would reach are withheld to protect a "
                "small count."
            ),
        }
    return {**ranking, "candidates": candidates}, plan


def cmd_rank(args: argparse.Namespace) -> int:
    weights = _parse_weights(args.weights)  # a usage error before any work
    if args.runs < 1:
        raise UsageError(
            _(
                "--runs must be 1 or more stability runs (got {runs}); the default is {default}."
            ).format(runs=args.runs, default=fmt_int(settings.DEFAULT_STABILITY_RUNS))
        )
    from .analysis import plan_committees, rank_candidates

    index = _index(args)
    if not (~index.has_active_committee).any():  # a complete city is an answer, not an error
        message = _(
            "Every neighborhood already has an active welcoming committee: there is no "
            "candidate neighborhood to rank."
        )
        if args.json:
            _print_json({"k": 0, "k_requested": args.k, "candidates": [], "notes": [message]})
        else:
            print(message)
        return EXIT_OK
    ranking = rank_candidates(index, weights, k=args.k, stability_runs=args.runs, seed=args.seed)
    plan = plan_committees(
        index, args.k, ranking=ranking, rule=args.rule, distance_km=args.distance_km
    )
    disclosure = _disclosure(args)
    ranked, planned = ranking.to_dict(), plan.to_dict()
    if not disclosure.exact:
        ranked, planned = _public_rank(index, ranked, planned, disclosure)
    report = {**ranked, "plan": planned}
    _say_exact(args, disclosure)
    if args.json:
        _print_json(report)
        return EXIT_OK
    for note in report.get("notes", []):
        print(_("Note: {note}").format(note=note))
    k = report["k"]
    used = ", ".join(f"{name}={v:g}" for name, v in report["weights"].items())
    print(_("Weights: {weights}").format(weights=used))
    marked = False
    for candidate in report["candidates"][: max(k, args.limit)]:
        stability = candidate["stability"]
        interval = candidate.get("stability_interval") or [None, None]
        stable_words = (
            ""
            if stability is None
            else "  "
            + (
                ngettext(
                    "(in the top {k} in {share} of varied runs)",
                    "(in the top {k} in {share} of varied runs)",
                    k,
                )
                if None in interval
                else ngettext(
                    "(in the top {k} in {share} of varied runs, 95% interval {low}–{high})",
                    "(in the top {k} in {share} of varied runs, 95% interval {low}–{high})",
                    k,
                )
            ).format(
                k=k,
                share=_percent(stability),
                low=_percent(interval[0] or 0),
                high=_percent(interval[1] or 0),
            )
        )
        marked |= bool(candidate.get("illustrative"))
        print(
            "\n"
            + _marked(
                _("{rank}. {name}  score {score}{stability}").format(
                    rank=candidate["rank"],
                    name=candidate["name"],
                    score=_decimal(candidate["score"], 3),
                    stability=stable_words,
                ),
                candidate.get("illustrative"),
            )
        )
        flags = candidate.get("reasons_illustrative") or [False] * len(candidate["reasons"])
        for reason, flag in zip(candidate["reasons"], flags, strict=False):
            print(f"   - {_marked(reason, flag)}")
    marked |= plan.illustrative
    names = [
        _("{name} (filler: adds no coverage)").format(name=_marked(s.name, s.illustrative))
        if s.filler
        else _marked(s.name, s.illustrative)
        for s in plan.selected
    ]
    print(
        "\n"
        + ngettext(
            "Plan for the next {k} committees ({method}): {names}",
            "Plan for the next {k} committees ({method}): {names}",
            plan.k,
        ).format(k=plan.k, method=plan.method, names=", ".join(names))
    )
    print(
        ngettext(
            "Newly covered foreign-born residents: {newly_covered} "
            "(top {k} by score: {top_k_newly_covered}).",
            "Newly covered foreign-born residents: {newly_covered} "
            "(top {k} by score: {top_k_newly_covered}).",
            plan.k,
        ).format(
            newly_covered=_count(planned["newly_covered"]),
            k=plan.k,
            top_k_newly_covered=_count(planned["top_k_by_score_newly_covered"]),
        )
    )
    print(_marked(planned["explanation"], plan.illustrative))
    if marked:
        print("\n" + _illustrative_note())
    return EXIT_OK


def cmd_brief(args: argparse.Namespace) -> int:
    """Write the commission brief (PDF): public counts, in --lang (default: the CLI's)."""
    from . import i18n
    from .brief import build_brief, page_count

    if args.k < 1:
        raise UsageError(f"--k must be 1 or more new committees (got {args.k}).")
    out = Path(args.out).absolute()
    if out.is_dir():
        raise UsageError(f"{out} is a folder: give the PDF's file name, e.g. {out / 'brief.pdf'}")
    lang = getattr(args, "lang", None) or i18n.language()
    city = _city(args)
    from .analysis.graph_index import index_city

    index = index_city(city)
    neighborhood = args.neighborhood
    if neighborhood is not None and neighborhood not in set(index.neighborhoods.index):
        by_name = {str(n).casefold(): i for i, n in index.neighborhoods["name"].items()}
        neighborhood = by_name.get(str(neighborhood).casefold(), neighborhood)
    pdf = build_brief(city, index, neighborhood=neighborhood, lang=lang, k=args.k)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    pages = page_count(pdf)
    with i18n.using(lang):
        print(
            i18n.ngettext(
                "Wrote {path}: {pages} page, {size} KB.",
                "Wrote {path}: {pages} pages, {size} KB.",
                pages,
            ).format(path=out, pages=i18n.fmt_number(pages), size=i18n.fmt_number(len(pdf) / 1024))
        )
    return EXIT_OK


def cmd_starter_kit(args: argparse.Namespace) -> int:
    """The starter kit for a new welcoming committee in one neighborhood (id or name)."""
    from .analysis.starter_kit import resolve_neighborhood, starter_kit
    from .errors import AnalysisError
    from .i18n import _
    from .presenting.starter_kit import kit_html, kit_sections, kit_title

    index = _index(args)
    try:
        neighborhood_id = resolve_neighborhood(index, args.neighborhood)
    except AnalysisError:
        names = index.neighborhoods["name"]
        valid = ", ".join(f"{n} ({names.at[n]})" for n in names.index[:12])
        raise UsageError(
            _(
                'no neighborhood has the id or name "{wanted}". Give an id or a name (any '
                "case), such as: {valid}. `coalition coverage --json` lists them all."
            ).format(wanted=args.neighborhood, valid=valid)
        ) from None
    kit = starter_kit(index, neighborhood_id)
    disclosure = _disclosure(args)
    if args.html:
        from .privacy import Disclosure

        out = Path(args.html).absolute()
        shared = Disclosure.exact_counts() if args.exact else Disclosure.public()
        try:
            out.write_text(kit_html(kit, shared), encoding="utf-8")
        except OSError as exc:
            raise CoalitionError(
                _("Could not write {path}: {error}. Choose a folder you can write to.").format(
                    path=out, error=exc.strerror or exc
                )
            ) from exc
    _say_exact(args, disclosure)
    sections = kit_sections(kit, disclosure)
    if args.json:
        _print_json(
            {
                **kit.to_dict(disclosure),
                "sections": [
                    {"key": s.key, "title": s.title, "lines": s.lines, "sources": s.sources}
                    for s in sections
                ],
                **({"html": str(Path(args.html).absolute())} if args.html else {}),
            }
        )
        return EXIT_OK
    print(kit_title(kit))
    for section in sections:
        print(f"\n{section.title.upper()}")
        for line in section.lines:
            print(f"  - {line}")
        if section.sources:
            print("  " + _("Sources: {sources}").format(sources="; ".join(section.sources)))
    if args.html:
        print("\n" + _("Printable page written to {path}").format(path=Path(args.html).absolute()))
    return EXIT_OK


def cmd_maps(args: argparse.Namespace) -> int:
    """Write the HTML maps: public by default (they are files people share); --exact writes
    exact counts, labelled not for sharing in every legend."""
    from .map_files import write_city_maps
    from .privacy import EXACT_LABEL, Disclosure

    out = Path(args.out).absolute() if args.out else settings.maps_dir()
    disclosure = Disclosure.exact_counts() if args.exact else Disclosure.public()
    # From the tables and the analyses' index: the networkx graph is never built.
    paths = write_city_maps(_city(args), out, tiles=args.tiles, disclosure=disclosure)
    print(
        ngettext(
            "Wrote {count} map(s) to {folder}:", "Wrote {count} map(s) to {folder}:", len(paths)
        ).format(count=fmt_int(len(paths)), folder=f"{out}{os.sep}")
    )
    for path in paths:
        print(f"  {path}")
    if args.exact:
        print(
            _("{exact_label}: these maps show every count exactly; do not share them.").format(
                exact_label=EXACT_LABEL
            )
        )
    else:
        print(
            _(
                "Counts of residents below {threshold} are hidden: these maps may be shared "
                "(--exact writes exact ones, not for sharing)."
            ).format(threshold=fmt_int(disclosure.threshold))
        )
    return EXIT_OK


def _version_line(row: Any) -> str:
    """One kept version for a list: number, time, what; who saved it and its meeting names."""
    notes = ([_("by {who}").format(who=row.who)] if row.who else []) + (
        [_("meeting: {meeting}").format(meeting=row.meeting)] if row.meeting else []
    )
    return f"{row.version:>5}  {_time(row.saved_at)} UTC  {row.what}" + (
        f"  ({'; '.join(notes)})" if notes else ""
    )


def _meeting_name(store, text: str) -> str | None:
    """The meeting's name as it was given, when ``text`` names one (None for a number)."""
    given = " ".join(str(text).split()).casefold()
    if given.lstrip("-").isdigit():
        return None
    meetings = store.meetings()
    return next((n for n in meetings["name"] if n.casefold() == given), None)


def cmd_changes(args: argparse.Namespace) -> int:
    from .history import compare_cities

    if args.rounds or args.compare_ties:
        return _compare_survey_rounds(args)
    store = _store(args, must_exist=True)
    city = _city(args)  # exit 1 on an empty store; names the city and version
    current = int(city.meta.get("version", 0))
    operator = _operator()
    if args.list:
        versions = store.versions(account=operator)
        if args.json:
            _print_json(versions.to_dict("records"))  # a list: the versions, not one city
            return EXIT_OK
        for row in versions.itertuples():
            print(_version_line(row))
        return EXIT_OK
    if args.since is None and current == 1:
        print(_("There is only one version so far (version 1): nothing to compare yet."))
        return EXIT_OK
    # A version number or a meeting's name (StoreError, exit 1, names the meetings kept).
    since = current - 1 if args.since is None else store.version_of(args.since)
    meeting = None if args.since is None else _meeting_name(store, args.since)
    before = store.read_version(since, account=operator)  # StoreError (exit 1): not kept
    report = compare_cities(before, city, disclosure=_disclosure(args))  # the operator: exact
    if args.json:
        _print_json(
            {"since": since, "since_meeting": meeting, "current": current, **report.to_dict()}
        )
        return EXIT_OK
    what = before.meta.get("what")
    print(
        (
            _("Changes from version {since} ('{meeting}', {what}) to version {current}:")
            if meeting
            else _("Changes from version {since} ({what}) to version {current}:")
        ).format(since=since, meeting=meeting, what=what, current=current)
    )
    print(report.explanation)
    for entry in report.headline.values():
        if entry["delta"]:
            shown = [
                _percent(v) if isinstance(v, float) else _count(v)
                for v in (entry["before"], entry["after"])
            ]
            print(f"  {entry['label']}: {shown[0]} -> {shown[1]}")
    for sentence in report.changes["explanation"]:
        print(f"  - {sentence}")
    if not report.effects.empty:
        print(_("What the changes did:"))
        for sentence in report.effects["explanation"]:
            print(f"  - {sentence}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    store = _store(args, must_exist=True)
    version = store.version_of(args.version)  # a number or a meeting's name (StoreError)
    # StoreError (exit 1): not kept
    new_version = store.restore(version, who=args.who, account=_operator())
    info = store.info()
    meeting = _meeting_name(store, args.version)
    print(
        (
            _(
                "Restored version {version} ('{meeting}') ({city}) as version {new_version} of "
                "{store}; the versions in between stay in the history (coalition changes "
                "--list). To take the restore back: coalition undo --version {new_version}"
            )
            if meeting
            else _(
                "Restored version {version} ({city}) as version {new_version} of {store}; the "
                "versions in between stay in the history (coalition changes --list). To take "
                "the restore back: coalition undo --version {new_version}"
            )
        ).format(
            version=version,
            meeting=meeting,
            city=info.get("city"),
            new_version=new_version,
            store=_where(store),
        )
    )
    return EXIT_OK


def _stored(args: argparse.Namespace):
    """The store, refused (exit 1) when it holds no city yet."""
    from .errors import StoreError
    from .store import empty_message

    store = _store(args, must_exist=True)
    if store.is_empty():
        raise StoreError(empty_message(store.url))
    return store


def cmd_undo(args: argparse.Namespace) -> int:
    from .errors import ConflictError, StoreError

    store = _stored(args)
    operator = _operator()
    try:
        new_version = store.undo(who=args.who, version=args.version, account=operator)
    except ConflictError as exc:
        rows = [
            (
                _("{record} ({table}, changed again in version {version})")
                if c.changed_in
                else _("{record} ({table})")
            ).format(
                record=(c.current or {}).get("name")
                or (c.current or {}).get("alias")
                or c.change.key,
                table=c.change.table,
                version=c.changed_in,
            )
            for c in exc.conflicts
        ]
        later = sorted({c.changed_in for c in exc.conflicts if c.changed_in}, reverse=True)
        raise StoreError(
            (
                ngettext(
                    "Nothing was undone: {count} record(s) it changed were changed again since: "
                    "{records}. Undo the later version first (coalition undo --version "
                    "{version}), or restore an earlier version (coalition restore VERSION).",
                    "Nothing was undone: {count} record(s) it changed were changed again since: "
                    "{records}. Undo the later version first (coalition undo --version "
                    "{version}), or restore an earlier version (coalition restore VERSION).",
                    len(rows),
                )
                if later
                else ngettext(
                    "Nothing was undone: {count} record(s) it changed were changed again since: "
                    "{records}. restore an earlier version (coalition restore VERSION).",
                    "Nothing was undone: {count} record(s) it changed were changed again since: "
                    "{records}. restore an earlier version (coalition restore VERSION).",
                    len(rows),
                )
            ).format(
                count=fmt_int(len(rows)), records="; ".join(rows), version=later[0] if later else ""
            )
        ) from exc
    what = store.versions(account=operator).set_index("version").loc[new_version, "what"]
    print(
        _(
            "Version {version}: {what}. The undone version stays in the history (coalition "
            "changes --list); to take the undo back: coalition undo --version {version}"
        ).format(version=new_version, what=what)
    )
    return EXIT_OK


def cmd_meeting(args: argparse.Namespace) -> int:
    if args.list == bool(args.name):
        raise UsageError(
            _(
                'give the meeting\'s name (e.g. coalition meeting "March convening"), or --list '
                "to see the meetings named so far."
            )
        )
    store = _stored(args)
    if args.list:
        meetings = store.meetings()
        if args.json:
            _print_json(meetings.to_dict("records"))
            return EXIT_OK
        if meetings.empty:
            print(
                _(
                    "No meeting is named yet. Name the current version: coalition meeting "
                    '"March convening"'
                )
            )
        for row in meetings.itertuples():
            named = (
                _("(named {time} UTC, by {who})") if row.who else _("(named {time} UTC)")
            ).format(time=_time(row.saved_at), who=row.who)
            print(f"{row.version:>5}  {row.name}  {named}")
        return EXIT_OK
    version = store.name_meeting(args.name, args.version, who=args.who, account=_operator())
    name = " ".join(args.name.split())
    print(
        _(
            "Version {version} is now the meeting '{name}'. See what changed since: "
            'coalition changes --since "{name}"'
        ).format(version=version, name=name)
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    store = _stored(args)  # a PostgreSQL store is copied into a SQLite store file too
    # StoreError when OUT exists
    path = store.backup(Path(args.out).absolute(), account=_operator())
    info = store.info()
    where = _where(store)
    print(
        (
            _(
                "Backed up {city} (data version {version}, every version kept) from {store} to "
                "{path}.\nTo restore from it, stop the dashboard, then either use the backup as "
                "the store:\n  coalition serve --db {path}\nor copy it over the store:\n"
                "  cp {path} {store}"
            )
            if store.engine.dialect.name == "sqlite"
            else _(
                "Backed up {city} (data version {version}, every version kept) from {store} to "
                "{path}.\nTo restore from it, stop the dashboard, then either use the backup as "
                "the store:\n  coalition serve --db {path}\n(a PostgreSQL database is restored "
                "from pg_dump's dump: docs/deploy.md)"
            )
        ).format(city=info.get("city"), version=info["version"], store=where, path=path)
    )
    return EXIT_OK


# --- the partner survey ---------------------------------------------------------------------------
# What each mode of `--ties` keeps, in the one line that says where the ties came from.
SURVEY_TIE_WORDS = i18n.Translated(
    {
        "confirmed": N_("confirmed by both sides"),
        "any": N_(
            "any report (confirmed by both sides, reported by one side, or naming a member that "
            "has not answered)"
        ),
    }
)
# One line on each form `survey make` writes, in write_forms' order (translated where shown).
FORM_USES = (
    N_(
        "the offline form: one HTML file that works without a server or internet; a member "
        "fills it in and e-mails back the file it saves"
    ),
    N_("the workbook: the roster and drop-down answers, for e-mail or paper rounds"),
    N_("the XLSForm: upload it to KoboToolbox or ODK Central as a new form"),
)
# The channels a file comes from (coalition.survey.importers.FILE_CHANNELS, not imported here:
# building the parser must not load the importers), as the preview names them.
CHANNEL_WORDS = i18n.Translated(
    {
        "html": N_("offline form"),
        "xlsx": N_("workbook"),
        "kobo": N_("KoboToolbox export"),
        "odk": N_("ODK Central export"),
        "google": N_("Google Forms export"),
        "msforms": N_("Microsoft Forms export"),
    }
)
DEFAULT_BASE_URL = "http://localhost:8501"


def _newest_round(store) -> str:
    """The newest survey round's name; a SurveyError when the store has none yet."""
    from .errors import SurveyError

    rounds = store.survey_rounds(account=_operator())
    if rounds.empty:
        raise SurveyError(
            _(
                "This store has no partner survey round yet, so there are no survey ties to use. "
                "Open one and send its forms (coalition survey make --round NAME OUT_DIR), or "
                "leave out --ties to use the recorded ties."
            )
        )
    return str(rounds["round"].iloc[0])


def _with_survey_ties(args: argparse.Namespace, store, city):
    """The city whose partnerships between members are a survey round's (``--ties``/``--round``),
    named in one line (text) or under ``survey_ties`` (JSON)."""
    from .survey import analysis

    mode = args.survey_ties or "confirmed"
    name = args.survey_round or _newest_round(store)
    answers = store.read_survey_round(name, account=_operator())  # SurveyError: did you mean
    summary = analysis.response_summary(answers, analysis.roster_of(city))
    surveyed = analysis.with_survey_ties(city, answers, ties=mode)
    _SOURCE["survey_ties"] = {
        "round": answers.round,
        "ties": mode,
        "members": summary.members,
        "answered": summary.answered,
    }
    if not getattr(args, "json", False):
        print(
            ngettext(
                "Ties: partner survey round {round}, {ties}; {answered} of {members} members "
                "answered.",
                "Ties: partner survey round {round}, {ties}; {answered} of {members} members "
                "answered.",
                summary.members,
            ).format(
                round=answers.round,
                ties=SURVEY_TIE_WORDS[mode],
                answered=fmt_int(summary.answered),
                members=fmt_int(summary.members),
            )
        )
    return surveyed


def _round_state(is_open: Any) -> str:
    return pgettext("survey round", "open") if is_open else pgettext("survey round", "closed")


def cmd_survey(args: argparse.Namespace) -> int:
    verbs = {
        "make": _survey_make,
        "import": _survey_import,
        "rounds": _survey_rounds,
        "open": _survey_open_close,
        "close": _survey_open_close,
        "reopen": _survey_open_close,
        "status": _survey_status,
    }
    return verbs[args.survey_verb](args)


def _survey_make(args: argparse.Namespace) -> int:
    """Open the round if it is new, write its three forms and, with --links, the members'
    private links (a confidential CSV)."""
    from .errors import SurveyError
    from .names import slugify
    from .store import survey_round_name
    from .survey import forms
    from .survey.schema import roster_frame

    base_url = args.base_url.rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise UsageError(
            _(
                "--base-url must start with http:// or https:// (got {given}), e.g. {default} or "
                "the address members reach the dashboard at."
            ).format(given=repr(args.base_url), default=DEFAULT_BASE_URL)
        )
    store = _stored(args)
    city = _city(args)
    operator = _operator()
    name = survey_round_name(args.round_name)
    rounds = store.survey_rounds(account=operator).set_index("round")
    members = roster_frame(city)
    if name in rounds.index:
        is_open = bool(rounds.loc[name, "is_open"])
        if args.links and not is_open:
            raise SurveyError(
                _(
                    "Round {round} is closed: links cannot be made for it (nothing was "
                    "written). Reopen it first: coalition survey reopen {quoted}"
                ).format(round=repr(name), quoted=_quoted(name))
            )
        print(
            (
                _("Round {round} already exists (open): writing its forms again.")
                if is_open
                else _("Round {round} already exists (closed): writing its forms again.")
            ).format(round=name)
        )
        if not is_open:
            print(
                _(
                    "It is closed: no answers can come in until it is reopened "
                    "(coalition survey reopen {quoted})."
                ).format(quoted=_quoted(name))
            )
    else:
        name = store.open_survey_round(name, account=operator)
        print(_("Opened the survey round {round}.").format(round=name))
    out = Path(args.out_dir).absolute()
    paths = forms.write_forms(city, name, out)
    print(
        ngettext(
            "Wrote the forms of round {round} ({count} members on the roster) to {folder}:",
            "Wrote the forms of round {round} ({count} members on the roster) to {folder}:",
            len(members),
        ).format(round=name, count=fmt_int(len(members)), folder=out)
    )
    for path, use in zip(paths, FORM_USES, strict=True):
        print(f"  {path}\n      " + _(use))
    if args.links:
        tokens = store.make_survey_links(name, members["org_id"].tolist(), account=operator)
        path = out / f"links-{slugify(name) or 'round'}.csv"
        _write_links(path, members, tokens, base_url)
        print(
            ngettext(
                "Wrote {count} private links to {path}.\nCONFIDENTIAL: a link lets whoever "
                "holds it answer for its member. Send each member only its own, then delete the "
                "file. Making links again replaces these (the old ones stop working).",
                "Wrote {count} private links to {path}.\nCONFIDENTIAL: a link lets whoever "
                "holds it answer for its member. Send each member only its own, then delete the "
                "file. Making links again replaces these (the old ones stop working).",
                len(tokens),
            ).format(count=fmt_int(len(tokens)), path=path)
        )
    print(
        _(
            "Import the answers that come back with: coalition survey import FILE… --round {quoted}"
        ).format(quoted=_quoted(name))
    )
    return EXIT_OK


def _quoted(text: str) -> str:
    """``text`` as one shell word, for a command to copy."""
    import shlex

    return shlex.quote(text)


def _write_links(path: Path, members: Any, tokens: dict[str, str], base_url: str) -> None:
    """The links CSV (member, org_id, url), readable by its owner only; names never formulas."""
    import csv

    from .exports import neutralise_formula

    names = dict(zip(members["org_id"], members["name"], strict=True))
    if path.exists():
        path.unlink()  # made again with the owner-only mode below
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(descriptor, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["member", "org_id", "url"])
        for org_id, token in tokens.items():
            writer.writerow(
                [
                    neutralise_formula(names.get(org_id, org_id)),
                    neutralise_formula(org_id),
                    f"{base_url}/survey?link={token}",
                ]
            )


def _survey_import(args: argparse.Namespace) -> int:
    """Read answer files, show what they add, and import them all or nothing."""
    from .errors import SurveyError
    from .store import survey_round_name
    from .survey.importers import import_answers

    store = _stored(args)
    city = _city(args)
    operator = _operator()
    name = survey_round_name(args.round_name)
    if not store.survey_round_is_open(name):  # SurveyError for an unknown round: did you mean
        raise SurveyError(
            _(
                "Round {round} is closed: its answers can no longer change, so nothing was "
                "imported. To import them anyway, reopen it: coalition survey reopen {quoted}"
            ).format(round=repr(name), quoted=_quoted(name))
        )
    # ValidationError (exit 1): every problem, with file, row, column, value and fix.
    result = import_answers([Path(f) for f in args.files], city, name, channel=args.channel)
    plan = store.plan_survey_import(result.answers, account=operator)
    preview = result.preview()
    changes = bool(plan.new or plan.replaced)
    imported = False
    if changes and (args.yes or (not args.json and _confirmed(name))):
        plan = store.import_survey_answers(result.answers, account=operator)
        imported = True
    if args.json:
        _print_json(
            {
                "round": name,
                "channel": result.channel,
                "files": list(args.files),
                "preview": preview,
                "warnings": [w.as_dict() for w in result.warnings],
                "plan": {
                    "new": plan.new,
                    "replaced": plan.replaced,
                    "kept": plan.kept,
                    "sentence": plan.sentence,
                },
                "imported": imported,
            }
        )
        return EXIT_OK
    counted = {
        "files": ngettext("{count} file", "{count} files", len(args.files)),
        "respondents": ngettext(
            "{count} member answered", "{count} members answered", preview["respondents"]
        ),
        "answers": ngettext(
            "{count} partner answer", "{count} partner answers", preview["answers"]
        ),
        "profiles": ngettext("{count} profile", "{count} profiles", preview["profiles"]),
        "outside": ngettext(
            "{count} organization outside the coalition",
            "{count} organizations outside the coalition",
            preview["outside"],
        ),
    }
    sizes = {"files": len(args.files), **{k: preview[k] for k in counted if k != "files"}}
    words = {k: counted[k].format(count=fmt_int(sizes[k])) for k in counted}
    print(
        _("Read {files} ({channel}): {respondents}, {answers}, {profiles}, {outside}.").format(
            channel=CHANNEL_WORDS.get(result.channel, result.channel), **words
        )
    )
    for warning in result.warnings:
        print(str(warning))
    print(plan.sentence)
    if imported:
        print(_("Imported into round {round} ({store}).").format(round=name, store=_where(store)))
    elif not changes:
        print(_("Nothing to import: the round already holds these answers or newer ones."))
    elif not sys.stdin.isatty():
        print(_("Nothing was imported yet: check the above, then run again with --yes to import."))
    else:
        print(_("Nothing was imported."))
    return EXIT_OK


def _confirmed(name: str) -> bool:
    """A yes typed at a terminal (never asked without one: scripts pass --yes)."""
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(_("Import these answers into round {round}? [y/N] ").format(round=name))
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes", _("y"), _("yes")}


def _survey_rounds(args: argparse.Namespace) -> int:
    store = _store(args, must_exist=True)
    rounds = store.survey_rounds(account=_operator())
    if args.json:
        _print_json(rounds.to_dict("records"))  # a list: the rounds
        return EXIT_OK
    if rounds.empty:
        print(
            _(
                "No survey round yet. Open one and write its forms: coalition survey make "
                "--round NAME OUT_DIR"
            )
        )
        return EXIT_OK
    width = max(24, *(len(str(r)) for r in rounds["round"]))
    heads = (
        pgettext("survey rounds", "round"),
        pgettext("survey rounds", "state"),
        pgettext("survey rounds", "opened"),
        pgettext("survey rounds", "by"),
    )
    respondents = pgettext("survey rounds", "respondents")
    state = max(6, len(heads[1]), *(len(_round_state(v)) for v in (True, False)))
    print(f"{heads[0]:{width}} {heads[1]:{state}} {heads[2]:17} {heads[3]:16} {respondents}")
    for row in rounds.itertuples():
        print(
            f"{row.round:{width}} {_round_state(row.is_open):{state}} {_time(row.opened_at):17} "
            f"{str(row.opened_by)[:16]:16} {fmt_int(row.respondents):>{len(respondents)}}"
        )
    return EXIT_OK


def _survey_open_close(args: argparse.Namespace) -> int:
    store = _store(args, must_exist=True)
    operator = _operator()
    if args.survey_verb == "open":
        name = store.open_survey_round(args.name, account=operator)
        print(
            _(
                "Opened the survey round {round}. Write its forms (and the members' private "
                "links with --links): coalition survey make --round {quoted} OUT_DIR"
            ).format(round=name, quoted=_quoted(name))
        )
        return EXIT_OK
    name = " ".join(str(args.name).split())
    if args.survey_verb == "close":
        store.close_survey_round(name, account=operator)
        print(
            _(
                "Closed the round {round}: members can no longer change their answers "
                "(coalition survey reopen {quoted} opens it again)."
            ).format(round=name, quoted=_quoted(name))
        )
    else:
        store.reopen_survey_round(name, account=operator)
        print(
            _(
                "Reopened the round {round}: members can answer and change their answers again."
            ).format(round=name)
        )
    return EXIT_OK


def _survey_status(args: argparse.Namespace) -> int:
    """For the convener: the response rate, who has not answered, and the ties reported."""
    from .survey import analysis

    store = _stored(args)
    city = _city(args)
    name = args.round_name or _newest_round(store)
    answers = store.read_survey_round(name, account=_operator())
    is_open = store.survey_round_is_open(answers.round)
    roster = analysis.roster_of(city)
    summary = analysis.response_summary(answers, roster)
    pairs = analysis.reciprocity_counts(answers, roster)
    if args.json:
        _print_json(
            {
                "round": answers.round,
                "is_open": is_open,
                "members": summary.members,
                "answered": summary.answered,
                "rate": summary.rate,
                "not_answered": list(summary.not_answered),
                "sentence": summary.sentence,
                "ties": pairs,
                "response": analysis.response(answers, roster).to_dict("records"),
            }
        )
        return EXIT_OK
    print(
        (_("Round {round} is open.") if is_open else _("Round {round} is closed.")).format(
            round=answers.round
        )
    )
    print(summary.sentence)
    print(
        _(
            "Ties reported: {confirmed} confirmed by both sides, {one_side} by one side only, "
            "{non_respondent} naming a member that has not answered."
        ).format(
            confirmed=fmt_int(pairs[analysis.CONFIRMED]),
            one_side=fmt_int(pairs[analysis.ONE_SIDE]),
            non_respondent=fmt_int(pairs[analysis.NON_RESPONDENT]),
        )
    )
    if summary.not_answered:
        print(_("To chase ({count}):").format(count=fmt_int(len(summary.not_answered))))
        for member in summary.not_answered:
            print(f"  - {member}")
    return EXIT_OK


def _compare_survey_rounds(args: argparse.Namespace) -> int:
    """`changes --round A --round B`: what changed between two partner survey rounds."""
    from .survey import analysis, compare

    if args.since is not None or args.list:
        raise UsageError(
            _(
                "--round compares two partner survey rounds, --since and --list the versions of "
                "the data: use one or the other."
            )
        )
    if len(args.rounds or []) != 2:
        raise UsageError(
            _(
                "give two survey rounds, the earlier first: coalition changes --round spring "
                "--round fall (coalition survey rounds lists them)."
            )
        )
    store = _stored(args)
    city = _city(args)
    operator = _operator()
    before, after = (store.read_survey_round(r, account=operator) for r in args.rounds)
    if before.round == after.round:
        raise UsageError(
            _("both --round name the round {round}: give two different rounds.").format(
                round=before.round
            )
        )
    mode = args.compare_ties or "any"
    comparison = compare.compare_rounds(before, after, analysis.roster_of(city), ties=mode)
    if args.json:
        _print_json(
            {
                "before": comparison.before,
                "after": comparison.after,
                "ties": comparison.ties_mode,
                "sentences": comparison.sentences,
                **{
                    table: getattr(comparison, table).to_dict("records")
                    for table in (
                        "ties_gained",
                        "ties_lost",
                        "trust_value",
                        "newly_central",
                        "newly_peripheral",
                        "measures",
                    )
                },
            }
        )
        return EXIT_OK
    print(
        _("Partner survey rounds {before} and {after}:").format(
            before=comparison.before, after=comparison.after
        )
    )
    for sentence in comparison.sentences:
        print(f"  - {sentence}")
    return EXIT_OK


# --- accounts -----------------------------------------------------------------------------------


def _password(args: argparse.Namespace, name: str) -> str:
    """The new password: one line of standard input (--password-stdin), or typed twice.

    Never a command-line argument (other users of the machine see those in the process list).
    """
    import getpass

    from .errors import AccountError

    if args.password_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise AccountError(
                _(
                    "--password-stdin read no password: pipe it in, e.g. "
                    "`printf '%s' \"$PASSWORD\" | coalition user add {name} --password-stdin`."
                ).format(name=name)
            )
        return password
    if not sys.stdin.isatty():
        raise UsageError(
            _(
                "no terminal to type the password in: pass it on standard input with "
                "--password-stdin (never on the command line)."
            )
        )
    first = getpass.getpass(
        _("Password for {name} (at least {count} characters): ").format(
            name=name, count=fmt_int(settings.PASSWORD_MIN_LENGTH)
        )
    )
    second = getpass.getpass(_("The same password again: "))
    if first != second:
        raise AccountError(_("The two passwords differ: nothing was changed. Try again."))
    return first


def cmd_user(args: argparse.Namespace) -> int:
    store = _store(args)
    operator = _operator()
    if args.user_verb == "add":
        password = _password(args, args.name)
        added = store.add_account(args.name, password, args.role, account=operator)
        print(
            _("Added {name} as {role} in {store}.").format(
                name=added.name, role=_role(added.role), store=_where(store)
            )
        )
        print(_("The dashboard asks everyone to sign in from now on (coalition user list)."))
    elif args.user_verb == "remove":
        store.remove_account(args.name, account=operator)
        print(
            _("Removed {name}: it can no longer sign in, and its sessions are ended.").format(
                name=args.name
            )
        )
    elif args.user_verb == "set-role":
        store.set_role(args.name, args.role, account=operator)
        print(
            _("{name} is now {role} (from its next click on the dashboard).").format(
                name=args.name, role=_role(args.role)
            )
        )
    elif args.user_verb == "password":
        store.set_password(args.name, _password(args, args.name), account=operator)
        print(
            _("Set a new password for {name}: it is unlocked, and signed out everywhere.").format(
                name=args.name
            )
        )
    else:  # list
        listed = store.accounts(account=operator)
        if args.json:
            _print_json(listed.to_dict("records"))
            return EXIT_OK
        if listed.empty:
            print(
                _(
                    "No accounts in {store}: the dashboard is a single-person tool on this "
                    "machine. Add an admin with: coalition user add NAME --role admin"
                ).format(store=_where(store))
            )
            return EXIT_OK
        heads = (
            pgettext("accounts", "name"),
            pgettext("accounts", "role"),
            pgettext("accounts", "created"),
            pgettext("accounts", "last sign-in"),
            pgettext("accounts", "locked until"),
        )
        role = max(7, len(heads[1]), *(len(_role(r)) for r in ROLES))
        print(f"{heads[0]:24} {heads[1]:{role}} {heads[2]:17} {heads[3]:17} {heads[4]}")
        for row in listed.itertuples():
            print(
                f"{row.name:24} {_role(row.role):{role}} {_time(row.created_at):17} "
                f"{_time(row.last_sign_in):17} {_time(row.locked_until)}"
            )
    return EXIT_OK


ROLES = ("viewer", "editor", "admin")


def _role(role: str) -> str:
    """An account's role in a sentence or the accounts table (commands take the English word)."""
    names = {
        "viewer": pgettext("account role", "viewer"),
        "editor": pgettext("account role", "editor"),
        "admin": pgettext("account role", "admin"),
    }
    return names.get(role, role)


def _time(value: Any) -> str:
    """A stored time for a table cell (minutes, UTC), or "-"."""
    return str(value)[:16].replace("T", " ") if value else "-"


def cmd_audit(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise UsageError(
            _("--limit must be 1 or more entries (got {limit}).").format(limit=args.limit)
        )
    store = _store(args, must_exist=True)
    log = store.audit_log(account=_operator(), limit=args.limit)
    if args.json:
        _print_json(log.to_dict("records"))
        return EXIT_OK
    if log.empty:
        print(_("The audit log is empty."))
    for row in log.itertuples():
        print(f"{_time(row.at)} UTC  {row.who:20} {row.action:16} {row.what}")
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from .samples import copy_sample

    folder = copy_sample(args.folder)
    print(
        _(
            "Wrote the sample city to {folder}. Check it and load it with:\n"
            "  coalition validate {given}\n  coalition init {given}"
        ).format(folder=f"{folder}{os.sep}", given=args.folder)
    )
    return EXIT_OK


def serve_hosts(address: str, extra: Sequence[str] = ()) -> list[str]:
    """The host names the dashboard answers to: local names, the address served, and extras.

    Any other ``Host`` is refused (DNS rebinding). A wildcard address (0.0.0.0, ::) adds no
    name: other machines then need ``--allow-host`` with the name or address they will use.

    Examples
    --------
    >>> serve_hosts("127.0.0.1")
    ['127.0.0.1', 'localhost']
    >>> serve_hosts("0.0.0.0", ["192.168.1.20"])
    ['127.0.0.1', 'localhost', '192.168.1.20']
    """
    hosts = list(LOCAL_HOSTS)
    for name in [address, *extra]:
        name = name.strip().strip("[]").lower()
        if name and name not in WILDCARD_ADDRESSES and name not in hosts:
            hosts.append(name)
    return hosts


def is_local_address(address: str) -> bool:
    """True when only this machine can reach ``address`` (loopback).

    Examples
    --------
    >>> is_local_address("127.0.0.1"), is_local_address("0.0.0.0")
    (True, False)
    """
    import ipaddress

    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def streamlit_flags(address: str, port: int, hosts: Sequence[str]) -> list[str]:
    """Every Streamlit setting that matters, as ``streamlit run`` flags.

    An installed package has no ``.streamlit/config.toml`` beside the user, so ``serve`` passes
    them all: offline (no usage statistics, no address look-up), headless, the host allow-list,
    and the look (light theme, a font readable on a projector, a minimal toolbar, no error
    details shown to the room).

    Examples
    --------
    >>> flags = streamlit_flags("127.0.0.1", 8501, ["127.0.0.1", "localhost"])
    >>> flags[flags.index("--browser.gatherUsageStats") + 1]
    'false'
    >>> flags.count("--server.allowedHosts")
    2
    """
    # Streamlit prints the URL of browser.serverAddress instead of looking up this machine's
    # internal and external addresses (the external one over the internet).
    shown = "127.0.0.1" if address in WILDCARD_ADDRESSES else address
    flags = [
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.runOnSave",
        "false",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--browser.serverAddress",
        shown,
        "--client.toolbarMode",
        "minimal",
        "--client.showErrorDetails",
        "none",
        "--theme.base",
        "light",
        "--theme.baseFontSize",
        "18",
    ]
    for host in hosts:
        flags += ["--server.allowedHosts", host]
    return flags


def _db_flag(args: argparse.Namespace) -> str:
    """`` --db PATH`` as the user gave it (for a command to copy), or "" for the default."""
    import shlex

    return f" --db {shlex.quote(args.db)}" if args.db else ""


def _run_until_stopped(command: list[str], env: dict[str, str]) -> int:
    """Run ``command``; forward SIGTERM, SIGINT and SIGHUP to it; return its exit code.

    The child runs in its own process group, so Ctrl+C reaches it once (forwarded), not twice.
    A child that ends by the signal it was asked to stop with has done what was asked: 0.
    """
    child = subprocess.Popen(command, env=env, process_group=0)
    forwarded: list[int] = []

    def forward(signum: int, _frame: Any) -> None:
        forwarded.append(signum)
        if child.poll() is None:
            child.send_signal(signum)

    stops = [signal.SIGTERM, signal.SIGINT] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {signum: signal.signal(signum, forward) for signum in stops}
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code < 0 and -code in forwarded:
        return EXIT_OK
    return code if code >= 0 else 128 - code  # killed by a signal: the shell's convention


def cmd_serve(args: argparse.Namespace) -> int:
    app = settings.PACKAGE_DIR / "dashboard" / "main.py"
    if not app.exists():
        print(_("Cannot find the dashboard at {path}.").format(path=app), file=sys.stderr)
        return EXIT_INVALID
    hosts = serve_hosts(args.address, args.allow_host or [])
    env = dict(os.environ)
    # Absolute: the caller's working directory, wherever the server runs.
    env["COALITION_DB"] = settings.db_url(args.db)
    env["COALITION_APP"] = str(app)
    if args.read_only:
        env["COALITION_READ_ONLY"] = "1"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(GUARDED_SERVER),
        *streamlit_flags(args.address, args.port, hosts),
    ]
    # Other machines reach the dashboard when it listens beyond loopback, and also when it
    # answers a host name other than this machine's: a reverse proxy forwards them to 127.0.0.1.
    forwarded = [h for h in args.allow_host or [] if not is_local_address(h)]
    if not is_local_address(args.address) or forwarded:
        from .errors import StoreError

        try:  # a missing store has no admin (and is not created by refusing)
            has_admin = _store(args, must_exist=True).has_admin()
        except StoreError:
            has_admin = False
        if not has_admin:
            print(
                "coalition serve: "
                + (
                    _(
                        "serving on {address} lets other machines reach the dashboard, so "
                        "everyone must sign in, and this store has no admin account yet. Create "
                        "one first:\n  coalition user add NAME --role admin{db}\nthen start "
                        "again (or serve this machine only: coalition serve)."
                    )
                    if not is_local_address(args.address)
                    else _(
                        "answering {hosts} (through a proxy) lets other machines reach the "
                        "dashboard, so everyone must sign in, and this store has no admin "
                        "account yet. Create one first:\n  coalition user add NAME --role "
                        "admin{db}\nthen start again (or serve this machine only: coalition "
                        "serve)."
                    )
                ).format(address=args.address, hosts=", ".join(forwarded), db=_db_flag(args)),
                file=sys.stderr,
            )
            return EXIT_USAGE
        note = (
            (
                _(
                    "Serving on {address} for {forwarded}: accounts are required (everyone signs "
                    "in; coalition user list shows who may). Host names answered: {hosts}"
                )
                if forwarded
                else _(
                    "Serving on {address}: accounts are required (everyone signs in; coalition "
                    "user list shows who may). Host names answered: {hosts}"
                )
            )
            + ("" if args.allow_host else _(" (add the name others will type with --allow-host)"))
            + "."
        ).format(address=args.address, forwarded=", ".join(forwarded), hosts=", ".join(hosts))
        print(note, file=sys.stderr)
        log.info(note)
    from .store import shown_url

    shown = "127.0.0.1" if args.address in WILDCARD_ADDRESSES else args.address
    print(
        _("Dashboard: {url}  store: {store}  (Ctrl+C to stop)").format(
            url=f"http://{shown}:{args.port}",
            store=shown_url(env["COALITION_DB"]).removeprefix("sqlite:///"),
        )
    )
    sys.stdout.flush()
    return _run_until_stopped(command, env)


# --- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, its help in the language in use (set it first).

    Examples
    --------
    >>> build_parser().parse_args(["info", "--lang", "es"]).lang
    'es'
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        help=_(
            "store: a SQLite file or SQLAlchemy URL "
            "(default: $COALITION_DB or coalition.db; relative to the current "
            "directory)"
        ),
    )
    common.add_argument("-v", "--verbose", action="store_true", help=_("log what happens"))
    # After the verb too (`coalition info --lang es`); SUPPRESS keeps a --lang given before it.
    common.add_argument(
        "--lang",
        choices=list(i18n.LANGUAGES),
        default=argparse.SUPPRESS,
        help=_(
            "language of the output (default: $COALITION_LANG, then the system's language); "
            "--json output stays in English"
        ),
    )
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help=_("print data as JSON"))
    rule = argparse.ArgumentParser(add_help=False)
    rule.add_argument(
        "--rule",
        choices=["own", "adjacent", "distance"],
        default="own",
        help=_(
            "what a committee covers: its own neighborhood, also bordering ones, "
            "or those within --distance-km"
        ),
    )
    rule.add_argument("--distance-km", type=float, default=1.0)

    parser = argparse.ArgumentParser(
        prog="coalition",
        description=_(
            "The ``coalition`` command: load, check, export, analyse, draw and serve a city."
        ),
    )
    parser.add_argument(
        "--lang",
        choices=list(i18n.LANGUAGES),
        help=_(
            "language of the output (default: $COALITION_LANG, then the system's language); "
            "--json output stays in English"
        ),
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    p = verbs.add_parser("validate", parents=[common, as_json], help=_("check a city folder"))
    p.add_argument("folder")
    p.set_defaults(func=cmd_validate)
    p = verbs.add_parser(
        "init", parents=[common], help=_("load (or replace) the store from a folder")
    )
    p.add_argument("folder", nargs="?", help=_("city folder (default: the sample city)"))
    p.add_argument("--if-empty", action="store_true", help=_("only load when the store is empty"))
    p.add_argument(
        "--replace",
        action="store_true",
        help=_("allow replacing a different city (it stays in the history)"),
    )
    p.set_defaults(func=cmd_init)
    p = verbs.add_parser(
        "restore", parents=[common], help=_("make a kept version current again (as a new version)")
    )
    p.add_argument(
        "version",
        help=_(
            "a version number (coalition changes --list) or a meeting's name "
            "(coalition meeting --list)"
        ),
    )
    p.add_argument("--who", default="", help=_("your name, kept in the history"))
    p.set_defaults(func=cmd_restore)
    p = verbs.add_parser(
        "undo", parents=[common], help=_("undo the last change (yours with --who) as a new version")
    )
    p.add_argument(
        "--who",
        default="",
        help=_(
            "whose last change to undo: the name it was saved under (default: changes saved "
            "without a name)"
        ),
    )
    p.add_argument("--version", type=int, help=_("undo this version instead"))
    p.set_defaults(func=cmd_undo)
    p = verbs.add_parser(
        "meeting",
        parents=[common, as_json],
        help=_("name a version as a meeting, to compare with it later"),
    )
    p.add_argument("name", nargs="?", help=_('e.g. "March convening"'))
    p.add_argument("--version", type=int, help=_("the version to name (default: the current one)"))
    p.add_argument("--who", default="", help=_("your name, kept with the meeting"))
    p.add_argument("--list", action="store_true", help=_("list the meetings named so far"))
    p.set_defaults(func=cmd_meeting)
    p = verbs.add_parser(
        "backup", parents=[common], help=_("copy the store (every version) to a new file")
    )
    p.add_argument("out", help=_("the backup file to write (must not exist)"))
    p.set_defaults(func=cmd_backup)
    p = verbs.add_parser(
        "user",
        help=_("accounts for the dashboard: add, remove, list, set-role, password"),
    )
    user_verbs = p.add_subparsers(dest="user_verb", required=True, metavar="ACTION")
    password_stdin = argparse.ArgumentParser(add_help=False)
    password_stdin.add_argument(
        "--password-stdin",
        action="store_true",
        help=_("read the password from standard input (for scripts) instead of a prompt"),
    )
    q = user_verbs.add_parser(
        "add", parents=[common, password_stdin], help=_("add an account (asks for its password)")
    )
    q.add_argument("name", help=_("letters, digits and . _ @ - (an e-mail address works)"))
    q.add_argument("--role", default="viewer", choices=["viewer", "editor", "admin"])
    q = user_verbs.add_parser("remove", parents=[common], help=_("remove an account"))
    q.add_argument("name")
    q = user_verbs.add_parser("list", parents=[common, as_json], help=_("list the accounts"))
    q = user_verbs.add_parser("set-role", parents=[common], help=_("change an account's role"))
    q.add_argument("name")
    q.add_argument("role", choices=["viewer", "editor", "admin"])
    q = user_verbs.add_parser(
        "password",
        parents=[common, password_stdin],
        help=_("set a new password (also unlocks the account)"),
    )
    q.add_argument("name")
    p.set_defaults(func=cmd_user, json=False)
    p = verbs.add_parser(
        "audit", parents=[common, as_json], help=_("the audit log: sign-ins, changes, exports")
    )
    p.add_argument("--limit", type=int, help=_("the newest N entries only"))
    p.set_defaults(func=cmd_audit)
    p = verbs.add_parser("sample", parents=[common], help=_("write the sample city folder"))
    p.add_argument("folder", help=_("the folder to create (e.g. hartford)"))
    p.set_defaults(func=cmd_sample)
    p = verbs.add_parser("info", parents=[common, as_json], help=_("what the store holds"))
    p.set_defaults(func=cmd_info)
    ties_from = argparse.ArgumentParser(add_help=False)
    ties_from.add_argument(
        "--ties",
        dest="survey_ties",
        choices=["confirmed", "any"],
        help=_(
            "use the partnerships a partner survey round reported instead of the recorded "
            "ones: those confirmed by both sides, or any report (default with --round: confirmed)"
        ),
    )
    ties_from.add_argument(
        "--round",
        dest="survey_round",
        metavar="NAME",
        help=_("the survey round --ties reads (default: the newest; coalition survey rounds)"),
    )
    p = verbs.add_parser("export", parents=[common, ties_from], help=_("export the stored city"))
    p.add_argument(
        "--format",
        default="csv",
        choices=["graphml", "gexf", "geojson", "gpkg", "csv", "xlsx"],
        help=_("default csv (a folder, or a .zip)"),
    )
    p.add_argument(
        "--public",
        action="store_true",
        help=_(
            "only what a viewer may see: small counts hidden, for sharing (default: the full "
            "export with exact counts, not for sharing)"
        ),
    )
    p.add_argument("out", help=_("output file (csv: a folder, or a .zip)"))
    p.set_defaults(func=cmd_export)
    public = argparse.ArgumentParser(add_help=False)
    public.add_argument(
        "--public",
        action="store_true",
        help=_(
            "print what a viewer sees: counts below the small-count threshold as ranges, and "
            "the counts they could be worked out from withheld (default: exact, not for sharing)"
        ),
    )
    p = verbs.add_parser(
        "gaps", parents=[common, as_json, public, ties_from], help=_("the coalition's gaps")
    )
    p.add_argument("--limit", type=int, default=5, help=_("entries shown per family"))
    p.set_defaults(func=cmd_gaps)
    p = verbs.add_parser(
        "introductions",
        parents=[common, as_json, public],
        help=_("who should meet: ties to add, why, and the gaps each would close"),
    )
    p.add_argument("--neighborhood", help=_("pairs present in this neighborhood (id or name)"))
    p.add_argument("--community", help=_("pairs about this community (id or name)"))
    p.add_argument("--limit", type=int, default=10, help=_("pairs shown"))
    p.set_defaults(func=cmd_introductions)
    p = verbs.add_parser(
        "coverage", parents=[common, as_json, rule, public], help=_("welcoming-committee coverage")
    )
    p.set_defaults(func=cmd_coverage)
    p = verbs.add_parser(
        "rank",
        parents=[common, as_json, rule, public],
        help=_("replication candidates and the k-plan"),
    )
    p.add_argument("--k", type=int, default=settings.DEFAULT_K)
    p.add_argument(
        "--weights", help=_("e.g. need=0.4,readiness=0.2,access=0.15,adjacency=0.15,gaps=0.1")
    )
    p.add_argument(
        "--runs", type=int, default=settings.DEFAULT_STABILITY_RUNS, help=_("stability runs")
    )
    p.add_argument("--seed", type=int, default=settings.DEFAULT_SEED)
    p.add_argument("--limit", type=int, default=5, help=_("candidates shown"))
    p.set_defaults(func=cmd_rank)
    p = verbs.add_parser(
        "starter-kit",
        parents=[common, as_json, public],
        help=_("who to invite to a new welcoming committee, and its checklist"),
    )
    p.add_argument("neighborhood", metavar="NEIGHBORHOOD", help=_("a neighborhood's id or name"))
    p.add_argument("--html", metavar="OUT.html", help=_("also write the printable page here"))
    p.add_argument(
        "--exact",
        action="store_true",
        help=_("exact counts in the printable page (default: small counts hidden, to share)"),
    )
    p.set_defaults(func=cmd_starter_kit)
    p = verbs.add_parser("maps", parents=[common], help=_("write self-contained HTML maps"))
    p.add_argument("--out", help=_("folder (default: maps/ in the current directory)"))
    p.add_argument(
        "--tiles",
        action="store_true",
        help=_("add an OpenStreetMap basemap (needs internet to show)"),
    )
    p.add_argument(
        "--exact",
        action="store_true",
        help=_("exact counts, labelled not for sharing (default: small counts hidden, to share)"),
    )
    p.set_defaults(func=cmd_maps)
    p = verbs.add_parser(
        "changes",
        parents=[common, as_json],
        help=_("what changed since an earlier version of the data"),
    )
    p.add_argument(
        "--since",
        metavar="VERSION",
        help=_(
            "the version number or meeting name to compare with (default: the previous version)"
        ),
    )
    p.add_argument("--list", action="store_true", help=_("list the versions kept"))
    p.add_argument(
        "--round",
        dest="rounds",
        action="append",
        metavar="NAME",
        help=_(
            "twice, the earlier first: compare two partner survey rounds instead of versions "
            "(ties gained and lost, trust and value, who became central)"
        ),
    )
    p.add_argument(
        "--ties",
        dest="compare_ties",
        choices=["confirmed", "any"],
        help=_("with --round: count ties confirmed by both sides, or any report (default: any)"),
    )
    p.set_defaults(func=cmd_changes)
    # --lang (every command's) is the brief's language too.
    p = verbs.add_parser(
        "brief", parents=[common], help=_("write the commission brief (PDF, counts safe to share)")
    )
    p.add_argument("out", metavar="OUT.pdf", help=_("the PDF to write"))
    p.add_argument("--neighborhood", help=_("one neighborhood's profile on one page (id or name)"))
    p.add_argument(
        "--k", type=int, default=settings.DEFAULT_K, help=_("new committees in the plan")
    )
    p.set_defaults(func=cmd_brief)
    _survey_parser(verbs, common, as_json)
    p = verbs.add_parser("serve", parents=[common], help=_("start the dashboard"))
    p.add_argument("--port", type=int, default=8501)
    p.add_argument(
        "--address",
        default="127.0.0.1",
        help=_("address to listen on (default 127.0.0.1: this machine only)"),
    )
    p.add_argument(
        "--allow-host",
        action="append",
        metavar="NAME",
        help=_(
            "another host name or address people will type (repeatable); any other Host is refused"
        ),
    )
    p.add_argument(
        "--read-only",
        action="store_true",
        help=_(
            "no page that changes data (Record, Import, Accounts), whoever signs in: for a "
            "screen where nobody should change data"
        ),
    )
    p.set_defaults(func=cmd_serve)
    return parser


def _survey_parser(verbs: Any, common: argparse.ArgumentParser, as_json: Any) -> None:
    """`coalition survey ACTION`: the partner survey's rounds, forms and answers."""
    p = verbs.add_parser(
        "survey",
        help=_("the partner survey: rounds, forms and links, importing answers, who has answered"),
    )
    survey_verbs = p.add_subparsers(dest="survey_verb", required=True, metavar="ACTION")
    q = survey_verbs.add_parser(
        "make",
        parents=[common],
        help=_("open a round (when new) and write its offline form, workbook and XLSForm"),
    )
    q.add_argument("--round", dest="round_name", required=True, metavar="NAME")
    q.add_argument("out_dir", metavar="OUT_DIR", help=_("the folder to write the forms in"))
    q.add_argument(
        "--links",
        action="store_true",
        help=_(
            "also make every member's private link to the Survey page, in "
            "OUT_DIR/links-ROUND.csv (confidential)"
        ),
    )
    q.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=_("the dashboard's address members will open (default {url})").format(
            url=DEFAULT_BASE_URL
        ),
    )
    q = survey_verbs.add_parser(
        "import",
        parents=[common, as_json],
        help=_("import answer files into a round: every problem listed, all or nothing"),
    )
    q.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help=_(
            "offline-form files, a workbook, a KoboToolbox/ODK export (CSV files, .zip or "
            ".xlsx), a Google Forms CSV or a Microsoft Forms .xlsx (a folder: every file in it)"
        ),
    )
    q.add_argument("--round", dest="round_name", required=True, metavar="NAME")
    q.add_argument(
        "--channel",
        choices=list(CHANNEL_WORDS),
        help=_("where the files come from (default: detected)"),
    )
    q.add_argument(
        "--yes",
        action="store_true",
        help=_("import without asking (without it: asks on a terminal)"),
    )
    survey_verbs.add_parser(
        "rounds", parents=[common, as_json], help=_("the rounds: open or closed, respondents")
    )
    for action, words in (
        ("open", N_("open a new round")),
        ("close", N_("close a round: answers can no longer change")),
        ("reopen", N_("open a closed round again")),
    ):
        q = survey_verbs.add_parser(action, parents=[common], help=_(words))
        q.add_argument("name", metavar="NAME", help=_('the round, e.g. "2026 spring"'))
    q = survey_verbs.add_parser(
        "status",
        parents=[common, as_json],
        help=_("a round's response rate and the members who have not answered"),
    )
    q.add_argument(
        "--round", dest="round_name", metavar="NAME", help=_("the round (default: the newest)")
    )
    p.set_defaults(func=cmd_survey, json=False)


# argparse's own words (usage, options, its error messages), as Python 3.11's argparse writes them:
# translated while the parser is built and parses (:func:`_argparse_in_language`).
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
)


def language_of(argv: Sequence[str], environ: Any = None) -> str:
    """The language a run asks for: its last ``--lang``, else the environment's.

    Read before the parser is built, so that its help is in that language. An unsupported
    ``--lang`` leaves the environment's language: the parser then says what it accepts.

    Examples
    --------
    >>> language_of(["--lang", "es", "info"], {}), language_of(["info", "--lang=es"], {})
    ('es', 'es')
    >>> language_of(["info"], {"LANG": "es_MX.UTF-8"})
    'es'
    >>> language_of(["--lang", "en", "info"], {"LANG": "es_MX.UTF-8"})
    'en'
    """
    asked = None
    for position, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and position + 1 < len(argv):
            asked = argv[position + 1]
        elif word.startswith("--lang="):
            asked = word.partition("=")[2]
    return i18n.supported(asked) or i18n.from_environment(environ)


def _argparse_gettext(message: Any) -> Any:
    return _(message) if isinstance(message, str) and message else message


def _argparse_ngettext(singular: str, plural: str, count: int) -> str:
    return ngettext(singular, plural, count)


@contextmanager
def _argparse_in_language() -> Iterator[None]:
    """argparse's own words in the language in use, while the parser is built and parses.

    argparse looks its words up with the ``gettext`` functions it imported (module globals of
    :mod:`argparse`, read at each call); they are swapped for the tool's catalogue for the block
    and put back after it (the command line runs in one thread).
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _argparse_gettext, _argparse_ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    The language (``--lang``, else the environment's) is set before anything is printed, and
    put back when the run ends (tests call this many times in one process). ``--json`` output
    is machine output: always in English, whatever the language.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    previous = i18n.language()
    i18n.set_language(language_of(argv))
    try:
        return _run(argv)
    finally:
        i18n.set_language(previous)


def _run(argv: list[str]) -> int:
    with _argparse_in_language():
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
            return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    _SOURCE.clear()
    import gc

    # A run builds hundreds of thousands of rows and ends: the cyclic collector's rescans of
    # them cost a third of an analysis at 10,000 organizations (+2% memory without them).
    gc.disable()
    try:
        with i18n.using(i18n.SOURCE_LANGUAGE if getattr(args, "json", False) else i18n.language()):
            return args.func(args)
    except UsageError as exc:
        print(f"coalition {args.verb}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except CoalitionError as exc:
        print(f"coalition {args.verb}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        gc.enable()  # main() may be called again in the same process (tests)


if __name__ == "__main__":
    sys.exit(main())
