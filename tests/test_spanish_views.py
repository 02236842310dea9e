"""The words drawn inside the network and map views, in Spanish (issue 11).

The pages' own texts are checked by ``tests/test_i18n.py`` (AppTest) and
``tests/test_browser_spanish.py``; neither reads inside the views' frames. Here the tiny city's
network view and neighborhood map are built in Spanish and every word the tool writes in them —
the legend, each node's and tie's tooltip, each neighborhood's tooltip, the layer names — must
hold no English word (:data:`test_i18n.ENGLISH_WORDS`) once the city's own strings are cut out,
while the English views keep their English. Data stays escaped: an organization named like
markup shows as text in both languages.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pytest
from test_i18n import data_strings, english_left
from tiny_city import make_tiny_city

from coalition import i18n, maps, model, network_view

_TITLE = re.compile(r'"title": ("(?:[^"\\]|\\.)*")')
_BOX = re.compile(r"box\.innerHTML = (\"(?:[^\"\\]|\\.)*\");")
_AREA_VALUES = re.compile(r'(\{"head": .*?\})\);', re.S)
_OVERLAY_NAME = re.compile(r'^\s*"([^"]+)" : (?:feature_group|point_layer|outline_layer)', re.M)
_TOOLTIP = re.compile(r"bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`", re.S)


class _Text(HTMLParser):
    """The text of an HTML fragment, one line per element; with ``inside``, only the text
    inside the first ``div`` of that class (the network's legend)."""

    def __init__(self, inside: str | None = None) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.inside = inside
        self.depth = 0 if inside else 1

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag != "div" or not self.inside:
            return
        if self.depth or ("class", self.inside) in attrs:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self.inside and self.depth:
            self.depth -= 1
            if not self.depth:
                self.inside = "(done)"

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.lines.append(data.strip())


def text_lines(fragment: str, inside: str | None = None) -> list[str]:
    parser = _Text(inside)
    parser.feed(fragment)
    return parser.lines


@pytest.fixture(scope="module")
def tiny():
    city = make_tiny_city()
    G = model.build_graph(city)
    # An organization that is not a member, with a name like markup: drawn hollow, shown as text.
    G.add_node(
        "zz",
        kind="organization",
        name="<b>Zed</b> & Co",
        sector="nonprofit",
        member=False,
        orientation="immigrant_serving",
        services=["legal"],
    )
    return G, [*data_strings(city), "<b>Zed</b> & Co"]


def network_words(G, lang: str) -> list[str]:
    """Every tooltip line and legend line of the network view of ``G`` in a language."""
    positions = network_view.layout_positions(G, seed=1, geographic=True)
    first = next(n for n, d in G.nodes(data=True) if d.get("kind") == "organization")
    with i18n.using(lang):
        page = network_view.network_html(
            G,
            positions,
            color_by="orientation",
            highlight_nodes={first: i18n.gettext("the organization you chose")},
            new_ties=set(),
            ended_ties=[],
            changes_label="March",
        )
    lines = [
        line
        for title in _TITLE.findall(page)
        for line in html.unescape(json.loads(title)).split("\n")
    ]
    legend = text_lines(page, inside="wbh-legend")
    assert legend, "no legend drawn"
    lines += legend
    assert f'<html lang="{lang}">' in page
    return lines


def map_words(G, lang: str) -> list[str]:
    """The legend, the neighborhoods' and committees' tooltips and the layer names of the map."""
    with i18n.using(lang):
        frame = maps.neighborhood_map_frame(G)
        built = maps.neighborhood_map(
            frame,
            "committee_status",
            organizations=model.nodes_frame(G, model.ORGANIZATION),
            committees=model.nodes_frame(G, model.COMMITTEE),
            title=maps.MEASURES["committee_status"],
        )
        page = built.get_root().render()
    lines = [line for box in _BOX.findall(page) for line in text_lines(json.loads(box))]
    for values in _AREA_VALUES.findall(page):
        area = json.loads(values)
        for text in [*area["head"], *area["sources"], area["illustrativeText"]]:
            lines += [html.unescape(part) for part in re.split(r"<[^>]+>", text) if part.strip()]
    lines += _OVERLAY_NAME.findall(page)
    lines += [html.unescape(tip) for tip in _TOOLTIP.findall(page)]
    return lines


def test_the_network_view_speaks_spanish(tiny):
    G, data = tiny
    spanish = network_words(G, "es")
    assert len(spanish) > 20, spanish
    assert english_left(spanish, data) == []
    assert "No es miembro — se le podría invitar (hueco)" in spanish
    assert "Resaltado: la organización que eligió" in spanish
    assert "Orientación: atiende a inmigrantes" in spanish
    assert "<b>Zed</b> & Co" in spanish  # the data as written, as text
    english = network_words(G, "en")
    assert "Not a member — could be invited (hollow)" in english
    assert english_left(english, data), "the English view lost its English"


def test_the_map_speaks_spanish(tiny):
    G, data = tiny
    spanish = map_words(G, "es")
    assert len(spanish) > 10, spanish
    assert english_left(spanish, data) == []
    assert "Comité activo" in spanish and "Organizaciones" in spanish
    assert any(line.startswith("Fuente: ") for line in spanish)
    english = map_words(G, "en")
    assert "Active committee" in english
    assert english_left(english, data), "the English map lost its English"
