"""Offline, escaped neighborhood maps (folium / Leaflet).

These functions DRAW: they take the neighborhoods as a GeoDataFrame (plus optional organization and
committee tables and analysis results already joined as columns) and return a :class:`folium.Map`
or HTML. They compute no analysis and never touch the network.

Offline
-------
A plain ``folium.Map`` loads Leaflet, jQuery, Bootstrap, Font Awesome and awesome-markers from
CDNs. Here the map uses only Leaflet (circle markers and ``DivIcon`` labels instead of
awesome-markers), and :func:`make_offline` points the map's *instance* ``default_js`` /
``default_css`` at ``data:`` URIs built from the Leaflet 1.9.4 files shipped in the installed
``django-js-lib-leaflet`` package (its images are inlined into the CSS too). Neither
``folium.Choropleth`` nor branca colour maps are used (they pull d3 from a CDN): polygons are
coloured with ``style_function`` and the legend is plain escaped HTML (:func:`legend_items` gives
the same classes to draw elsewhere). Basemap tiles are off unless asked for.

How streamlit-folium 0.27.4 loads a map (read from its source): ``st_folium`` renders the map,
strips every ``<script src>`` and ``<link rel="stylesheet">`` tag from the header, and instead
collects ``default_js`` / ``default_css`` of every ``JSCSSMixin`` element in the map (only
``folium.Map`` has any in the elements used here). Its frontend (served by Streamlit from
127.0.0.1) then creates ``<script src=...>`` / ``<link href=...>`` for each one. With
:func:`make_offline` those are ``data:`` URIs, so the component makes zero external requests. It
would add d3 from the internet only for a branca ColorMap, which this module never adds. Its
frontend itself contains no external URL (only React's error-decoder link in messages).

Untrusted text
--------------
Every string that comes from data (names, sources, ids shown to the user) goes through
:func:`coalition.escaping.escape_text` (the package's one escaping helper, re-exported here as
``maps.escape_text``) before it reaches a tooltip, label or legend: ``html.escape`` plus the
characters that matter inside the JavaScript template literals folium writes tooltips into
(`` ` ``, ``$``, ``\\``) and the braces of template syntax. The neighborhoods and the
organizations are each ONE layer built in the page from JSON data (:class:`_AreaLayer`,
:class:`_PointLayer`): the JSON is written with Jinja's ``htmlsafe_json_dumps`` (what ``|tojson``
does: ``<``, ``>``, ``&``, ``'`` and every non-ASCII character, U+2028/2029 included, as ``\\u``
escapes, so no text can close the ``<script>``), and the texts in it are already escaped HTML,
because Leaflet shows a tooltip string as HTML.

Data is never template source. branca's ``MacroElement.render`` wraps the output of each
element's macros in ``Element(output)``, which compiles that output as a NEW Jinja2 template and
renders it again: data that reached the first render (``{{7*7}}`` in a name, already HTML-escaped,
since escaping leaves braces alone) would be evaluated the second time, up to running shell
commands. Every map built or made offline here is passed through :func:`_render_once`, which
gives each element of the map a subclass whose ``render`` adds the macros' output as literal text
(:class:`_Literal`), never compiled. Elements that compile their own content (``folium.Popup``,
``Vega``, ``VegaLite``, branca ``Html``/``IFrame``/``Div``) are refused.

Large cities
------------
What every measure's map shares is computed once by :func:`prepare_map_layers` (boundaries
simplified together by :data:`SIMPLIFY_METRES` metres, shared borders kept shared, rounded to
:data:`COORDINATE_DECIMALS` decimals and delta-encoded; committee markers; the organization
layer), and the offline copy shares that bulk instead of deep-copying it. At 2,300 areas of
~100 points and 10,000 organizations a map file is about 2.5 MB.

Examples
--------
>>> from coalition.model import neighborhoods_frame  # doctest: +SKIP
>>> m = neighborhood_map(neighborhood_map_frame(G), "foreign_born")  # doctest: +SKIP
>>> html = offline_map_html(m)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import Div, Element, Figure, Html, IFrame, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from . import i18n, privacy, settings
from .errors import CoalitionError, DataError
from .escaping import escape_text
from .model import is_member, neighborhood_committees, neighborhoods_frame
from .values import finite_or_none
from .values import text as as_text

logger = logging.getLogger(__name__)

# Measures a neighborhood map can be coloured by: column -> legend title (read in the language
# in use; every label below is marked with N_ and translated where it is drawn).
MEASURES: i18n.Translated[str, str] = i18n.Translated(
    {
        "foreign_born": i18n.N_("Foreign-born residents"),
        "share_foreign_born": i18n.N_("Share of residents born abroad"),
        "limited_english": i18n.N_("Residents who speak English less than very well"),
        "population": i18n.N_("Residents"),
        "committee_status": i18n.N_("Welcoming committee"),
        "score": i18n.N_("Replication score"),
        "gap_count": i18n.N_("Coalition gaps"),
    }
)
CATEGORICAL_MEASURES = ("committee_status",)
PERCENT_MEASURES = ("share_foreign_born",)

# Colour-blind-safe sequential palettes (ColorBrewer 5-class), light to dark.
SEQUENTIAL_PALETTES: dict[str, tuple[str, ...]] = {
    "need": ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),  # YlGnBu
    "gaps": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),  # YlOrRd
    "score": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),  # Purples
}
PALETTE_OF_MEASURE = {"gap_count": "gaps", "score": "score"}
# Okabe-Ito blue / orange for committees; "none" is a known absence, lighter than "no data".
STATUS_COLOURS = {
    "active": "#0072B2",
    "forming": "#E69F00",
    "paused": "#999999",
    "none": "#f7f7f7",
}
STATUS_LABELS: i18n.Translated[str, str] = i18n.Translated(
    {
        "active": i18n.N_("Active committee"),
        "forming": i18n.N_("Committee forming"),
        "paused": i18n.N_("Committee paused"),
        "none": i18n.N_("No committee"),
    }
)
NO_DATA_COLOUR = "#bdbdbd"
# CSS class of every neighborhood polygon (Leaflet sets it on the SVG path): what a browser test
# or a stylesheet can select.
NEIGHBORHOOD_CLASS = "wbh-neighborhood"
NO_DATA_LABEL = i18n.N_("No data")
# A figure hidden for this audience (a small count, or one withheld so a small one cannot be
# worked out): its own colour, never "No data" (the figure exists).
HIDDEN_COLOUR = "#f4cae4"
HIDDEN_LABEL = i18n.N_("Hidden to protect a small count")
# Neighborhood figures that count residents (protected for the map's audience).
COUNT_MEASURES = privacy.NEIGHBORHOOD_COUNTS
# frame.attrs key: the Disclosure a frame's counts were protected for (protect_neighborhoods).
PROTECTED_FOR = "wbh_protected_for"
# Why a measure can be missing, where "No data" would mislead (a score is missing on purpose).
MISSING_LABELS = {"score": i18n.N_("Not a candidate (active committee)")}


def _missing_label(measure: str) -> str:
    return i18n.gettext(MISSING_LABELS.get(measure, NO_DATA_LABEL))


N_CLASSES = 5
ORGANIZATION_COLOUR = "#333333"

# Boundaries are drawn simplified by this tolerance in metres (shared borders stay shared) and
# every coordinate rounded to this many decimals of a degree (5: about 1 m); see
# coalition.settings. Display only: analyses use the exact boundaries.
SIMPLIFY_METRES = settings.MAP_SIMPLIFY_METRES
COORDINATE_DECIMALS = settings.MAP_COORDINATE_DECIMALS
_METRES_PER_DEGREE = 111_320.0  # of latitude (and of longitude at the equator), near enough
# Above this many areas, labels are drawn only for highlighted neighborhoods (2,300 labels are
# unreadable and slow).
MAX_LABELS = 150
# Above this many organization points the layer draws on a canvas (thousands of SVG circles make
# panning slow).
CANVAS_ABOVE_POINTS = 1_000

_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = ("static", "js_lib_leaflet")


# --- offline assets -----------------------------------------------------------------------------


def _leaflet_file(name: str) -> bytes:
    folder = resources.files(_LEAFLET_PACKAGE).joinpath(*_LEAFLET_DIR)
    return folder.joinpath(name).read_bytes()


def _data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def _leaflet_css_with_inline_images() -> str:
    css = _leaflet_file("leaflet.css").decode("utf-8")

    def inline(match: re.Match) -> str:
        image = match.group(1)
        return f"url({_data_uri('image/png', _leaflet_file(image))})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


_ASSET_CACHE: dict[str, tuple[tuple[str, str], ...]] = {}


def offline_assets() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The ``(name, data: URI)`` lists of JavaScript and CSS a map needs, built from local files.

    Returns
    -------
    tuple of (list, list)
        ``default_js`` and ``default_css`` for a :class:`folium.Map`: Leaflet 1.9.4 only.

    Examples
    --------
    >>> js, css = offline_assets()
    >>> [name for name, _ in js], js[0][1].startswith("data:text/javascript;base64,")
    (['leaflet'], True)
    """
    if not _ASSET_CACHE:
        _ASSET_CACHE["js"] = (
            ("leaflet", _data_uri("text/javascript", _leaflet_file("leaflet.js"))),
        )
        _ASSET_CACHE["css"] = (
            (
                "leaflet_css",
                _data_uri("text/css", _leaflet_css_with_inline_images().encode("utf-8")),
            ),
        )
    return list(_ASSET_CACHE["js"]), list(_ASSET_CACHE["css"])


