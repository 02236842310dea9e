"""What the dashboard's server sends to a browser, and what a browser can send back.

The browser tests of roles (``tests/test_browser_roles.py``) read everything a signed-in account
receives, not only what is drawn: a table drawn on a canvas, a map's popups, a download and the
messages of Streamlit's WebSocket all reach the browser, so a hidden count must be absent from
all of them. :class:`WireTap` sits on the page's WebSocket (Playwright's ``route_web_socket``):
it passes every message on, keeps a copy, and can send a message to the server as if the page
had sent it (a replayed widget action). :func:`wire_texts` turns Streamlit's messages into the
texts they hold (Arrow tables cell by cell); :func:`file_texts` does the same for a download.

Nothing here imports streamlit's runtime: only its protobuf message classes.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

STREAM = "**/_stcore/stream"


def _arrow_cells(data: bytes) -> list[str] | None:
    """The cells (and column names) of an Arrow IPC stream or file, as text; None if not Arrow."""
    import pyarrow as pa

    for opener in (pa.ipc.open_stream, pa.ipc.open_file):
        try:
            table = opener(pa.BufferReader(data)).read_all()
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, ValueError):
            continue
        cells = [str(name) for name in table.column_names]
        for name, column in zip(table.column_names, table.columns, strict=True):
            cells += [f"{name}={value}" for value in column.to_pylist() if value is not None]
        for key, value in (table.schema.metadata or {}).items():  # pandas index, column labels
            cells += [key.decode("utf-8", "replace"), value.decode("utf-8", "replace")]
        return cells
    return None


def _message_texts(message: Any) -> Iterator[str]:
    """Every string in a protobuf message, recursively; bytes as Arrow cells or UTF-8 text."""
    from google.protobuf.descriptor import FieldDescriptor

    for descriptor, value in message.ListFields():
        if descriptor.type == FieldDescriptor.TYPE_MESSAGE and (
            descriptor.message_type.GetOptions().map_entry
        ):
            for key in value:
                yield str(key)
                entry = value[key]
                yield from _message_texts(entry) if hasattr(entry, "ListFields") else [str(entry)]
            continue
        values = value if _repeated(descriptor) else [value]
        for item in values:
            if descriptor.type == FieldDescriptor.TYPE_MESSAGE:
                yield from _message_texts(item)
            elif descriptor.type == FieldDescriptor.TYPE_STRING:
                yield item
            elif descriptor.type == FieldDescriptor.TYPE_BYTES:
                cells = _arrow_cells(item)
                yield from cells if cells is not None else [item.decode("utf-8", "replace")]
            elif descriptor.type in _NUMBERS:
                yield str(item)


def _repeated(descriptor: Any) -> bool:
    # protobuf 6 renamed `label` checks to `is_repeated`; accept both.
    repeated = getattr(descriptor, "is_repeated", None)
    if repeated is not None:
        return bool(repeated)
    return descriptor.label == descriptor.LABEL_REPEATED


def _numbers() -> frozenset[int]:
    from google.protobuf.descriptor import FieldDescriptor as F

    return frozenset(
        {F.TYPE_INT32, F.TYPE_INT64, F.TYPE_UINT32, F.TYPE_UINT64, F.TYPE_SINT32, F.TYPE_SINT64}
        | {F.TYPE_DOUBLE, F.TYPE_FLOAT}
    )


_NUMBERS = _numbers()


def wire_texts(data: bytes) -> list[str]:
    """The texts of one message the server sent (a serialized ``ForwardMsg``).

    Examples
    --------
    >>> from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    >>> msg = ForwardMsg()
    >>> msg.delta.new_element.markdown.body = "Of the 3 residents"
    >>> "Of the 3 residents" in wire_texts(msg.SerializeToString())
    True
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg()
    message.ParseFromString(data)
    return list(_message_texts(message))


