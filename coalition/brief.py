"""The commission brief: a PDF a city commission can hold, in English or Spanish.

:func:`build_brief` turns a city and its coalition graph into PDF bytes (nothing is written,
printed or fetched): the city map drawn as vector polygons from the neighborhoods' boundaries
(no tiles), shaded by coverage, committees marked, with a legend; coverage now and after the
plan; the top candidates with their score parts and reasons; the plan against the top k by
score; the most severe gaps; the starter kit for the plan's first pick (when
:mod:`coalition.presenting.starter_kit` is installed); the sources and dates of the figures.
With ``neighborhood=`` it is one neighborhood's profile on one page instead.

Everything the analyses compute comes from :mod:`coalition.analysis` and
:mod:`coalition.presenting` (nothing is worked out twice); this module only lays it out. The
brief is for sharing, so counts are shown as a viewer sees them by default
(:meth:`coalition.privacy.Disclosure.public`): small counts as "fewer than 11", counts they
could be worked out from withheld.

Fonts (``coalition/static/fonts``, README there): DejaVu Sans for Latin, Greek and Cyrillic,
Noto Sans for Devanagari (Nepali), Myanmar (Karen, Burmese), Arabic and Ethiopic; harfbuzz
(uharfbuzz) shapes the complex scripts. A name with a letter none of them has is shown by its
id with :data:`UNSHOWN_MARK`, and a note says so.

Examples
--------
>>> from coalition.ingest import read_city
>>> from coalition.model import build_graph
>>> city = read_city("data/hartford")  # doctest: +SKIP
>>> pdf = build_brief(city, build_graph(city), lang="es")  # doctest: +SKIP
>>> pdf[:5]  # doctest: +SKIP
b'%PDF-'
"""

from __future__ import annotations

import functools
import importlib
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from coalition import i18n, labels, privacy, settings
from coalition.errors import AnalysisError, DataError
from coalition.i18n import N_, _, fmt_date, fmt_number, ngettext
from coalition.presenting import gaps as gap_text
from coalition.presenting import plans
from coalition.presenting.text import fmt_int, fmt_share

if TYPE_CHECKING:
    import networkx as nx

    from coalition.analysis import CoverageReport, PlanReport, RankReport
    from coalition.analysis.graph_index import GraphIndex
    from coalition.model import CityData

logger = logging.getLogger(__name__)

FONT_DIR = settings.PACKAGE_DIR / "static" / "fonts"
# (family, style, file): the first is the text font, the others fill in the scripts it lacks.
FONTS: tuple[tuple[str, str, str], ...] = (
    ("DejaVu", "", "DejaVuSans.ttf"),
    ("DejaVu", "B", "DejaVuSans-Bold.ttf"),
    ("NotoDevanagari", "", "NotoSansDevanagari-Regular.ttf"),
    ("NotoMyanmar", "", "NotoSansMyanmar-Regular.ttf"),
    ("NotoArabic", "", "NotoSansArabic-Regular.ttf"),
    ("NotoEthiopic", "", "NotoSansEthiopic-Regular.ttf"),
)
FALLBACK_FAMILIES = ("NotoDevanagari", "NotoMyanmar", "NotoArabic", "NotoEthiopic")
# Beside an id shown instead of a name none of the fonts can write.
UNSHOWN_MARK = "†"
# Ranked candidates listed in the table (their reasons: the plan's k).
TOP_CANDIDATES = 8
TOP_GAPS = 5
CREATOR = "We Belong Here — coalition mapper"

# Colours (Okabe-Ito, readable in grey and with colour-blindness), RGB.
COLOURS: Mapping[str, tuple[int, int, int]] = {
    "active": (0, 114, 178),
    "reached": (156, 202, 225),
    "planned": (230, 159, 0),
    "other": (236, 236, 236),
    "outline": (255, 255, 255),
    "ink": (20, 20, 20),
    "muted": (90, 90, 90),
}
_STATUS_SENTENCES = i18n.Translated(
    {
        "active": N_("{neighborhood} has an active welcoming committee."),
        "forming": N_("{neighborhood} has a welcoming committee forming."),
        "paused": N_("{neighborhood} has a welcoming committee that is paused."),
        "none": N_("{neighborhood} has no welcoming committee yet."),
    }
)


# --- fonts ------------------------------------------------------------------------------------


@functools.cache
def _covered_characters() -> frozenset[int]:
    """The code points the bundled fonts have glyphs for (read once)."""
    pdf = FPDF()
    codes: set[int] = set()
    for family, style, file in FONTS:
        pdf.add_font(family, style, str(FONT_DIR / file))
        codes |= set(getattr(pdf.fonts[family.lower() + style], "cmap", {}))
    _close_fonts(pdf)
    return frozenset(codes)


def _close_fonts(pdf: FPDF) -> None:
    """Close the font files fontTools keeps open (read lazily) once the PDF is made."""
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def _ignorable(char: str) -> bool:
    """Spaces, controls and format characters (joiners, direction marks) need no glyph."""
    return unicodedata.category(char) in ("Zs", "Cc", "Cf", "Zl", "Zp")


def writable(text: str) -> bool:
    """True when the brief's fonts have a glyph for every character of ``text``.

    Examples
    --------
    >>> writable("Bhutanese-Nepali नेपाली"), writable("ᏣᎳᎩ (Cherokee)")
    (True, False)
    """
    covered = _covered_characters()
    return all(ord(c) in covered or _ignorable(c) for c in text)


# --- text for the brief -----------------------------------------------------------------------


def _mark(text: str, illustrative: Any) -> str:
    return f"{text} {labels.ILLUSTRATIVE_MARK}" if _true(illustrative) else text