def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


# --- data is never template source --------------------------------------------------------------


class _Literal(Element):
    """Text already rendered, added to the page as is (never compiled as a Jinja2 template).

    Examples
    --------
    >>> _Literal("{{7*7}}").render()
    '{{7*7}}'
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Literal"
        self.text = str(text)

    def render(self, **kwargs: Any) -> str:
        return self.text


class _RenderOnce(MacroElement):
    """``MacroElement.render`` with one difference: macro output is added as literal text.

    branca wraps each macro's output in ``Element(output)``, a new template compiled and rendered
    again with the page: any data in the output would be evaluated. Here the output goes into the
    page's header, html and script sections as :class:`_Literal`. The element's children (also
    those folium adds while rendering, such as ``ElementAddToElement``) are converted first.
    """

    # branca annotates Element.render as returning the HTML, but MacroElement.render (which this
    # replaces) returns None: it adds its output to the figure instead.
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise CoalitionError(
                "A map element can only be drawn inside a folium map (Figure): "
                "add it to a folium.Map first."
            )
        macros = self._template.module.__dict__
        for section in ("header", "html", "script"):
            macro = macros.get(section)
            if macro is not None:
                getattr(figure, section).add_child(
                    _Literal(macro(self, kwargs)), name=self.get_name()
                )
        for child in list(self._children.values()):
            _render_once(child).render(**kwargs)


# Elements whose own render compiles data (their content or a child Element) as a template.
_TEMPLATE_CONTENT = (folium.Popup, folium.Vega, folium.VegaLite, Html, IFrame, Div)
_RENDER_ONCE_CLASSES: dict[type, type] = {}


def _render_once_class(cls: type) -> type:
    """``cls`` with :class:`_RenderOnce` placed just before ``MacroElement`` in its MRO."""
    if issubclass(cls, _RenderOnce):
        return cls
    if cls not in _RENDER_ONCE_CLASSES:
        _RENDER_ONCE_CLASSES[cls] = type(
            cls.__name__, (cls, _RenderOnce), {"__module__": __name__, "__doc__": cls.__doc__}
        )
    return _RENDER_ONCE_CLASSES[cls]


def _render_once(element: Any) -> Any:
    """Make ``element`` and its descendants render data as data; returns ``element``.

    Each :class:`branca.element.MacroElement` gets the :class:`_RenderOnce` subclass of its own
    class (same behaviour, same ``isinstance`` answers), so its rendered macros are never compiled
    again as a template. Works in place: call it on a map built here or on a copy.

    Raises
    ------
    CoalitionError
        If an element compiles its content as a template (a ``folium.Popup``, for example): draw
        the map without it, or show the text in an escaped tooltip.

    Examples
    --------
    >>> m = _render_once(folium.Map(tiles=None))
    >>> isinstance(m, _RenderOnce), isinstance(m, folium.Map)
    (True, True)
    """
    for item in _walk(element):
        if isinstance(item, _TEMPLATE_CONTENT):
            raise CoalitionError(
                f"The map element {type(item).__name__} renders its content as a template, so "
                "text from the data could run as code. Draw the map without it (show the text "
                "in an escaped tooltip instead)."
            )
        if isinstance(item, MacroElement) and not isinstance(item, _RenderOnce):
            item.__class__ = _render_once_class(type(item))
    return element


def make_offline(m: folium.Map) -> folium.Map:
    """A copy of a map whose JavaScript and CSS are inline ``data:`` URIs (no CDN), and whose
    elements render data as data (:func:`_render_once`).

    Use it for the dashboard (``st_folium`` loads exactly these links) and before rendering a
    standalone page. Only Leaflet is kept: folium's jQuery, Bootstrap, Font Awesome and
    awesome-markers links are dropped, as nothing drawn here uses them.

    Parameters
    ----------
    m : folium.Map
        A map (left unchanged).

    Returns
    -------
    folium.Map
        A deep copy with offline assets; the copy shares the (read-only) GeoJSON data of the
        map's ``folium.GeoJson`` layers with the map given.

    Raises
    ------
    CoalitionError
        If an element of the map needs another external script or stylesheet (e.g. a folium
        plugin): such a map cannot work offline; draw it without that element. Also if an
        element compiles its content as a template (see :func:`_render_once`).

    Examples
    --------
    >>> m = make_offline(folium.Map(tiles=None))
    >>> "https://" in m.default_js[0][1]
    False
    """
    # The GeoJSON data and the organization points (the bulk of a large map) are shared with the
    # copy, not copied: nothing here or in folium changes them when rendering.
    shared: dict[int, Any] = {}
    for element in _walk(m):
        for bulk in (
            getattr(element, "data", None) if isinstance(element, folium.GeoJson) else None,
            getattr(element, "points", None) if isinstance(element, _PointLayer) else None,
        ):
            if bulk is not None:
                shared[id(bulk)] = bulk
    offline = _render_once(copy.deepcopy(m, shared))
    js, css = offline_assets()
    for element in _walk(offline):
        if not isinstance(element, JSCSSMixin):
            continue
        if isinstance(element, folium.Map):
            element.default_js, element.default_css = list(js), list(css)
            continue
        external = [
            url
            for _, url in [*element.default_js, *element.default_css]
            if not url.startswith("data:")
        ]
        if external:
            raise CoalitionError(
                f"The map element {type(element).__name__} loads {external[0]}, which an offline "
                "room cannot reach. Draw the map without it."
            )
    return offline


def offline_map_html(m: folium.Map) -> str:
    """A complete standalone HTML page for a map: opens from a USB stick, no internet, no Python.

    Parameters
    ----------
    m : folium.Map
        A map (left unchanged).

    Returns
    -------
    str
        The page; every script and stylesheet is inline.

    Examples
    --------
    >>> import re
    >>> page = offline_map_html(folium.Map(tiles=None))
    >>> page.lstrip().startswith("<!DOCTYPE html>"), bool(re.search(r'src="https?:', page))
    (True, False)
    """
    return make_offline(m).get_root().render()


def write_map_files(maps: dict[str, folium.Map], out_dir: Path) -> list[Path]:
    """Write each map as a self-contained ``<name>.html`` plus an ``index.html`` linking them.

    Parameters
    ----------
    maps : dict of str to folium.Map
        File stem -> map. Stems may use letters, digits, ``-`` and ``_`` only.
    out_dir : pathlib.Path
        Folder to write into (created if missing).

    Returns
    -------
    list of pathlib.Path
        The map files in the order given, then ``index.html``.

    Raises
    ------
    DataError
        If a name is not a plain file stem (it would write outside ``out_dir``).

    Examples
    --------
    >>> paths = write_map_files({"need": folium.Map(tiles=None)}, Path(tmp))  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['need.html', 'index.html']
    """
    if not maps:
        raise DataError("No maps to write: pass at least one map.")
    for name in maps:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", name) or name == "index":
            raise DataError(
                f"Map name {name!r} is not usable as a file name: use letters, digits, '-' and "
                "'_' only (and not 'index')."
            )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    links: list[str] = []
    for name, m in maps.items():
        path = out_dir / f"{name}.html"
        path.write_text(offline_map_html(m), encoding="utf-8")
        written.append(path)
        title = getattr(m, "wbh_title", None) or name
        links.append(f'<li><a href="{escape_text(path.name)}">{escape_text(title)}</a></li>')
    index = out_dir / "index.html"
    index.write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Maps</title><style>body{font:16px sans-serif;margin:2em}</style></head>"
        f"<body><h1>Maps</h1><ul>{''.join(links)}</ul>"
        "<p>Every map works offline: open it in any browser.</p></body></html>\n",
        encoding="utf-8",
    )
    written.append(index)
    logger.info("Wrote %d map file(s) to %s", len(written), out_dir)
    return written


# --- measures and classes -----------------------------------------------------------------------


def neighborhood_map_frame(G: nx.Graph) -> gpd.GeoDataFrame:
    """The neighborhoods of a graph, ready for :func:`neighborhood_map`.

    Adds ``share_foreign_born`` (foreign_born / population) and ``committee_status`` (the most
    advanced status of the committees covering it: active, then forming, else none; from
    :func:`coalition.model.neighborhood_committees`, as the analyses read it). Join
    analysis results (``score``, ``gap_count``) onto it by index.

    Parameters
    ----------
    G : networkx.Graph
        The coalition graph (left unchanged).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by neighborhood id, EPSG:4326.

    Examples
    --------
    >>> frame = neighborhood_map_frame(G)  # doctest: +SKIP
    >>> frame.loc["alder", "committee_status"]  # doctest: +SKIP
    'active'
    """
    frame = neighborhoods_frame(G)
    if frame.empty:
        return frame.copy()
    return with_map_measures(frame, neighborhood_committees(G, frame.index).status)


def with_map_measures(
    neighborhoods: gpd.GeoDataFrame, status: Mapping[Any, str]
) -> gpd.GeoDataFrame:
    """A copy of the neighborhoods with ``share_foreign_born`` and ``committee_status`` added.

    What :func:`neighborhood_map_frame` adds to the graph's neighborhoods, for neighborhoods
    read another way (e.g. from the city's tables, :mod:`coalition.map_files`).

    Parameters
    ----------
    neighborhoods : geopandas.GeoDataFrame
        Indexed by neighborhood id, with ``population`` and ``foreign_born`` (left unchanged).
    status : mapping of str to str
        Committee status of every neighborhood (``NeighborhoodCommittees.status``).

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame({"population": [200], "foreign_born": [50]},
    ...                          geometry=[box(0, 0, 1, 1)], index=["n"], crs="EPSG:4326")
    >>> with_map_measures(frame, {"n": "forming"})[["share_foreign_born", "committee_status"]]
       share_foreign_born committee_status
    n                0.25          forming
    """
    frame = neighborhoods.copy()
    population = pd.to_numeric(frame.get("population"), errors="coerce")
    foreign_born = pd.to_numeric(frame.get("foreign_born"), errors="coerce")
    frame["share_foreign_born"] = (foreign_born / population.where(population > 0)).astype(float)
    frame["committee_status"] = [status[n] for n in frame.index]
    return frame


def frame_counts(neighborhoods: pd.DataFrame) -> privacy.CityCounts:
    """The resident counts of the neighborhoods alone (the city totals of each figure).

    A map drawn for a viewer should be protected with the whole city's counts
    (:func:`coalition.privacy.city_counts`, or :func:`coalition.map_files.index_counts`), so that
    it hides exactly what every other view hides; these are the fallback.

    Examples
    --------
    >>> frame = pd.DataFrame({"foreign_born": [3, 400]}, index=["a", "b"])
    >>> frame_counts(frame).values[("city", "foreign_born")]
    403.0
    """
    table = pd.DataFrame(
        {
            "neighborhood_id": [str(k) for k in neighborhoods.index],
            **{c: neighborhoods[c].tolist() for c in COUNT_MEASURES if c in neighborhoods},
        }
    )
    return privacy.city_counts({"neighborhoods": table})


def protect_neighborhoods(
    neighborhoods: gpd.GeoDataFrame,
    disclosure: privacy.Disclosure | None = None,
    *,
    counts: privacy.CityCounts | None = None,
) -> gpd.GeoDataFrame:
    """A copy of the neighborhoods whose resident counts are as ``disclosure`` may see them.

    Hidden counts of :data:`COUNT_MEASURES` become their text ("fewer than 11", "withheld to
    protect a small count"), their margins of error are dropped (a margin tells the size of its
    estimate), and ``share_foreign_born`` is withheld where its foreign-born count or population
    is hidden (share × population gives the count back). Exact disclosures change nothing. The
    copy remembers its disclosure (``attrs[PROTECTED_FOR]``), so drawing it does not protect it
    twice.

    Parameters
    ----------
    neighborhoods : geopandas.GeoDataFrame
        Indexed by neighborhood id (left unchanged).
    disclosure : Disclosure, optional
        Default ``Disclosure.public()``: a forgotten argument hides, never shows.
    counts : CityCounts, optional
        The whole city's counts and lines (:func:`coalition.privacy.city_counts`), so the map
        hides what the other views hide; default :func:`frame_counts` (these neighborhoods).

    Returns
    -------
    geopandas.GeoDataFrame

    Examples
    --------
    >>> frame = pd.DataFrame({"foreign_born": [3, 400, 500]}, index=["a", "b", "c"])
    >>> protect_neighborhoods(frame, privacy.Disclosure(exact=False, threshold=11))[
    ...     "foreign_born"].tolist()
    ['fewer than 11', 'withheld to protect a small count', 500]
    """
    disclosure = disclosure if disclosure is not None else privacy.Disclosure.public()
    frame = neighborhoods.copy()
    frame.attrs[PROTECTED_FOR] = disclosure
    if disclosure.exact:
        return frame
    shown = (counts if counts is not None else frame_counts(frame)).protect(disclosure)
    hidden: dict[Any, set[str]] = {}
    for column in COUNT_MEASURES:
        if column not in frame:
            continue
        cells = []
        for key, value in zip(frame.index, frame[column].tolist(), strict=True):
            got = shown.get(("neighborhood", str(key), column), value)
            if privacy.is_hidden(got):
                cells.append(str(got))
                hidden.setdefault(key, set()).add(column)
            else:
                cells.append(value)
        frame[column] = pd.Series(cells, index=frame.index, dtype=object)
        margin = f"{column}_moe"
        if margin in frame:
            frame[margin] = pd.Series(
                [
                    None if column in hidden.get(key, ()) else value
                    for key, value in zip(frame.index, frame[margin].tolist(), strict=True)
                ],
                index=frame.index,
                dtype=object,
            )
    if "share_foreign_born" in frame:
        frame["share_foreign_born"] = pd.Series(
            [
                privacy.WITHHELD_TEXT
                if hidden.get(key, set()) & {"foreign_born", "population"}
                else value
                for key, value in zip(
                    frame.index, frame["share_foreign_born"].tolist(), strict=True
                )
            ],
            index=frame.index,
            dtype=object,
        )
    frame.attrs[PROTECTED_FOR] = disclosure
    return frame


def _protected(
    neighborhoods: gpd.GeoDataFrame,
    disclosure: privacy.Disclosure | None,
    counts: privacy.CityCounts | None,
) -> tuple[gpd.GeoDataFrame, privacy.Disclosure]:
    """The neighborhoods protected for ``disclosure`` (unless they already are)."""
    disclosure = disclosure if disclosure is not None else privacy.Disclosure.public()
    if neighborhoods.attrs.get(PROTECTED_FOR) == disclosure:
        return neighborhoods, disclosure
    return protect_neighborhoods(neighborhoods, disclosure, counts=counts), disclosure


def _is_hidden_cell(value: Any) -> bool:
    return isinstance(value, str) or privacy.is_hidden(value)


def _measure_values(neighborhoods: pd.DataFrame, measure: str) -> pd.Series:
    if measure in neighborhoods.columns:
        return neighborhoods[measure]
    if measure == "share_foreign_born" and {"foreign_born", "population"} <= set(neighborhoods):
        population = pd.to_numeric(neighborhoods["population"], errors="coerce")
        share = pd.to_numeric(neighborhoods["foreign_born"], errors="coerce") / population.where(
            population > 0
        )
        withheld = [
            _is_hidden_cell(f) or _is_hidden_cell(p)
            for f, p in zip(neighborhoods["foreign_born"], neighborhoods["population"], strict=True)
        ]
        if any(withheld):
            return pd.Series(
                [privacy.WITHHELD_TEXT if w else v for w, v in zip(withheld, share, strict=True)],
                index=neighborhoods.index,
                dtype=object,
            )
        return share
    known = ", ".join(sorted(set(MEASURES) & set(neighborhoods.columns))) or "none"
    raise DataError(
        f"The neighborhoods have no {measure!r} column to colour the map by. Join it onto the "
        f"neighborhood table first (e.g. run the analysis that produces it), or choose one of "
        f"the columns present: {known}."
    )


def _format_number(value: float, measure: str) -> str:
    if measure in PERCENT_MEASURES:
        return f"{value:.0%}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _classify(
    neighborhoods: pd.DataFrame, measure: str
) -> tuple[dict[Any, str], list[tuple[str, str]]]:
    """Colour per neighborhood id and the legend items, for one measure."""
    values = _measure_values(neighborhoods, measure)
    if measure in CATEGORICAL_MEASURES:
        colours: dict[Any, str] = {}
        seen: set[str] = set()
        for key, value in values.items():
            value = (
                None
                if value is None or (isinstance(value, float) and math.isnan(value))
                else str(value)
            )
            colour = STATUS_COLOURS.get(value, NO_DATA_COLOUR) if value else NO_DATA_COLOUR
            colours[key] = colour
            seen.add(value if value in STATUS_COLOURS else NO_DATA_LABEL)
        items: list[tuple[str, str]] = [
            (STATUS_COLOURS[s], STATUS_LABELS[s]) for s in STATUS_COLOURS if s in seen
        ]
        if NO_DATA_LABEL in seen:
            items.append((NO_DATA_COLOUR, i18n.gettext(NO_DATA_LABEL)))
        return colours, items

    hidden = values.map(_is_hidden_cell).astype(bool)
    numeric = pd.to_numeric(values.where(~hidden), errors="coerce").astype(float)
    numeric = numeric.where(np.isfinite(numeric))
    present = numeric.dropna()  # the legend's classes come from shown figures only
    palette = SEQUENTIAL_PALETTES[PALETTE_OF_MEASURE.get(measure, "need")]
    colours = {key: NO_DATA_COLOUR for key in numeric.index}
    items = []
    if not present.empty:
        n_classes = min(N_CLASSES, present.nunique())
        if n_classes == 1:
            edges = np.array([present.min(), present.max()])
        else:
            edges = np.unique(np.quantile(present.to_numpy(), np.linspace(0, 1, n_classes + 1)))
        n_classes = max(1, len(edges) - 1)
        # Spread the classes over the whole palette so 3 classes still run light to dark.
        shades = (
            [
                palette[round(i * (len(palette) - 1) / max(1, n_classes - 1))]
                for i in range(n_classes)
            ]
            if n_classes > 1
            else [palette[-1]]
        )
        # Class i holds values in (edges[i], edges[i+1]]; the first class includes its minimum.
        classes = np.clip(
            np.searchsorted(edges[1:-1], present.to_numpy(), side="left"), 0, n_classes - 1
        )
        for key, cls in zip(present.index, classes, strict=False):
            colours[key] = shades[int(cls)]
        for i in range(n_classes):
            low, high = _format_number(edges[i], measure), _format_number(edges[i + 1], measure)
            items.append((shades[i], low if low == high else f"{low} – {high}"))
    for key in numeric.index[hidden.to_numpy()]:
        colours[key] = HIDDEN_COLOUR
    if (numeric.isna() & ~hidden).any():
        items.append((NO_DATA_COLOUR, _missing_label(measure)))
    if hidden.any():
        items.append((HIDDEN_COLOUR, i18n.gettext(HIDDEN_LABEL)))
    return colours, items


def legend_items(
    neighborhoods: pd.DataFrame,
    measure: str,
    *,
    disclosure: privacy.Disclosure | None = None,
    counts: privacy.CityCounts | None = None,
) -> list[tuple[str, str]]:
    """The legend of a measure: ``(colour, label)`` per class, light to dark.

    Numbers get up to 5 quantile classes (fewer when there are fewer distinct values), labelled
    ``"low – high"`` (a class holds values above its low end up to its high end; the first also
    holds its low end). ``committee_status`` gets its categories. A grey "No data" class is
    added when some neighborhood has no value.

    Parameters
    ----------
    neighborhoods : pandas.DataFrame
        Indexed by neighborhood id, with the measure column (left unchanged).
    measure : str
        A column name, usually a key of :data:`MEASURES`.
    disclosure : Disclosure, optional
        Who sees it (default ``Disclosure.public()``): the classes are worked out from the
        figures it may see (:func:`protect_neighborhoods`), hidden ones get
        :data:`HIDDEN_LABEL`.
    counts : CityCounts, optional
        The whole city's counts (see :func:`protect_neighborhoods`).

    Returns
    -------
    list of (str, str)
        Hex colour and plain-text label (escape it before putting it in HTML).

    Raises
    ------
    DataError
        If the measure column is missing.

    Examples
    --------
    >>> frame = pd.DataFrame({"foreign_born": [400, 100, 300, 200]}, index=list("abcd"))
    >>> legend_items(frame, "foreign_born")[0]
    ('#ffffcc', '100 – 175')
    """
    frame, _ = _protected(neighborhoods, disclosure, counts)
    return _classify(frame, measure)[1]


# --- drawing ------------------------------------------------------------------------------------


class _HtmlControl(MacroElement):
    """A Leaflet control whose (already escaped) HTML is passed as a JSON string."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function () {
            var box = L.DomUtil.create("div", "wbh-map-box");
            box.innerHTML = {{ this.box_html|tojson }};
            L.DomEvent.disableClickPropagation(box);
            return box;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, box_html: str, position: str = "bottomright") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.box_html = box_html
        self.position = position