def back_message(data: bytes) -> Any:
    """A message a browser sent (a ``BackMsg``), parsed."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.ParseFromString(data)
    return message


def file_texts(name: str, data: bytes) -> list[str]:
    """The texts in a downloaded file; cells of a table as ``column=value``.

    Zip members are read in turn; CSV files, workbooks, GeoPackages (SQLite), GeoJSON, GraphML
    and GEXF cell by cell; anything else as text.

    Examples
    --------
    >>> file_texts("a.csv", b"name,residents\\nA,3\\n")
    ['name=A', 'residents=3']
    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as z:
    ...     z.writestr("t.txt", "x 7")
    >>> file_texts("all.zip", buffer.getvalue())
    ['t.txt', 'x 7']
    """
    suffix = PurePosixPath(name.lower()).suffix
    if suffix == ".xlsx":
        return _workbook_texts(data)
    if suffix == ".gpkg" or data[:16] == b"SQLite format 3\x00":
        return _sqlite_texts(data)
    if zipfile.is_zipfile(io.BytesIO(data)):
        texts: list[str] = []
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                texts.append(member)
                texts += file_texts(member, archive.read(member))
        return texts
    text = data.decode("utf-8-sig", "replace")
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(text)))
        return [f"{h}={v}" for row in rows[1:] for h, v in zip(rows[0], row, strict=False) if v]
    if suffix in (".geojson", ".json"):
        return [text, *_json_cells(json.loads(text))]
    if suffix in (".graphml", ".gexf"):
        return [text, *_xml_cells(text)]
    return [text]


def _json_cells(value: Any, key: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _json_cells(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _json_cells(v, key)
    elif value is not None:
        yield f"{key}={value}"


def _xml_cells(text: str) -> Iterator[str]:
    """GraphML ``<data key=…>`` and GEXF ``<attvalue for=…>`` values, by attribute name."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(text.encode())
    names: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "key" and "id" in element.attrib:  # GraphML
            names[element.attrib["id"]] = element.attrib.get("attr.name", element.attrib["id"])
        elif tag == "attribute" and "id" in element.attrib:  # GEXF
            names[element.attrib["id"]] = element.attrib.get("title", element.attrib["id"])
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "data" and element.text:
            yield f"{names.get(element.attrib.get('key', ''), '?')}={element.text}"
        elif tag == "attvalue":
            name = names.get(element.attrib.get("for", ""), "?")
            yield f"{name}={element.attrib.get('value', '')}"


def _workbook_texts(data: bytes) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    texts: list[str] = []
    for sheet in book.worksheets:
        texts.append(sheet.title)
        rows = list(sheet.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]] if rows else []
        for row in rows[1:]:
            texts += [f"{h}={v}" for h, v in zip(header, row, strict=False) if v is not None]
    return texts


def _sqlite_texts(data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.sqlite"
        path.write_bytes(data)
        connection = sqlite3.connect(path)
        try:
            tables = [
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            texts = list(tables)
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                cursor = connection.execute(f"SELECT * FROM {quoted}")
                columns = [d[0] for d in cursor.description]
                for row in cursor:
                    texts += [
                        f"{c}=" + (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
                        for c, v in zip(columns, row, strict=True)
                        if v is not None
                    ]
        finally:
            connection.close()
    return texts


@dataclass
class WireTap:
    """The page's WebSocket to Streamlit, passed through, copied, and open to replays.

    ``received`` holds every message the server sent, ``sent`` every message the page sent (in
    order). :meth:`inject` sends bytes to the server as the page would. Attach before the page
    opens the dashboard.

    Examples
    --------
    >>> tap = WireTap()
    >>> tap.attach(page)  # doctest: +SKIP
    """

    received: list[bytes] = field(default_factory=list)
    sent: list[bytes] = field(default_factory=list)
    _server: Any = None

    def attach(self, page: Any) -> None:
        page.route_web_socket(STREAM, self._route)

    def _route(self, socket: Any) -> None:
        server = socket.connect_to_server()
        self._server = server

        def to_server(message: str | bytes) -> None:
            self.sent.append(message if isinstance(message, bytes) else message.encode())
            server.send(message)

        def to_page(message: str | bytes) -> None:
            self.received.append(message if isinstance(message, bytes) else message.encode())
            socket.send(message)

        socket.on_message(to_server)
        server.on_message(to_page)

    def inject(self, message: bytes) -> None:
        """Send ``message`` to the server as if the page had sent it (the page's own socket)."""
        if self._server is None:
            raise RuntimeError("The page has not opened its WebSocket yet.")
        self._server.send(message)

    def finished_since(self, since: int) -> bool:
        """Whether a script run ended (Streamlit's ``script_finished``) after message ``since``."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        for data in self.received[since:]:
            message = ForwardMsg()
            message.ParseFromString(data)
            if message.HasField("script_finished"):
                return True
        return False

    def send_and_wait(self, page: Any, message: bytes, timeout_ms: int = 60_000) -> None:
        """Send ``message`` as the page would, and wait until the run it asks for has ended.

        Waits with the page's own clock (Playwright passes the WebSocket's messages on only
        while the test waits through it).
        """
        since = len(self.received)
        self.inject(message)
        waited = 0
        while not self.finished_since(since):
            if waited > timeout_ms:
                raise TimeoutError("the server never finished the run this message asked for")
            page.wait_for_timeout(100)
            waited += 100

    def mark(self) -> int:
        """How many messages were received so far (to read only what comes after)."""
        return len(self.received)

    def texts(self, since: int = 0) -> list[str]:
        return [text for data in self.received[since:] for text in wire_texts(data)]

    def reruns(self) -> list[bytes]:
        """The page's messages that asked the server to run the script (widget actions)."""
        return [data for data in self.sent if back_message(data).HasField("rerun_script")]


def joined(texts: Iterable[str]) -> str:
    return "\n".join(texts)