def _true(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return bool(value)
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return bool(value)


def count_text(value: Any, disclosure: privacy.Disclosure) -> str:
    """A protected count for the brief, in the language in use.

    Parameters
    ----------
    value : Any
        A number or a marker from :func:`coalition.privacy.protect`.
    disclosure : Disclosure
        The audience (a plain small number is shown as a range to a public one).

    Returns
    -------
    str

    Examples
    --------
    >>> public = privacy.Disclosure(exact=False, threshold=11)
    >>> count_text(3, public), count_text(1200, public), count_text(privacy.Withheld(), public)
    ('fewer than 11', '1,200', 'withheld')
    >>> with i18n.using("es"):
    ...     count_text(privacy.SmallCount(11), public)
    'menos de 11'
    """
    if isinstance(value, privacy.Withheld):
        return _("withheld")
    if isinstance(value, privacy.SmallCount):
        return _("fewer than {threshold}").format(threshold=fmt_int(value.threshold))
    number = privacy._number(value)
    if number is None:
        return _("not recorded")
    if not disclosure.exact and disclosure.is_small(number):
        return _("fewer than {threshold}").format(threshold=fmt_int(disclosure.threshold))
    return fmt_int(number)


def _figure(value: Any, moe: Any, disclosure: privacy.Disclosure) -> str:
    text = count_text(value, disclosure)
    if not text[:1].isdigit() or privacy.is_hidden(moe) or moe is None or moe != moe:
        return text
    return _("{estimate} ± {margin}").format(estimate=text, margin=fmt_int(moe))


def _score(value: Any) -> str:
    try:
        return fmt_number(float(value), 2)
    except (TypeError, ValueError):
        return "–"


def _join(names: Sequence[str], limit: int = 6) -> str:
    """Names joined with the language's list pattern, the tail counted past ``limit``."""
    from babel.lists import format_list

    names = [str(n) for n in names]
    if not names:
        return "–"
    if len(names) > limit + 1:
        shown = names[:limit]
        rest = ngettext("{count} more", "{count} more", len(names) - limit).format(
            count=fmt_int(len(names) - limit)
        )
        return format_list([*shown, rest], locale=i18n.locale())
    return format_list(names, locale=i18n.locale())


@dataclass
class _Names:
    """Data names as the brief can write them; an id with :data:`UNSHOWN_MARK` otherwise."""

    by_id: Mapping[str, str]
    unshown: dict[str, str] = field(default_factory=dict)

    def __call__(self, node_id: Any, name: Any = None) -> str:
        key = str(node_id)
        text = " ".join(str(name if name is not None else self.by_id.get(key, key)).split())
        if writable(text):
            return text
        self.unshown[key] = text
        return f"{key} {UNSHOWN_MARK}"

    def sentence(self, text: Any) -> str:
        """A sentence written by the analyses: names the fonts lack replaced by their ids."""
        text = " ".join(str(text).split())
        if writable(text):
            return text
        for key, name in sorted(self.by_id.items(), key=lambda item: -len(str(item[1]))):
            name = str(name)
            if name and name in text and not writable(name):
                self.unshown[key] = name
                text = text.replace(name, f"{key} {UNSHOWN_MARK}")
        if not writable(text):  # a letter outside any name: never a missing glyph
            covered = _covered_characters()
            text = "".join(c if ord(c) in covered or _ignorable(c) else UNSHOWN_MARK for c in text)
        return text


# --- the document -----------------------------------------------------------------------------


class _Document(FPDF):
    """US Letter pages with the brief's fonts, a running footer and a few text helpers."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.footer_text = footer_text
        for family, style, file in FONTS:
            self.add_font(family, style, str(FONT_DIR / file))
        self.set_fallback_fonts(list(FALLBACK_FAMILIES), exact_match=False)
        self.set_text_shaping(True)
        self.set_margins(16, 14, 16)
        self.set_auto_page_break(True, margin=16)
        self.set_font("DejaVu", "", 10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*COLOURS["muted"])
        self.cell(
            0,
            5,
            _("{title} — page {page}").format(title=self.footer_text, page=self.page_no()),
            align="C",
        )
        self.set_text_color(*COLOURS["ink"])

    def title_block(self, title: str, subtitle: str) -> None:
        self.set_font("DejaVu", "B", 17)
        self.multi_cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font("DejaVu", "", 10)
        self.set_text_color(*COLOURS["muted"])
        self.multi_cell(0, 5, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*COLOURS["ink"])
        self.ln(2)

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font("DejaVu", "B", 13)
        self.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_font("DejaVu", "", 10)

    def para(self, text: str, *, size: float = 10, bold: bool = False, muted: bool = False) -> None:
        self.set_font("DejaVu", "B" if bold else "", size)
        if muted:
            self.set_text_color(*COLOURS["muted"])
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*COLOURS["ink"])
        self.set_font("DejaVu", "", 10)

    def bullet(self, text: str, *, size: float = 10) -> None:
        self.set_font("DejaVu", "", size)
        self.set_x(self.l_margin + 3)
        self.cell(4, size * 0.5, "•")
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def rows(
        self,
        header: Sequence[str],
        body: Iterable[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 9,
    ) -> None:
        self.set_font("DejaVu", "", size)
        with self.table(
            col_widths=tuple(widths),
            text_align="LEFT",
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        ) as table:
            head = table.row()
            for text in header:
                head.cell(text)
            for values in body:
                row = table.row()
                for text in values:
                    row.cell(text)
        self.set_font("DejaVu", "", 10)


# --- the map ----------------------------------------------------------------------------------


def _rings(geometry: Any) -> list[tuple[list[tuple[float, float]], bool]]:
    """(coordinates, is_hole) of every ring of a polygon or multipolygon."""
    polygons = getattr(geometry, "geoms", [geometry])
    rings = []
    for polygon in polygons:
        exterior = getattr(polygon, "exterior", None)
        if exterior is None:
            continue
        rings.append((list(exterior.coords), False))
        rings += [(list(ring.coords), True) for ring in polygon.interiors]
    return rings


def draw_map(
    pdf: FPDF,
    city: CityData,
    box: tuple[float, float, float, float],
    fill_of: Mapping[str, str],
    *,
    markers: Mapping[str, str] | None = None,
    numbers: Mapping[str, int] | None = None,
) -> bool:
    """Draw the neighborhoods' boundaries into ``box`` (x, y, width, height, in mm).

    The boundaries (EPSG:4326) are projected to the city's metric CRS and scaled to fit,
    north up, the aspect kept. Each neighborhood is filled with ``COLOURS[fill_of[id]]``;
    ``markers`` puts a committee's mark ("active": a filled dot, "forming": a ring) at its
    neighborhood's inner point, ``numbers`` a plan pick's number. Nothing is fetched.

    Returns
    -------
    bool
        False when the city has no boundaries (nothing drawn).

    Examples
    --------
    >>> draw_map(FPDF(), city, (10, 10, 100, 80), {"alder": "active"})  # doctest: +SKIP
    True
    """
    boundaries = getattr(city, "boundaries", None)
    if boundaries is None or len(boundaries) == 0:
        return False
    frame = boundaries.to_crs(city.metric_crs) if city.metric_crs else boundaries
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        return False
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return False
    x0, y0, width, height = box
    span_x, span_y = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
    scale = min(width / span_x, height / span_y)
    left = x0 + (width - span_x * scale) / 2
    top = y0 + (height - span_y * scale) / 2
    # A vertex every ~0.2 mm is as fine as print shows: keeps big cities' files small.
    frame = frame.assign(geometry=frame.geometry.simplify(0.2 / scale))

    def at(x: float, y: float) -> tuple[float, float]:
        return (left + (x - minx) * scale, top + (maxy - y) * scale)

    pdf.set_line_width(0.3)
    pdf.set_draw_color(*COLOURS["outline"])
    for neighborhood_id, geometry in zip(
        frame["neighborhood_id"].astype(str), frame.geometry, strict=True
    ):
        colour = COLOURS[fill_of.get(neighborhood_id, "other")]
        for ring, hole in _rings(geometry):
            pdf.set_fill_color(*(COLOURS["outline"] if hole else colour))
            pdf.polygon([at(point[0], point[1]) for point in ring], style="DF")
    points = dict(
        zip(
            frame["neighborhood_id"].astype(str),
            frame.geometry.representative_point(),
            strict=True,
        )
    )
    pdf.set_draw_color(*COLOURS["ink"])
    pdf.set_line_width(0.4)
    for neighborhood_id, status in (markers or {}).items():
        point = points.get(neighborhood_id)
        if point is None:
            continue
        x, y = at(point.x, point.y)
        pdf.set_fill_color(*(COLOURS["ink"] if status == "active" else COLOURS["outline"]))
        pdf.circle(x, y, 1.6, style="DF")
    pdf.set_font("DejaVu", "B", 8)
    for neighborhood_id, number in (numbers or {}).items():
        point = points.get(neighborhood_id)
        if point is None:
            continue
        x, y = at(point.x, point.y)
        pdf.set_fill_color(*COLOURS["outline"])
        pdf.circle(x, y, 2.4, style="DF")
        pdf.set_xy(x - 2.4, y - 2.4)
        pdf.cell(4.8, 4.8, str(number), align="C")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_draw_color(*COLOURS["ink"])
    pdf.set_line_width(0.2)
    return True


def _legend(pdf: _Document, entries: Sequence[tuple[str, str]], *, marks: bool = True) -> None:
    """Colour swatches and the committee marks, in one or two lines under the map."""
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_draw_color(*COLOURS["muted"])
    pdf.set_line_width(0.1)
    for key, words in entries:
        if pdf.get_x() + 10 + pdf.get_string_width(words) > pdf.w - pdf.r_margin:
            pdf.ln(5)
        x, y = pdf.get_x(), pdf.get_y()
        pdf.set_fill_color(*COLOURS[key])
        pdf.rect(x, y + 0.8, 4, 3, style="DF")
        pdf.set_x(x + 5)
        pdf.cell(pdf.get_string_width(words) + 4, 4.6, words)
    if marks:
        for fill, words in (
            ("ink", _("welcoming committee (active)")),
            ("outline", _("welcoming committee (forming)")),
        ):
            if pdf.get_x() + 10 + pdf.get_string_width(words) > pdf.w - pdf.r_margin:
                pdf.ln(5)
            x, y = pdf.get_x(), pdf.get_y()
            pdf.set_draw_color(*COLOURS["ink"])
            pdf.set_fill_color(*COLOURS[fill])
            pdf.circle(x + 2, y + 2.3, 1.4, style="DF")
            pdf.set_x(x + 5)
            pdf.cell(pdf.get_string_width(words) + 4, 4.6, words)
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 10)
    pdf.set_draw_color(*COLOURS["ink"])


# --- what the brief says ----------------------------------------------------------------------


@dataclass
class _Facts:
    """The analyses' results the brief lays out (computed once, in the brief's language)."""

    index: GraphIndex
    cover: CoverageReport
    ranked: RankReport | None
    plan: PlanReport | None
    candidates: pd.DataFrame
    gap_sentences: list[str]
    protected: Mapping[Any, Any]
    figures_hidden: bool
    disclosure: privacy.Disclosure
    k: int


def _facts(
    graph: nx.MultiDiGraph | GraphIndex,
    disclosure: privacy.Disclosure,
    k: int,
    rule: str,
    distance_km: float,
    weights: Mapping[str, float] | None,
) -> _Facts:
    from coalition import analysis
    from coalition.analysis.coverage import index_counts

    index = analysis.as_index(graph)
    cover = analysis.coverage_report(
        index, rule=rule, distance_km=distance_km, disclosure=disclosure
    )
    protected = index_counts(index).protect(disclosure)
    ranked = plan = None
    candidates = pd.DataFrame()
    if (~index.has_active_committee).any():
        available = int((~index.has_active_committee).sum())
        k = max(1, min(k, available))
        ranked = analysis.rank_candidates(index, dict(weights) if weights else None, k=k)
        plan = analysis.plan_committees(
            index, k, ranking=ranked, rule=rule, distance_km=distance_km
        )
        candidates = (
            ranked.candidates
            if disclosure.exact
            else plans.public_candidates(ranked.candidates, protected)
        )
    report = analysis.find_gaps(index, disclosure=disclosure)
    return _Facts(
        index=index,
        cover=cover,
        ranked=ranked,
        plan=plan,
        candidates=candidates,
        gap_sentences=gap_text.top_gap_sentences(report, TOP_GAPS),
        protected=protected,
        figures_hidden=not disclosure.exact and plans.plan_figures_hidden(protected),
        disclosure=disclosure,
        k=k,
    )


def _sources(frame: pd.DataFrame | None) -> list[tuple[str, int, int, str]]:
    """(source, rows, illustrative rows, dates) of one table, by source."""
    if frame is None or frame.empty or "source" not in frame:
        return []
    sources = frame["source"].fillna("").astype(str).str.strip()
    dates = (
        frame["source_date"].fillna("").astype(str)
        if "source_date" in frame
        else pd.Series("", index=frame.index)
    )
    illustrative = (
        frame["illustrative"].map(_true)
        if "illustrative" in frame
        else pd.Series(False, index=frame.index)
    )
    rows = []
    for source, group in frame.groupby(sources, sort=True):
        known = sorted(d for d in dates[group.index] if d and d != "nan")
        when = (
            ""
            if not known
            else known[0]
            if known[0] == known[-1]
            else _("{first} to {last}").format(first=known[0], last=known[-1])
        )
        rows.append((str(source), len(group), int(illustrative[group.index].sum()), when))
    return rows


def _source_line(city: CityData, tables: Sequence[str], names: _Names) -> str:
    """ "Sources: A (2024-12); B (2014)" for the figures of some tables; a table with many
    sources is summarised (they are all listed under "Sources and dates")."""
    parts = []
    for table in tables:
        found = _sources(city.tables.get(table))
        if len(found) > 2:
            dates = sorted(
                d for _s, _r, _m, when in found for d in when.split(" ") if d[:1].isdigit()
            )
            parts.append(
                _("{table}: {count} sources dated {first} to {last}").format(
                    table=labels.TABLE_TITLES.get(table, table),
                    count=fmt_int(len(found)),
                    first=dates[0] if dates else "–",
                    last=dates[-1] if dates else "–",
                )
            )
            continue
        for source, _rows, _marked, when in found:
            text = names.sentence(source) if source else _("no source given")
            part = _("{source} ({dates})").format(source=text, dates=when) if when else text
            if part not in parts:
                parts.append(part)
    return _("Sources: {sources}.").format(sources="; ".join(parts) or _("no source given"))


def data_date(city: CityData) -> datetime:
    """When the data was loaded (the store's time stamp), else today at midnight UTC.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> data_date(SimpleNamespace(meta={"loaded_at": "2026-11-26T22:51:07+00:00"}))
    datetime.datetime(2026, 11, 26, 22, 51, 7, tzinfo=datetime.timezone.utc)
    """
    stamp = (getattr(city, "meta", None) or {}).get("loaded_at")
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(stamp))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (TypeError, ValueError):
        today = date.today()
        return datetime(today.year, today.month, today.day, tzinfo=UTC)


def _privacy_line(disclosure: privacy.Disclosure) -> str:
    if disclosure.exact:
        return _("Exact counts: this brief is not for sharing.")
    return _(
        "Counts of fewer than {threshold} residents are shown as a range, and counts they "
        "could be worked out from are withheld: this brief may be shared."
    ).format(threshold=fmt_int(disclosure.threshold))


def _notes(pdf: _Document, names: _Names, illustrative: bool) -> None:
    """The legend of the marks used, and the names shown by their ids."""
    if illustrative:
        pdf.para(
            _("{mark} rests on illustrative rows: made up to show the tool, not facts.").format(
                mark=labels.ILLUSTRATIVE_MARK
            ),
            size=8.5,
            muted=True,
        )
    if names.unshown:
        pdf.para(
            _(
                "{mark} A name written in a script the brief's fonts do not have is shown by "
                "its id: {ids}."
            ).format(mark=UNSHOWN_MARK, ids=", ".join(sorted(names.unshown))),
            size=8.5,
            muted=True,
        )


def _fills(facts: _Facts) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """The map's fill per neighborhood, committee marks and plan numbers."""
    frame = facts.cover.neighborhoods
    fill = {}
    markers = {}
    for nid, status, covered in zip(
        frame["id"].astype(str), frame["committee_status"], frame["covered"], strict=True
    ):
        fill[nid] = "active" if status == "active" else "reached" if covered else "other"
        if status in ("active", "forming"):
            markers[nid] = str(status)
    numbers = {}
    if facts.plan is not None:
        for number, pick in enumerate(facts.plan.selected, start=1):
            numbers[str(pick.neighborhood_id)] = number
            if fill.get(str(pick.neighborhood_id)) == "other":
                fill[str(pick.neighborhood_id)] = "planned"
    return fill, markers, numbers


def _summary_value(cover: CoverageReport, key: str) -> Any:
    return cover.shown("summary", "", key, cover.summary.get(key))


def _coverage_section(pdf: _Document, city: CityData, facts: _Facts, names: _Names) -> None:
    cover, d = facts.cover, facts.disclosure
    summary = cover.summary
    pdf.heading(_("Coverage today"))
    pdf.para(
        _("A committee reaches: {rule}.").format(
            rule=labels.RULE_LABELS.get(str(summary.get("rule")), str(summary.get("rule")))
        )
    )
    pdf.bullet(
        _("Neighborhoods reached: {covered} of {total}.").format(
            covered=fmt_int(summary.get("neighborhoods_covered")),
            total=fmt_int(summary.get("neighborhoods_total")),
        )
    )
    share = _summary_value(cover, "share_foreign_born_covered")
    pdf.bullet(
        _(
            "Foreign-born residents in reached neighborhoods: {covered} of {total} ({share})."
        ).format(
            covered=count_text(_summary_value(cover, "foreign_born_covered"), d),
            total=count_text(_summary_value(cover, "foreign_born_total"), d),
            share=_("withheld") if privacy.is_hidden(share) else fmt_share(share),
        )
    )
    plan = facts.plan
    if plan is not None and plan.selected:
        picks = _join(
            [_mark(names(p.neighborhood_id, p.name), p.illustrative) for p in plan.selected]
        )
        if facts.figures_hidden:
            pdf.bullet(
                _(
                    "After the plan ({count} new committees: {names}): the foreign-born residents "
                    "it would reach are withheld to protect a small count."
                ).format(count=fmt_int(len(plan.selected)), names=picks)
            )
        else:
            total = plan.foreign_born_total
            after = plan.foreign_born_covered_after
            pdf.bullet(
                _(
                    "After the plan ({count} new committees: {names}): {after} of {total} "
                    "foreign-born residents ({share}), {more} more than today."
                ).format(
                    count=fmt_int(len(plan.selected)),
                    names=picks,
                    after=count_text(after, d),
                    total=count_text(total, d),
                    share=fmt_share(after / total) if total else "–",
                    more=count_text(plan.newly_covered, d),
                )
            )
        reached_after = int(summary.get("neighborhoods_covered") or 0) + len(
            plan.newly_covered_neighborhoods
        )
        pdf.bullet(
            _("Neighborhoods reached after the plan: {covered} of {total}.").format(
                covered=fmt_int(reached_after),
                total=fmt_int(summary.get("neighborhoods_total")),
            )
        )
    pdf.para(_source_line(city, ("neighborhoods", "committees"), names), size=8.5, muted=True)


def _candidates_section(pdf: _Document, city: CityData, facts: _Facts, names: _Names) -> None:
    pdf.heading(_("Where to start next"))
    frame = facts.candidates
    if facts.ranked is None or frame.empty:
        pdf.para(
            _(
                "Every neighborhood already has an active welcoming committee: there is no "
                "candidate to rank."
            )
        )
        return
    weights = facts.ranked.weights
    pdf.para(
        _(
            "Each neighborhood without an active committee gets a score from five parts, "
            "weighted: {weights}."
        ).format(
            weights="; ".join(
                _("{part} {weight}").format(
                    part=labels.PART_LABELS.get(part, part), weight=fmt_number(value, 2)
                )
                for part, value in weights.items()
            )
        )
    )
    top = frame.sort_values("rank").head(TOP_CANDIDATES)
    parts = list(labels.PART_LABELS)
    header = [
        _("Rank"),
        _("Neighborhood"),
        _("Score"),
        *[labels.PART_LABELS[p] for p in parts],
        _("Stability"),
    ]
    body = []
    for _i, row in top.iterrows():
        stability = row.get("stability")
        body.append(
            [
                fmt_int(row["rank"]),
                _mark(names(row["neighborhood_id"], row["name"]), row.get("illustrative")),
                _score(row["score"]),
                *[_score(row.get(f"part_{p}")) for p in parts],
                "–" if stability is None or stability != stability else fmt_share(stability),
            ]
        )
    pdf.rows(header, body, (14, 32, 19, 19, 23, 17, 19, 19, 19), size=7.5)
    pdf.para(
        _(
            "Stability: how often the neighborhood stays in the top {k} when the weights and the "
            "census figures move within their uncertainty."
        ).format(k=fmt_int(facts.k)),
        size=8.5,
        muted=True,
    )
    pdf.heading(_("Why these neighborhoods"))
    for _i, row in frame.sort_values("rank").head(facts.k).iterrows():
        stability = row.get("stability")
        pdf.para(
            _(
                "{rank}. {neighborhood}: score {score}, in the top {k} in {share} of the runs."
            ).format(
                rank=fmt_int(row["rank"]),
                neighborhood=_mark(
                    names(row["neighborhood_id"], row["name"]), row.get("illustrative")
                ),
                score=_score(row["score"]),
                k=fmt_int(facts.k),
                share="–" if stability is None or stability != stability else fmt_share(stability),
            ),
            bold=True,
        )
        flags = list(row.get("reasons_illustrative") or [])
        for number, reason in enumerate(row.get("reasons") or []):
            flag = flags[number] if number < len(flags) else False
            pdf.bullet(_mark(names.sentence(reason), flag))
    _plan_section(pdf, facts, names)
    pdf.para(
        _source_line(city, ("neighborhoods", "organizations", "navigators", "ties"), names),
        size=8.5,
        muted=True,
    )


def _plan_section(pdf: _Document, facts: _Facts, names: _Names) -> None:
    plan = facts.plan
    if plan is None:
        return
    k = fmt_int(plan.k)
    pdf.heading(_("The best set of {k} versus the top {k} by score").format(k=k))
    best = _join([_mark(names(p.neighborhood_id, p.name), p.illustrative) for p in plan.selected])
    top = _join([names(p["neighborhood_id"], p["name"]) for p in plan.top_k_by_score])
    if facts.figures_hidden:
        pdf.bullet(_("Best set: {names}.").format(names=best))
        pdf.bullet(_("Top {k} by score: {names}.").format(k=k, names=top))
        pdf.para(
            _(
                "The foreign-born residents these sets would reach are withheld to protect a "
                "small count."
            )
        )
        return
    d = facts.disclosure
    pdf.bullet(
        _("Best set: {names}. It newly reaches {count} foreign-born residents.").format(
            names=best, count=count_text(plan.newly_covered, d)
        )
    )
    if plan.top_k_by_score_newly_covered is not None:
        pdf.bullet(
            _("Top {k} by score: {names}. It newly reaches {count}.").format(
                k=k, names=top, count=count_text(plan.top_k_by_score_newly_covered, d)
            )
        )
        gain = plan.gain_over_top_k or 0
        pdf.para(
            _("The best set reaches {count} more than the top {k} by score.").format(
                count=count_text(gain, d), k=k
            )
            if gain > 0
            else _("The best set reaches as many as the top {k} by score.").format(k=k)
        )
    for pick in plan.selected:
        if pick.filler:
            pdf.bullet(
                _("{neighborhood} adds no coverage: it completes the set.").format(
                    neighborhood=names(pick.neighborhood_id, pick.name)
                )
            )


def _gaps_section(pdf: _Document, city: CityData, facts: _Facts, names: _Names) -> None:
    pdf.heading(_("The most severe gaps"))
    if not facts.gap_sentences:
        pdf.para(_("No gap was found."))
    for sentence in facts.gap_sentences:
        pdf.bullet(names.sentence(sentence))
    pdf.para(
        _source_line(city, ("organizations", "communities", "ties"), names), size=8.5, muted=True
    )


def _kit_module() -> Any:
    """The starter kit's modules (another part of the tool), or None while they are missing."""
    try:
        return (
            importlib.import_module("coalition.analysis.starter_kit"),
            importlib.import_module("coalition.presenting.starter_kit"),
        )
    except ImportError:
        return None


def _kit_section(pdf: _Document, facts: _Facts, names: _Names) -> None:
    modules = _kit_module()
    plan = facts.plan
    if modules is None or plan is None or not plan.selected:
        return
    analysis_kit, presenting_kit = modules
    first = plan.selected[0]
    kit = analysis_kit.starter_kit(facts.index, str(first.neighborhood_id))
    pdf.add_page()
    pdf.heading(
        _("Starter kit for the first pick: {neighborhood}").format(
            neighborhood=names(first.neighborhood_id, first.name)
        )
    )
    for section in presenting_kit.kit_sections(kit, disclosure=facts.disclosure):
        pdf.para(str(section.title), bold=True)
        for line in section.lines:
            pdf.bullet(names.sentence(line), size=9)
        if section.sources:
            pdf.para(
                _("Source: {sources}.").format(
                    sources="; ".join(names.sentence(s) for s in section.sources)
                ),
                size=8,
                muted=True,
            )


def _sources_section(pdf: _Document, city: CityData, names: _Names) -> bool:
    """The sources and dates of every table; True when any row is illustrative."""
    pdf.heading(_("Sources and dates"))
    body = []
    marked = False
    for table in (
        "neighborhoods",
        "communities",
        "organizations",
        "navigators",
        "committees",
        "ties",
    ):
        for source, rows, illustrative, when in _sources(city.tables.get(table)):
            marked |= illustrative > 0
            body.append(
                [
                    labels.TABLE_TITLES.get(table, table),
                    names.sentence(source) if source else _("no source given"),
                    fmt_int(rows),
                    fmt_int(illustrative),
                    when or "–",
                ]
            )
    if body:
        pdf.rows(
            [_("Data"), _("Source"), _("Rows"), labels.ILLUSTRATIVE_MARK, _("Dates")],
            body,
            (30, 90, 16, 10, 38),
            size=8,
        )
    else:
        pdf.para(_("The data names no sources."))
    return marked


# --- one neighborhood -------------------------------------------------------------------------


# How many reasons, communities and organizations a profile lists, and how long a name may be
# (a sentence: three times that), tried in turn until the page holds them all.
PROFILE_LIMITS = ((4, 8, 10, 400), (3, 5, 6, 160), (2, 3, 3, 80), (1, 2, 1, 40))


def _profile(
    pdf: _Document,
    city: CityData,
    facts: _Facts,
    names: _Names,
    nid: str,
    limits: tuple[int, int, int, int] = PROFILE_LIMITS[0],
) -> bool:
    """One neighborhood on one page; True when something shown is illustrative."""
    index, d = facts.index, facts.disclosure

    def clip(text: str, times: int = 1) -> str:
        """A long data text shortened (with "…") so that the page holds everything."""
        most = limits[3] * times
        return text if len(text) <= most else text[: most - 1].rstrip() + "…"

    row = index.neighborhoods.loc[nid]
    name = names(nid, row.get("name"))
    status = str(row.get("committee_status") or "none")
    illustrative = _true(row.get("illustrative"))
    pdf.set_auto_page_break(False)
    pdf.title_block(
        _("{neighborhood}: neighborhood profile").format(neighborhood=_mark(name, illustrative)),
        _("{city} — data as of {date}").format(
            city=names("city", city.name), date=fmt_date(data_date(city), "long")
        ),
    )
    fill, markers, _numbers = _fills(facts)
    fill = {key: ("planned" if key == nid else "other") for key in fill}
    top = pdf.get_y()
    if draw_map(pdf, city, (pdf.l_margin, top, 62, 52), fill, markers=markers):
        pdf.set_y(top)
        pdf.set_left_margin(pdf.l_margin + 68)
    pdf.para(_STATUS_SENTENCES.get(status, _STATUS_SENTENCES["none"]).format(neighborhood=name))
    cover_row = (
        facts.cover.neighborhoods.set_index("id").loc[nid]
        if nid in set(facts.cover.neighborhoods["id"].astype(str))
        else None
    )
    if cover_row is not None and cover_row["covered"]:
        pdf.para(
            _("Reached by: {committees}.").format(
                committees=_join([clip(names.sentence(c)) for c in cover_row["covered_by"]])
            )
        )
    else:
        pdf.para(_("No welcoming committee reaches it yet."))

    def shown(column: str) -> Any:
        return facts.protected.get(("neighborhood", nid, column), row.get(column))

    pdf.bullet(
        _("Residents: {count}.").format(
            count=_figure(shown("population"), row.get("population_moe"), d)
        )
    )
    pdf.bullet(
        _("Foreign-born residents: {count}.").format(
            count=_figure(shown("foreign_born"), row.get("foreign_born_moe"), d)
        )
    )
    pdf.bullet(
        _("Residents who speak English less than very well: {count}.").format(
            count=_figure(shown("limited_english"), row.get("limited_english_moe"), d)
        )
    )
    frame = facts.candidates
    match = frame[frame["neighborhood_id"].astype(str) == nid] if not frame.empty else frame
    if not match.empty:
        cand = match.iloc[0]
        pdf.para(
            _("Rank {rank} of {total} candidates for the next committee, score {score}.").format(
                rank=fmt_int(cand["rank"]), total=fmt_int(len(frame)), score=_score(cand["score"])
            ),
            bold=True,
        )
        pdf.para(
            "; ".join(
                _("{part} {points}").format(
                    part=labels.PART_LABELS[p], points=_score(cand.get(f"part_{p}"))
                )
                for p in labels.PART_LABELS
            ),
            size=9,
        )
    pdf.set_left_margin(16)
    pdf.set_y(max(pdf.get_y(), top + 56))
    if not match.empty:
        flags = list(match.iloc[0].get("reasons_illustrative") or [])
        for number, reason in enumerate(list(match.iloc[0].get("reasons") or [])[: limits[0]]):
            flag = flags[number] if number < len(flags) else False
            illustrative |= bool(flag)
            pdf.bullet(_mark(clip(names.sentence(reason), 3), flag), size=9)
    # Communities living here, largest first, counts protected.
    residence = index.residence
    here = residence[residence["neighborhood"].astype(str) == nid]
    pdf.heading(_("Communities living here"))
    if here.empty:
        pdf.para(_("No community is recorded as living here."))
    else:
        here = here.sort_values("residents", ascending=False, na_position="last").head(limits[1])
        body = []
        communities = index.communities
        for cid, residents in zip(here["community"].astype(str), here["residents"], strict=True):
            kind = communities.loc[cid].get("community_kind") if cid in communities.index else None
            body.append(
                [
                    clip(names(cid)),
                    labels.COMMUNITY_KIND_WORDS.get(str(kind), "–"),
                    count_text(facts.protected.get(("lives_in", cid, nid), residents), d),
                ]
            )
        pdf.rows([_("Community"), _("Kind"), _("Residents here")], body, (90, 50, 44), size=8.5)
    reach = index.neighborhood_org_reach
    orgs = sorted(
        {clip(names(o)) for o in reach[reach["neighborhood"].astype(str) == nid]["org"].astype(str)}
    )
    navigators = index.neighborhood_navigators
    navigator_count = int((navigators["neighborhood"].astype(str) == nid).sum())
    pdf.heading(_("Who reaches it"))
    pdf.para(
        ngettext(
            "{count} organization: {names}.", "{count} organizations: {names}.", len(orgs)
        ).format(count=fmt_int(len(orgs)), names=_join(orgs, limit=limits[2]))
        if orgs
        else _("No organization is recorded as reaching it.")
    )
    pdf.para(
        ngettext(
            "{count} cultural navigator volunteers here.",
            "{count} cultural navigators volunteer here.",
            navigator_count,
        ).format(count=fmt_int(navigator_count))
    )
    pdf.para(
        _source_line(city, ("neighborhoods", "communities", "ties"), names), size=8, muted=True
    )
    pdf.para(_privacy_line(d), size=8, muted=True)
    return illustrative


_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def page_count(pdf: bytes) -> int:
    """How many pages a brief made by :func:`build_brief` has (its page objects).

    Examples
    --------
    >>> page_count(b"<< /Type /Pages /Count 1 >> << /Type /Page /Parent 1 0 R >>")
    1
    """
    return len(_PAGE_OBJECT.findall(pdf))


# --- the brief --------------------------------------------------------------------------------


def build_brief(
    city: CityData,
    graph: nx.MultiDiGraph | GraphIndex,
    *,
    neighborhood: str | None = None,
    lang: str = "en",
    disclosure: privacy.Disclosure | None = None,
    k: int = settings.DEFAULT_K,
    rule: str = "own",
    distance_km: float = 1.0,
    weights: Mapping[str, float] | None = None,
    created: datetime | None = None,
) -> bytes:
    """The commission brief (or one neighborhood's profile) as PDF bytes.

    Parameters
    ----------
    city : CityData
        The city (its boundaries, tables and name; :func:`coalition.ingest.read_city` or the
        store's :meth:`~coalition.store.Store.read_city`).
    graph : networkx.MultiDiGraph or GraphIndex
        The coalition graph of ``city`` (:func:`coalition.model.build_graph`) or its index.
    neighborhood : str, optional
        A neighborhood's id: its profile on one page instead of the whole brief.
    lang : str
        ``"en"`` or ``"es"`` (:data:`coalition.i18n.LANGUAGES`).
    disclosure : Disclosure, optional
        The audience; default public (small counts hidden: the brief is for sharing).
    k : int
        How many new committees the plan starts (reduced to the candidates there are).
    rule, distance_km :
        What a committee reaches (:data:`coalition.analysis.COVERAGE_RULES`).
    weights : mapping, optional
        The score's weights (default :data:`coalition.analysis.DEFAULT_WEIGHTS`).
    created : datetime, optional
        The PDF's creation date (default :func:`data_date`: the data's load date, or today).

    Returns
    -------
    bytes
        A PDF document.

    Raises
    ------
    AnalysisError
        An unknown language or neighborhood, or ``k`` below 1 (the message lists the choices).
    DataError
        The bundled fonts are missing (reinstall the package).

    Examples
    --------
    >>> pdf = build_brief(city, graph, lang="es", neighborhood="south-end")  # doctest: +SKIP
    >>> pdf.startswith(b"%PDF-")  # doctest: +SKIP
    True
    """
    if lang not in i18n.LANGUAGES:
        raise AnalysisError(
            f"Unknown language {lang!r} for the brief: use one of {', '.join(i18n.LANGUAGES)}."
        )
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise AnalysisError(f"The plan's k must be a whole number of 1 or more (got {k!r}).")
    missing = [file for _f, _s, file in FONTS if not (FONT_DIR / file).is_file()]
    if missing:
        raise DataError(
            f"The brief's fonts are missing from {FONT_DIR} ({', '.join(missing)}): reinstall "
            "the coalition package."
        )
    disclosure = disclosure or privacy.Disclosure.public()
    with i18n.using(lang):
        facts = _facts(graph, disclosure, k, rule, distance_km, weights)
        if neighborhood is not None and str(neighborhood) not in set(
            facts.index.neighborhoods.index.astype(str)
        ):
            known = ", ".join(sorted(facts.index.neighborhoods.index.astype(str))[:20])
            raise AnalysisError(
                f"No neighborhood {neighborhood!r} in {city.name}: use one of its ids ({known})."
            )
        names = _Names({str(k_): str(v) for k_, v in facts.index.names.items()})
        names.by_id = {**names.by_id, "city": str(city.name)}
        city_name = names("city", city.name)
        when = data_date(city)
        if neighborhood is None:
            title = _("{city}: commission brief").format(city=city_name)
        else:
            title = _("{neighborhood}: neighborhood profile").format(
                neighborhood=names(str(neighborhood))
            )
        for limits in PROFILE_LIMITS if neighborhood is not None else PROFILE_LIMITS[:1]:
            pdf = _Document(title)
            pdf.set_title(title)
            pdf.set_lang(lang)
            pdf.set_author(CREATOR)
            pdf.set_creator(CREATOR)
            pdf.set_subject(_privacy_line(disclosure))
            pdf.set_creation_date(created or when)
            pdf.add_page()
            if neighborhood is None:
                _whole_brief(pdf, city, facts, names, title, when)
                break
            illustrative = _profile(pdf, city, facts, names, str(neighborhood), limits)
            _notes(pdf, names, illustrative)
            if pdf.get_y() <= pdf.h - 14:  # above the footer: the page holds it all
                break
            _close_fonts(pdf)
            logger.info("the profile of %s is cut to fit one page", neighborhood)
        try:
            return bytes(pdf.output())
        finally:
            _close_fonts(pdf)


def _whole_brief(
    pdf: _Document, city: CityData, facts: _Facts, names: _Names, title: str, when: datetime
) -> None:
    pdf.title_block(
        title,
        _(
            "Welcoming committees: where they reach today, where to start next, and why. "
            "Data as of {date}."
        ).format(date=fmt_date(when, "long")),
    )
    pdf.para(_privacy_line(facts.disclosure), size=8.5, muted=True)
    fill, markers, numbers = _fills(facts)
    top = pdf.get_y() + 2
    if draw_map(
        pdf,
        city,
        (pdf.l_margin, top, pdf.w - pdf.l_margin - pdf.r_margin, 112),
        fill,
        markers=markers,
        numbers=numbers,
    ):
        pdf.set_y(top + 114)
        _legend(
            pdf,
            [
                ("active", _("active committee's neighborhood")),
                ("reached", _("reached by a committee")),
                ("planned", _("proposed by the plan (numbered)")),
                ("other", _("not reached")),
            ],
        )
    else:
        pdf.para(_("The data has no neighborhood boundaries: no map."))
    _coverage_section(pdf, city, facts, names)
    pdf.add_page()
    _candidates_section(pdf, city, facts, names)
    _gaps_section(pdf, city, facts, names)
    _kit_section(pdf, facts, names)
    pdf.add_page()
    marked = _sources_section(pdf, city, names)
    illustrative = (
        marked
        or bool(facts.cover.summary.get("illustrative"))
        or (not facts.candidates.empty and bool(facts.candidates["illustrative"].map(_true).any()))
    )
    pdf.ln(2)
    pdf.para(_privacy_line(facts.disclosure), size=8.5, muted=True)
    _notes(pdf, names, illustrative)
    pdf.para(
        _("Made with {tool} from the data loaded on {date}.").format(
            tool=CREATOR, date=fmt_date(when, "long")
        ),
        size=8.5,
        muted=True,
    )