def _legend_box_html(
    title: str | None,
    measure_label: str,
    items: list[tuple[str, str]],
    illustrative: bool,
    non_members: bool = False,
    simplified_metres: float | None = None,
    changes_note: str = "",
    exact: bool = False,
) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:middle;border:1px solid #555;background:{colour}"></span>'
        f"{escape_text(label)}</div>"
        for colour, label in items
    )
    head = (
        f'<div style="font-weight:bold;font-size:14px">{escape_text(title)}</div>' if title else ""
    )
    # Our own words (translated templates, no data), escaped all the same.
    includes = escape_text(i18n.gettext("Includes illustrative data."))
    note = f'<div style="margin-top:4px;font-style:italic">{includes}</div>' if illustrative else ""
    if non_members:
        invite = escape_text(i18n.gettext("Not a member — could be invited"))
        note += (
            f'<div><span style="display:inline-block;width:8px;height:8px;margin:0 9px 0 3px;'
            f'border:2px solid {ORGANIZATION_COLOUR};border-radius:50%;background:#fff">'
            f"</span>{invite}</div>"
        )
    if simplified_metres:
        simplified = i18n.gettext("Boundaries simplified for display (to about {metres} m).")
        note += (
            '<div style="margin-top:4px;color:#555">'
            f"{escape_text(simplified.format(metres=f'{simplified_metres:g}'))}</div>"
        )
    note += changes_note
    if exact:  # a constant of ours, never data
        exact_label = escape_text(i18n.gettext(privacy.EXACT_LABEL))
        note += f'<div style="margin-top:4px;font-weight:bold;color:#b00020">{exact_label}</div>'
    return (
        f'<div style="background:rgba(255,255,255,0.92);padding:6px 8px;border-radius:4px;'
        f'font:12px sans-serif;box-shadow:0 1px 4px rgba(0,0,0,0.3);max-width:260px">'
        f'{head}<div style="margin:2px 0">{escape_text(measure_label)}</div>{rows}{note}</div>'
    )


def _is_true(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _lighten_geometries(
    geometries: gpd.GeoSeries, metres: float = SIMPLIFY_METRES
) -> gpd.GeoSeries:
    """The boundaries as drawn: simplified together by ``metres``, rounded to
    :data:`COORDINATE_DECIMALS`.

    The simplification is a coverage simplification (``shapely.coverage_simplify``,
    Visvalingam-Whyatt): an edge shared by two neighborhoods is simplified once, so neighbours
    still meet with no gap or overlap. It runs in local metres (longitude scaled by the cosine
    of the latitude), so the tolerance means the same on the ground in any city: triangles of
    about ``metres`` x ``metres`` or less are removed. Input that is not a clean coverage (or
    not polygons) is simplified polygon by polygon instead (``preserve_topology``). Consecutive
    points that rounding made equal are dropped.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> square = gpd.GeoSeries([box(-72.7, 41.7, -72.69, 41.71)], crs="EPSG:4326")
    >>> int(shapely.get_num_coordinates(_lighten_geometries(square).to_numpy()).sum())
    5
    """
    values = geometries.to_numpy()
    if metres > 0:
        latitude = float(np.nanmean(geometries.total_bounds[[1, 3]]))
        scale = np.array(
            [_METRES_PER_DEGREE * math.cos(math.radians(latitude)), _METRES_PER_DEGREE]
        )
        local = shapely.transform(values, lambda xy: xy * scale)
        try:
            simplified = shapely.coverage_simplify(local, metres)
        except shapely.errors.GEOSException as error:  # not polygons, or not a coverage
            logger.info("Boundaries simplified one by one (%s)", error)
            simplified = shapely.simplify(local, metres, preserve_topology=True)
        simplified = np.where(shapely.is_empty(simplified), local, simplified)
        values = shapely.transform(simplified, lambda xy: xy / scale)
    rounded = shapely.remove_repeated_points(
        shapely.transform(values, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    )
    return gpd.GeoSeries(rounded, index=geometries.index, crs=geometries.crs)


def _offset_point(key: str, lon: float, lat: float, radius: float) -> tuple[float, float]:
    """A point near (lon, lat), at an angle and distance fixed by a hash of ``key``."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    angle = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    distance = radius * (0.3 + 0.7 * int.from_bytes(digest[4:], "big") / 2**32)
    return lon + distance * math.cos(angle), lat + distance * math.sin(angle)


def _value_text(measure: str, value: Any, margin: Any = None) -> str:
    """A neighborhood's value of a measure as shown, with its margin of error if any."""
    if measure in CATEGORICAL_MEASURES:
        return STATUS_LABELS.get(as_text(value), i18n.gettext(NO_DATA_LABEL))
    if _is_hidden_cell(value):  # protected for this audience: its text, never a number
        return str(value)
    number = finite_or_none(value)
    if number is None or not math.isfinite(number):
        return _missing_label(measure)
    text = _format_number(number, measure)
    moe = finite_or_none(margin)
    if moe is not None and math.isfinite(moe):
        text += f" ± {_format_number(moe, measure)}"
    return text


def _encode_geometry(geometry: Any) -> list[list[list[int]]]:
    """A polygon or multipolygon as polygons of rings of delta-encoded integer coordinates.

    Each ring is one flat list ``[x0, y0, dx1, dy1, ...]``: the first point, then each point
    minus the one before, in units of ``10**-COORDINATE_DECIMALS`` degrees (the coordinates are
    already rounded to that). About 9 characters a point in JSON instead of 21; the page
    decodes it (``_AreaLayer``). Other geometry types give no polygons.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> _encode_geometry(box(-72.7, 41.7, -72.69, 41.71))
    [[[-7269000, 4170000, 0, 1000, -1000, 0, 0, -1000, 1000, 0]]]
    """
    scale = 10**COORDINATE_DECIMALS
    polygons = []
    for polygon in shapely.get_parts(geometry):
        if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
            continue
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            units = np.round(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64)
            units[1:] = np.diff(units, axis=0)
            rings.append(units.ravel().tolist())
        polygons.append(rings)
    return polygons


def _column_reader(frame: pd.DataFrame) -> Any:
    """``column(name)``: the values of a column as a list (None for each row when absent), read
    once; what ``row.get(name)`` gives row by row, without building a Series per row."""

    def column(name: str) -> list[Any]:
        return frame[name].tolist() if name in frame.columns else [None] * len(frame)

    return column


def _drawable(neighborhoods: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The neighborhoods that have a boundary, in EPSG:4326 (checked, never modified)."""
    if neighborhoods is None or len(neighborhoods) == 0:
        raise DataError("There are no neighborhoods to draw: load a city with a boundary file.")
    if "geometry" not in neighborhoods or not isinstance(neighborhoods, gpd.GeoDataFrame):
        raise DataError(
            "The neighborhoods have no geometry: pass a GeoDataFrame with polygons "
            "(coalition.maps.neighborhood_map_frame(G) builds one)."
        )
    frame = neighborhoods[~neighborhoods.geometry.isna() & ~neighborhoods.geometry.is_empty]
    if frame.empty:
        raise DataError("No neighborhood has a boundary to draw: check the boundary file.")
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    return frame


def _safe_json(value: Any) -> str:
    """JSON to write inside a ``<script>`` element: ``<``, ``>``, ``&`` and ``'`` as ``\\u``
    escapes (Jinja's ``htmlsafe_json_dumps``, what ``|tojson`` does), every non-ASCII
    character (U+2028 and U+2029 included) as ``\\u`` escapes too.

    Examples
    --------
    >>> _safe_json(["</script>", "\\u2028"])
    '["\\\\u003c/script\\\\u003e", "\\\\u2028"]'
    """
    return str(htmlsafe_json_dumps(value, ensure_ascii=True))


@dataclass(frozen=True)
class MapLayers:
    """The parts of a neighborhood map that are the same for every measure, computed once.

    Built by :func:`prepare_map_layers`; pass it to :func:`neighborhood_map` as ``layers=`` to
    draw several measures of one city without simplifying the boundaries, placing the
    organizations or serialising their layer again. Treat it as read-only.

    Attributes
    ----------
    ids : tuple of str
        The drawable neighborhoods' ids, in the frame's order.
    geometries : dict of str to dict
        Neighborhood id -> GeoJSON geometry as drawn (simplified, rounded).
    points : geopandas.GeoSeries
        A representative point per neighborhood (labels, committee markers).
    committees : tuple
        ``(neighborhood id, {"status", "tooltip"})`` per active or forming committee.
    organizations : tuple
        ``(id, [lat, lon], escaped tooltip, member)`` per organization drawn, sorted by id.
    shapes_json : str
        The boundaries as drawn (ids and delta-encoded rings), serialised once for a
        ``<script>`` element.
    organizations_json : str
        The organization layer's data, serialised once for a ``<script>`` element.
    non_members : bool
        Whether some organization is not a coalition member (the legend explains hollow dots).
    simplified_metres : float or None
        The tolerance, when simplifying removed any point; None when boundaries are exact.
    """

    ids: tuple[str, ...]
    geometries: dict[str, dict]
    points: gpd.GeoSeries
    committees: tuple[tuple[Any, dict[str, str]], ...]
    organizations: tuple[tuple[str, list[float], str, bool], ...]
    shapes_json: str
    organizations_json: str
    non_members: bool
    simplified_metres: float | None


def prepare_map_layers(
    neighborhoods: gpd.GeoDataFrame,
    *,
    organizations: pd.DataFrame | None = None,
    committees: pd.DataFrame | None = None,
    simplify_metres: float = SIMPLIFY_METRES,
) -> MapLayers:
    """Compute the measure-independent parts of a map once (see :class:`MapLayers`).

    Parameters
    ----------
    neighborhoods : geopandas.GeoDataFrame
        As for :func:`neighborhood_map` (left unchanged).
    organizations, committees : pandas.DataFrame, optional
        As for :func:`neighborhood_map` (left unchanged).
    simplify_metres : float
        Tolerance of the boundaries' simplification, in metres (0: exact boundaries, only
        rounded). Default :data:`coalition.settings.MAP_SIMPLIFY_METRES`.

    Returns
    -------
    MapLayers

    Raises
    ------
    DataError
        If there are no neighborhoods or no geometry, or ``simplify_metres`` is negative or
        not a number.

    Examples
    --------
    >>> layers = prepare_map_layers(frame, organizations=orgs)  # doctest: +SKIP
    >>> maps = {m: neighborhood_map(frame, m, layers=layers) for m in MEASURES}  # doctest: +SKIP
    """
    metres = finite_or_none(simplify_metres)
    if metres is None or metres < 0:
        raise DataError(
            f"The simplification tolerance must be a number of metres, 0 or more, not "
            f"{simplify_metres!r}."
        )
    frame = _drawable(neighborhoods)
    before = int(shapely.get_num_coordinates(frame.geometry.to_numpy()).sum())
    lightened = _lighten_geometries(frame.geometry, metres)
    after = int(shapely.get_num_coordinates(lightened.to_numpy()).sum())
    logger.info("Map boundaries: %d -> %d coordinates (%g m)", before, after, metres)
    points = frame.geometry.representative_point()
    drawn: list[tuple[str, list[float], str, str, bool]] = []
    non_members = False
    if organizations is not None and len(organizations):
        drawn = _organization_points(organizations, frame, points)
        non_members = "member" in organizations and not all(map(is_member, organizations["member"]))
    # The tooltips go to the page in two parts, the name and an index into the distinct endings
    # (sector, illustrative, not a member), joined again in the page: 10,000 repeated endings
    # would otherwise weigh more than the names.
    endings: dict[str, int] = {}
    for _, _, _, ending, _ in drawn:
        endings.setdefault(ending, len(endings))
    payload = {
        "lat": [location[0] for _, location, _, _, _ in drawn],
        "lon": [location[1] for _, location, _, _, _ in drawn],
        "member": [int(member) for *_, member in drawn],
        "name": [name for _, _, name, _, _ in drawn],
        "endings": list(endings),
        "ending": [endings[ending] for _, _, _, ending, _ in drawn],
        "canvas": len(drawn) > CANVAS_ABOVE_POINTS,
    }
    return MapLayers(
        ids=tuple(str(k) for k in frame.index),
        geometries={
            str(k): shapely.geometry.mapping(g) for k, g in zip(frame.index, lightened, strict=True)
        },
        shapes_json=_safe_json(
            {
                "ids": [str(k) for k in frame.index],
                "scale": 10**COORDINATE_DECIMALS,
                "rings": [_encode_geometry(g) for g in lightened],
            }
        ),
        points=points,
        committees=tuple(_committee_markers(frame, committees)),
        organizations=tuple(
            (org_id, location, name + ending, member)
            for org_id, location, name, ending, member in drawn
        ),
        organizations_json=_safe_json(payload),
        non_members=non_members,
        simplified_metres=metres if after < before else None,
    )


# The areas' and the outlines' boundaries arrive as delta-encoded integer rings (see
# _encode_geometry); this decodes them to GeoJSON features, in the page. A constant of ours (never
# data) placed in both layers' scripts; defining it twice on one page is harmless.
DECODE_SHAPES_JS = """function decodeShapes(shapes) {
            function ring(flat) {
                var points = [], x = 0, y = 0;
                for (var i = 0; i < flat.length; i += 2) {
                    x += flat[i];
                    y += flat[i + 1];
                    points.push([x / shapes.scale, y / shapes.scale]);
                }
                return points;
            }
            return shapes.ids.map(function (id, i) {
                var polygons = shapes.rings[i].map(function (rings) { return rings.map(ring); });
                return {
                    type: "Feature",
                    id: id,
                    properties: {neighborhood_id: id, index: i},
                    geometry: polygons.length === 1
                        ? {type: "Polygon", coordinates: polygons[0]}
                        : {type: "MultiPolygon", coordinates: polygons}
                };
            });
        }"""


class _AreaLayer(folium.map.Layer):
    """The neighborhoods as ONE ``L.geoJson`` layer, built in the browser from two JSON objects.

    ``shapes`` (ids and delta-encoded rings, :func:`_encode_geometry`) is the same for every
    measure and serialised once (:class:`MapLayers`); ``values`` holds this map's colours,
    outlines and tooltip lines. Each feature made in the page has ``id`` and property
    ``neighborhood_id`` (what ``st_folium`` returns on a click), is styled with the class
    :data:`NEIGHBORHOOD_CLASS` and shows an escaped tooltip. Both JSON objects are data, never
    template source (:func:`_safe_json`); the tooltip lines in them are already escaped HTML.

    Attributes
    ----------
    ids : list of str
        Neighborhood ids, in drawing order.
    tooltips : list of str
        The tooltip of each neighborhood as the page shows it (escaped HTML).
    styles : list of dict
        The Leaflet style of each neighborhood.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.decoder }}
        var {{ this.get_name() }} = (function (shapes, values) {
            var features = decodeShapes(shapes);
            function style(feature) {
                var i = feature.properties.index;
                return {
                    fillColor: values.colours[values.fill[i]],
                    fillOpacity: 0.7,
                    color: values.thick[i] ? "#000000" : "#555555",
                    weight: values.thick[i] ? 4 : 1,
                    className: values.className
                };
            }
            function tooltip(i) {
                var lines = [values.head[i]];
                if (values.source[i] >= 0) { lines.push(values.sources[values.source[i]]); }
                if (values.illustrative[i]) { lines.push(values.illustrativeText); }
                return lines.join("<br>");
            }
            var layer = L.geoJson(features, {
                style: style,
                onEachFeature: function (feature, path) {
                    path.bindTooltip(tooltip(feature.properties.index), {sticky: true});
                    path.on({
                        mouseover: function (e) {
                            e.target.setStyle({weight: 3, color: "#000000"});
                        },
                        mouseout: function (e) { layer.resetStyle(e.target); }
                    });
                }
            });
            return layer;
        })({{ this.shapes }}, {{ this.values }});
        {% endmacro %}
    """)

    def __init__(
        self,
        shapes: str,
        ids: list[str],
        names: list[str],
        label: str,
        value_texts: list[str],
        sources: list[str],
        illustrative: list[bool],
        fills: list[str],
        thick: list[bool],
    ) -> None:
        super().__init__(name="Neighborhoods", overlay=True, control=False)
        self._name = "AreaLayer"
        self.decoder = DECODE_SHAPES_JS
        self.shapes = shapes
        self.ids = ids
        colours = sorted(set(fills))
        shade = {colour: i for i, colour in enumerate(colours)}
        distinct = sorted({source for source in sources if source})
        position = {source: i for i, source in enumerate(distinct)}
        # "{measure}: {value}" and "(illustrative)": our templates, filled with escaped text.
        measure_value = i18n.gettext("{measure}: {value}")
        illustrative_text = escape_text(i18n.gettext("(illustrative)"))
        heads = [
            f"<b>{name}</b><br>{measure_value.format(measure=label, value=value)}"
            for name, value in zip(names, value_texts, strict=True)
        ]
        self.tooltips = [
            "<br>".join(
                [head] + ([source] if source else []) + ([illustrative_text] if flag else [])
            )
            for head, source, flag in zip(heads, sources, illustrative, strict=True)
        ]
        self.styles = [
            {
                "fillColor": fill,
                "fillOpacity": 0.7,
                "color": "#000000" if bold else "#555555",
                "weight": 4 if bold else 1,
                "className": NEIGHBORHOOD_CLASS,
            }
            for fill, bold in zip(fills, thick, strict=True)
        ]
        self.values = _safe_json(
            {
                "head": heads,
                "sources": distinct,
                "source": [position[x] if x else -1 for x in sources],
                "illustrative": [int(flag) for flag in illustrative],
                "illustrativeText": illustrative_text,
                "colours": colours,
                "fill": [shade[fill] for fill in fills],
                "thick": [int(bold) for bold in thick],
                "className": NEIGHBORHOOD_CLASS,
            }
        )


class _PointLayer(folium.FeatureGroup):
    """The organizations as ONE layer: circle markers made in the browser from one JSON object.

    Ten thousand ``folium.CircleMarker`` elements each render their own template (and each
    would be deep-copied for offline use); this element renders once, whatever the count.
    The JSON (:func:`_safe_json`) is data, never template source; tooltips in it are already
    escaped HTML (Leaflet shows a tooltip string as HTML).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, data, member, other) {
            var renderer = data.canvas ? L.canvas({padding: 0.5}) : undefined;
            for (var i = 0; i < data.lat.length; i++) {
                var style = Object.assign({renderer: renderer}, data.member[i] ? member : other);
                L.circleMarker([data.lat[i], data.lon[i]], style)
                    .bindTooltip(data.name[i] + data.endings[data.ending[i]], {sticky: true})
                    .addTo(group);
            }
        })({{ this.get_name() }}, {{ this.payload }},
           {{ this.member_style|tojson }}, {{ this.other_style|tojson }});
        {% endmacro %}
    """)

    def __init__(
        self,
        points: tuple[tuple[str, list[float], str, bool], ...],
        payload: str,
        *,
        name: str,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, show=show)
        self._name = "PointLayer"
        self.points = points
        self.payload = payload
        common = {"radius": 4, "fill": True, "fillOpacity": 0.9}
        self.member_style = {
            **common,
            "color": "#ffffff",
            "weight": 1,
            "fillColor": ORGANIZATION_COLOUR,
        }
        self.other_style = {
            **common,
            "color": ORGANIZATION_COLOUR,
            "weight": 2,
            "fillColor": "#ffffff",
        }


# --- changes since a meeting: a thin layer of dashed outlines ------------------------------------

CHANGED_COLOUR = "#7B1FA2"  # the network's colour for what is new (network_view.NEW_COLOUR)
CHANGED_CLASS = "wbh-changed"
# Fixed text (the layer control shows it, translated where drawn).
CHANGED_LAYER = i18n.N_("Changed since the meeting")


class _OutlineLayer(folium.map.Layer):
    """The changed neighborhoods' outlines (thick, dashed, unfilled) as ONE layer from JSON data.

    Only the changed neighborhoods' boundaries (as drawn, :class:`MapLayers`) are sent, encoded
    like :class:`_AreaLayer`'s; each tooltip is already escaped HTML. A click on an outline
    gives the same ``neighborhood_id`` as a click on the area under it.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.decoder }}
        var {{ this.get_name() }} = (function (data) {
            var features = decodeShapes(data);
            return L.geoJson(features, {
                style: function () { return data.style; },
                onEachFeature: function (feature, path) {
                    path.bindTooltip(data.tooltips[feature.properties.index], {sticky: true});
                }
            });
        })({{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, ids: list[str], rings: list, tooltips: list[str]) -> None:
        super().__init__(name=i18n.gettext(CHANGED_LAYER), overlay=True, control=True)
        self._name = "OutlineLayer"
        self.decoder = DECODE_SHAPES_JS
        self.ids = ids
        self.tooltips = tooltips
        self.payload = _safe_json(
            {
                "ids": ids,
                "scale": 10**COORDINATE_DECIMALS,
                "rings": rings,
                "tooltips": tooltips,
                "style": {
                    "color": CHANGED_COLOUR,
                    "weight": 4,
                    "dashArray": "10 6",
                    "fill": False,
                    "className": CHANGED_CLASS,
                },
            }
        )


def _outline_tooltip(text: str) -> str:
    """Plain text lines as tooltip HTML: every line escaped, the first in bold."""
    lines = [escape_text(line) for line in str(text).split("\n")]
    return "<br>".join([f"<b>{lines[0]}</b>", *lines[1:]])


def _outline_layer(layers: MapLayers, outlines: Mapping[str, str]) -> _OutlineLayer | None:
    ids = [key for key in layers.ids if key in outlines]
    if not ids:
        return None
    return _OutlineLayer(
        ids,
        [_encode_geometry(shapely.geometry.shape(layers.geometries[key])) for key in ids],
        [_outline_tooltip(outlines[key]) for key in ids],
    )


def _changes_note(label: str | None, count: int) -> str:
    if label is None:
        return ""
    sentence = i18n.ngettext(
        "{count} neighborhood changed since {since}",
        "{count} neighborhoods changed since {since}",
        count,
    ).format(count=i18n.fmt_number(count), since=" ".join(str(label).split()))
    return (
        f'<div style="margin-top:4px"><span style="display:inline-block;width:14px;'
        f"height:10px;margin-right:6px;vertical-align:middle;border:3px dashed "
        f'{CHANGED_COLOUR}"></span>{escape_text(sentence)}</div>'
    )


def neighborhood_map(
    neighborhoods: gpd.GeoDataFrame,
    measure: str,
    *,
    organizations: pd.DataFrame | None = None,
    show_organizations: bool = True,
    tiles: str | None = None,
    title: str | None = None,
    highlight: Iterable[str] = (),
    committees: pd.DataFrame | None = None,
    layers: MapLayers | None = None,
    outlines: Mapping[str, str] | None = None,
    outlines_label: str | None = None,
    disclosure: privacy.Disclosure | None = None,
    counts: privacy.CityCounts | None = None,
) -> folium.Map:
    """A map of the neighborhoods coloured by a measure, with committees and organizations.

    Readable without basemap tiles: outlined polygons, escaped labels (up to
    :data:`MAX_LABELS` neighborhoods, else only highlighted ones), committee markers (active =
    filled, forming = hollow), organization points (one layer that can be toggled), a legend
    box and a scale bar. Each polygon's GeoJSON feature has ``id`` and property
    ``neighborhood_id`` so a click (``st_folium``'s ``last_active_drawing``) maps back to the
    neighborhood. Boundaries are drawn simplified (:data:`SIMPLIFY_METRES`, shared borders kept
    shared; the legend says so when it changed them) and rounded to
    :data:`COORDINATE_DECIMALS` decimals.

    Parameters
    ----------
    neighborhoods : geopandas.GeoDataFrame
        Indexed by neighborhood id, EPSG:4326, with ``name``, ``geometry`` and the measure; may
        also have ``<measure>_moe``, ``source``, ``source_date``, ``illustrative`` and
        ``committee_status``. See :func:`neighborhood_map_frame`. Left unchanged.
    measure : str
        Column to colour by (see :data:`MEASURES`).
    organizations : pandas.DataFrame, optional
        Indexed by id with ``name`` and any of ``sector``, ``lat``, ``lon``, ``neighborhood``,
        ``illustrative``, ``member``. Organizations without coordinates are drawn at a small
        fixed offset from their neighborhood's representative point; those with neither are
        skipped.
    show_organizations : bool
        Whether the organization layer is shown at first (it can be toggled on the map).
    tiles : str, optional
        A folium tile name such as ``"OpenStreetMap"`` (needs internet); none by default.
    title : str, optional
        Shown above the legend (escaped).
    highlight : iterable of str
        Neighborhood ids drawn with a thick outline (e.g. recommended next sites).
    committees : pandas.DataFrame, optional
        Committee nodes (``nodes_frame(G, "committee")``: ``name``, ``neighborhood``, ``status``,
        ``start_date``, ``illustrative``). When omitted, markers come from the neighborhoods'
        ``committee_status`` column, if any.
    layers : MapLayers, optional
        :func:`prepare_map_layers` of these neighborhoods, to share between measures; then
        pass ``organizations`` and ``committees`` to it, not here.
    outlines : mapping of str to str, optional
        Neighborhood id -> plain-text tooltip (lines separated by newlines; escaped here) of the
        neighborhoods that changed since a meeting (:func:`coalition.since.outline_texts`):
        drawn as a separate layer of thick dashed outlines, listed in the layer control.
        Unknown ids are ignored.
    outlines_label : str, optional
        What they changed since ("March convening"): the legend then counts them.
    disclosure : Disclosure, optional
        Who will see the map (default ``Disclosure.public()``: a map is a file people share).
        Resident counts in tooltips and legend classes are protected for it
        (:func:`protect_neighborhoods`, unless the frame already is); an exact disclosure
        shows exact figures and says :data:`coalition.privacy.EXACT_LABEL` in the legend.
    counts : CityCounts, optional
        The whole city's counts (:func:`coalition.privacy.city_counts`), so that the map hides
        exactly what the other views hide; see :func:`protect_neighborhoods`.

    Returns
    -------
    folium.Map
        Pass it to :func:`make_offline` / :func:`offline_map_html` before showing it.

    Raises
    ------
    DataError
        If there are no neighborhoods, no geometry, or the measure column is missing; if
        ``layers`` were prepared from other neighborhoods, or come with ``organizations`` or
        ``committees``.

    Examples
    --------
    >>> m = neighborhood_map(neighborhood_map_frame(G), "committee_status")  # doctest: +SKIP
    """
    _drawable(neighborhoods)  # the errors first (no neighborhoods, no geometry)
    # Over every neighborhood, drawable or not: the lines are the city's.
    protected, disclosure = _protected(neighborhoods, disclosure, counts)
    frame = _drawable(protected)
    if layers is None:
        layers = prepare_map_layers(frame, organizations=organizations, committees=committees)
    else:
        if organizations is not None or committees is not None:
            raise DataError(
                "Pass organizations and committees to prepare_map_layers, not to neighborhood_map "
                "together with layers= (the layers already hold them)."
            )
        if layers.ids != tuple(str(k) for k in frame.index):
            raise DataError(
                "These map layers were prepared from other neighborhoods: call "
                "prepare_map_layers with the neighborhoods you draw."
            )
    colours, items = _classify(frame, measure)
    values = _measure_values(frame, measure)
    highlighted = {str(h) for h in highlight}
    measure_label = MEASURES.get(measure, measure)

    minx, miny, maxx, maxy = frame.total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        tiles=None,
        control_scale=True,
        zoom_start=12,
        prefer_canvas=len(frame) > 500,
    )
    # Read by write_map_files for the index page (with getattr: it accepts any folium map); folium
    # declares no such attribute.
    m.wbh_title = title or measure_label  # type: ignore[attr-defined]
    if tiles:
        folium.TileLayer(tiles, name=i18n.gettext("Basemap")).add_to(m)

    column = _column_reader(frame)
    source_dated, source_only = (
        i18n.gettext("Source: {source} ({date})"),
        i18n.gettext("Source: {source}"),
    )
    names, value_texts, sources, flags = [], [], [], []
    for key, name, value, margin, source, source_date, illustrative in zip(
        frame.index,
        column("name"),
        values.tolist(),
        column(f"{measure}_moe"),
        column("source"),
        column("source_date"),
        column("illustrative"),
        strict=True,
    ):
        names.append(escape_text(name or key))
        value_texts.append(escape_text(_value_text(measure, value, margin)))
        sources.append(
            (
                escape_text(source_dated.format(source=as_text(source), date=as_text(source_date)))
                if as_text(source_date)
                else escape_text(source_only.format(source=as_text(source)))
            )
            if as_text(source)
            else ""
        )
        flags.append(_is_true(illustrative))
    _AreaLayer(
        layers.shapes_json,
        list(layers.ids),
        names,
        escape_text(measure_label),
        value_texts,
        sources,
        flags,
        [colours.get(key, NO_DATA_COLOUR) for key in frame.index],
        [str(key) in highlighted for key in frame.index],
    ).add_to(m)
    any_illustrative = any(flags)
    # Changes since a meeting: above the areas, under the labels and markers.
    outline_layer = _outline_layer(layers, outlines or {})
    if outline_layer is not None:
        outline_layer.add_to(m)

    points = layers.points
    label_ids = (
        list(frame.index)
        if len(frame) <= MAX_LABELS
        else [k for k in frame.index if str(k) in highlighted]
    )
    if label_ids:
        labels = folium.FeatureGroup(name=i18n.gettext("Neighborhood names"))
        for key in label_ids:
            name = escape_text(frame.at[key, "name"] if "name" in frame else key)
            folium.Marker(
                [points[key].y, points[key].x],
                icon=folium.DivIcon(
                    html=(
                        f'<div style="font:bold 12px sans-serif;color:#111;text-align:center;'
                        'white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff">'
                        f"{name}</div>"
                    ),
                    icon_size=(160, 16),
                    icon_anchor=(80, -8),
                    class_name="wbh-label",
                ),
            ).add_to(labels)
        labels.add_to(m)

    committee_layer = folium.FeatureGroup(name=i18n.gettext("Welcoming committees"))
    for key, marker in layers.committees:
        point = points[key]
        filled = marker["status"] == "active"
        folium.CircleMarker(
            [point.y, point.x],
            radius=8,
            color="#000000",
            weight=2,
            fill=True,
            fill_color=STATUS_COLOURS["active"] if filled else "#ffffff",
            fill_opacity=1.0 if filled else 0.6,
            tooltip=folium.Tooltip(marker["tooltip"]),
        ).add_to(committee_layer)
    committee_layer.add_to(m)

    if layers.organizations:
        _PointLayer(
            layers.organizations,
            layers.organizations_json,
            name=i18n.gettext("Organizations"),
            show=show_organizations,
        ).add_to(m)

    _HtmlControl(
        _legend_box_html(
            title,
            measure_label,
            items,
            any_illustrative,
            layers.non_members,
            layers.simplified_metres,
            _changes_note(
                outlines_label, len(outline_layer.ids) if outline_layer is not None else 0
            ),
            exact=disclosure.exact,
        )
    ).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return _render_once(m)


def _committee_markers(
    frame: pd.DataFrame, committees: pd.DataFrame | None
) -> list[tuple[Any, dict[str, str]]]:
    """(neighborhood id, {status, tooltip}) per active or forming committee."""
    markers = []
    if committees is not None and len(committees):
        for committee_id, row in committees.sort_index().iterrows():
            where, status = row.get("neighborhood"), as_text(row.get("status"))
            if where not in frame.index or status not in ("active", "forming"):
                continue
            markers.append(
                (
                    where,
                    {
                        "status": status,
                        "tooltip": _committee_tooltip(
                            row.get("name") or committee_id,
                            status,
                            row.get("start_date"),
                            _is_true(row.get("illustrative")),
                        ),
                    },
                )
            )
    elif "committee_status" in frame:
        for key, row in frame.iterrows():
            status = as_text(row.get("committee_status"))
            if status in ("active", "forming"):
                name = i18n.gettext("{neighborhood} Welcoming Committee").format(
                    neighborhood=as_text(row.get("name")) or key
                )
                markers.append(
                    (
                        key,
                        {
                            "status": status,
                            "tooltip": _committee_tooltip(
                                name, status, row.get("committee_start_date"), False
                            ),
                        },
                    )
                )
    return markers


# A committee's status in its tooltip ("Alder Welcoming Committee (active since 2019)").
COMMITTEE_STATUS_WORDS: i18n.Translated[str, str] = i18n.Translated(
    {"active": i18n.N_("active"), "forming": i18n.N_("forming")}
)


def _committee_tooltip(name: Any, status: str, start: Any, illustrative: bool) -> str:
    words = COMMITTEE_STATUS_WORDS.get(status, status)
    if as_text(start):
        text = i18n.gettext("{committee} ({status} since {start})").format(
            committee=as_text(name), status=words, start=as_text(start)
        )
    else:
        text = i18n.gettext("{committee} ({status})").format(committee=as_text(name), status=words)
    if illustrative:
        text = i18n.gettext("{text} (illustrative)").format(text=text)
    return escape_text(text)


def _organization_points(
    organizations: pd.DataFrame, frame: pd.DataFrame, points: gpd.GeoSeries
) -> list[tuple[str, list[float], str, str, bool]]:
    """(id, [lat, lon], escaped name, escaped tooltip ending, member) per drawable organization,
    sorted by id (the tooltip is the name then the ending).

    Coordinates are rounded to :data:`COORDINATE_DECIMALS` decimals.
    """
    areas = shapely.area(frame.geometry.to_numpy())  # in square degrees, as the offset is
    size = dict(zip(frame.index, np.sqrt(np.maximum(areas, 0.0)), strict=True))
    ordered = organizations.sort_index()
    column = _column_reader(ordered)
    # Our words after the name (each begins with a space), escaped as the data is.
    illustrative_ending = escape_text(" " + i18n.gettext("(illustrative)"))
    invite_ending = escape_text(" " + i18n.gettext("(not a member — could be invited)"))
    drawn = []
    for org_id, name, sector, lat, lon, where, illustrative, member in zip(
        ordered.index,
        column("name"),
        column("sector"),
        column("lat"),
        column("lon"),
        column("neighborhood"),
        column("illustrative"),
        column("member"),
        strict=True,
    ):
        lat, lon = finite_or_none(lat), finite_or_none(lon)
        if lat is not None and lon is not None:
            location = [lat, lon]
        elif where is not None and where in points.index:
            point = points[where]
            x, y = _offset_point(str(org_id), point.x, point.y, 0.15 * size[where])
            location = [y, x]
        else:
            continue
        member = is_member(member)
        sector = as_text(sector)
        ending = (
            (f" — {escape_text(sector)}" if sector else "")
            + (illustrative_ending if _is_true(illustrative) else "")
            + ("" if member else invite_ending)
        )
        location = [round(v, COORDINATE_DECIMALS) for v in location]
        drawn.append((str(org_id), location, escape_text(name or org_id), ending, member))
    return drawn


__all__ = [
    "MEASURES",
    "MapLayers",
    "escape_text",
    "legend_items",
    "make_offline",
    "neighborhood_map",
    "neighborhood_map_frame",
    "offline_assets",
    "offline_map_html",
    "prepare_map_layers",
    "with_map_measures",
    "write_map_files",
]
