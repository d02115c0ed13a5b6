"""What a received file is, and whether it is safe to open, decided from its bytes before any parser runs.

A renamed .docx, a PDF, a truncated download, a password-protected workbook, an XML entity bomb and a
zip bomb are all turned into a problem here, with a message that says what the file looks like.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import DefusedXmlException, ElementTree

from pipeline.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Names a spreadsheet is saved under: a file with another name that is not a spreadsheet is "not a spreadsheet",
# one with these names that cannot be read is a damaged or renamed workbook.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xltx", ".xltm", ".xls", ".xlt", ".ods", ".fods")
# The password Excel itself uses for "read-only recommended" and protected-structure files: they open without a prompt.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"
BARE_BIFF = "Office сав баглаа боодолгүй хуучин Excel файл / an old Excel file without its Office container"
PRE_1997 = "1997 оноос өмнөх Excel (2.x-4.0) файл / an Excel file from before 1997 (Excel 2.x-4.0)"
# A reader holds a sheet as a dense grid of every cell from A1 to its last value (32 bytes each): one value
# typed at XFD1048576 would ask for 512 GB and end the process. Real plans are far smaller.
MAX_SHEET_CELLS = 20_000_000
# An .xls is held twice while it opens (every cell as a record, then the grid): half the cells fit the same memory.
# POI's 51535.xls (one value at IV65536, 16.7 million cells) otherwise needs more than `max_read_mb`.
MAX_XLS_CELLS = MAX_SHEET_CELLS // 2
MAX_SHEETS = 200
DAMAGED = "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file"


@dataclass(frozen=True)
class Refusal:
    """Why a file cannot be read: a problem code and what the file looks like."""

    code: str  # file-unreadable | file-encrypted | file-unsafe | file-too-large | file-not-spreadsheet
    detail: str
    foreign: bool = False  # the file is something else than a spreadsheet (not a damaged one)


@dataclass(frozen=True)
class Package:
    """A file that passed the checks: its format and what is known about its parts."""

    kind: str  # xlsx | xlsm | xlsb | xls | ods | fods
    has_macros: bool = False
    # For xlsx/xlsm: sheet name -> part name inside the zip (as stored), and the style indices that format percents.
    sheet_parts: dict[str, str] = field(default_factory=dict)
    percent_styles: frozenset[int] = frozenset()
    # What the reader must be given instead of the received file (a decrypted copy, a flat .fods packed as .ods,
    # a package without its Excel 4 macro sheets, an OpenDocument file written again with the usual prefixes);
    # None: the received file as it is.
    prepare: str | None = None
    decrypted: Path | None = None  # the decrypted copy, when the received file was encrypted with Excel's default password
    workbook_part: str = ""  # xlsx/xlsm: the workbook part's stored name
    dropped_sheets: tuple[str, ...] = ()  # relationship ids of the sheets the value reader cannot open
    unplaced: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)  # memo of `sheet_marks`


def is_skipped_name(name: str) -> bool:
    """Excel lock files, hidden and system files are not reports."""
    lowered = name.lower()
    return (
        name.startswith(("~$", ".", "~"))
        or lowered in {"thumbs.db", "desktop.ini"}
        or lowered.endswith((".tmp", ".part", ".crdownload"))
    )


def inspect_file(path: Path, limits: Limits, workdir: Path | None = None) -> Package | Refusal:
    """What the file is. With a `workdir`, a file encrypted with Excel's default password is decrypted there
    and the decrypted copy is what is inspected (and what the reader reads, `Package.decrypted`)."""
    found = _inspect(path, limits, workdir)
    if isinstance(found, Refusal) and found.foreign and path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        # A .csv, .pdf or .docx among the reports: say what it is, not that a workbook is damaged.
        return Refusal("file-not-spreadsheet", found.detail, foreign=True)
    return found


def _inspect(path: Path, limits: Limits, workdir: Path | None) -> Package | Refusal:
    try:
        size = path.stat().st_size
        if size == 0:
            return Refusal("file-unreadable", "файл хоосон, 0 байт / the file is empty", foreign=True)
        if size > limits.max_file_bytes:
            return Refusal("file-too-large", f"{size / 1048576:.1f} MB > {limits.max_file_bytes / 1048576:.0f} MB")
        with path.open("rb") as handle:
            head = handle.read(8)
        if head.startswith(ZIP_MAGIC):
            return _inspect_zip(path, limits)
        if head.startswith(OLE_MAGIC):
            found = _inspect_ole(path)
            if isinstance(found, Refusal) and found.code == "file-encrypted" and workdir is not None:
                return _decrypted(path, limits, workdir) or found
            return found
        if _is_old_biff(head):
            return Refusal("file-unreadable", PRE_1997)
        if _is_bare_biff8(head):
            return Refusal("file-unreadable", BARE_BIFF)
        flat = _inspect_flat_ods(path)
        if flat is not None:
            return flat
        return Refusal("file-unreadable", _describe_foreign(path), foreign=True)
    except OSError as exc:
        return Refusal("file-unreadable", f"файлыг нээж чадсангүй / cannot open: {exc.strerror or exc}")


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
)


def prepared(path: Path, package: Package, workdir: Path) -> Path:
    """The file the value reader is given: the received one, or a copy it can open (see `Package.prepare`)."""
    source = package.decrypted or path
    if package.prepare == "pack-fods":
        # A flat OpenDocument file is the content part of an .ods, whole: the reader takes it packed as one.
        target = workdir / "flat.ods"
        content = source.read_bytes()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
            out.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
            out.writestr("content.xml", _odf_with_usual_prefixes(content) if _odf_unusual_prefixes(content) else content)
        return target
    if package.prepare == "odf-prefixes":
        target = workdir / "usual-prefixes.ods"
        with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename in ("content.xml", "styles.xml") and _odf_unusual_prefixes(data):
                    data = _odf_with_usual_prefixes(data)
                out.writestr(info, data)  # the mimetype part stays first and stored
        return target
    if package.prepare == "rename-stream":
        # Compound-file names compare in upper case, so a change of case keeps the directory's order valid.
        target = workdir / "renamed.xls"
        target.write_bytes(_renamed_stream(source.read_bytes(), package.workbook_part))
        return target
    if package.prepare == "drop-sheets":
        # The reader refuses a whole workbook for one Excel 4 macro sheet, or one sheet whose part is missing:
        # give it the workbook without those.
        target = workdir / "without-some-sheets.xlsx"
        with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename == package.workbook_part:
                    data = without_sheets(data, set(package.dropped_sheets))
                out.writestr(info.filename, data)
        return target
    return source


# A start tag from its "<" to its ">" (quoted values may hold ">"); group 1 is "/" for an empty element.
_START_TAG = re.compile(rb"""<[^\s/>]+(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*(/?)>""")


def without_sheets(data: bytes, ids: set[str]) -> bytes:
    """The workbook part without the `<sheet>` elements whose relationship id is in `ids`, whatever prefixes
    the part binds its namespaces to. The parser finds the elements (by namespace and local name) and where
    they start and end; only those bytes are cut, so every other byte stays as it was written."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: cut in UTF-8, which every reader takes
        text = data.decode("utf-16")
        data = re.sub(r"^(<\?xml[^>]*?)\s+encoding=([\"'])[^\"']*\2", r"\1", text.lstrip("\ufeff")).encode("utf-8")
    parser = _expat_parser()
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []  # (local name, start offset) of the open elements

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        offset = parser.CurrentByteIndex
        if local == "sheet" and stack and stack[-1][0] == "sheets" and _relationship_id(attrs, " ") in ids:
            stack.append(("sheet-dropped", offset))
        else:
            stack.append((local, offset))

    def end(_name: str) -> None:
        local, offset = stack.pop()
        if local != "sheet-dropped":
            return
        tag = _START_TAG.match(data, offset)
        if tag is None:
            raise ValueError("a start tag the parser read and the scan cannot")
        stop = tag.end() if tag.group(1) else data.index(b">", parser.CurrentByteIndex) + 1
        spans.append((offset, stop))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    out, at = bytearray(), 0
    for begin, stop in spans:  # in document order, never nested (a sheet holds no sheet)
        out += data[at:begin]
        at = stop
    return bytes(out + data[at:])


def _expat_parser() -> Any:
    """A namespace-aware expat parser ("uri local" names) that refuses any DTD, as defusedxml's parsers do."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args: Any) -> Any:
        raise ValueError("XML DTD/ENTITY")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


# The relationship namespaces of transitional and strict OOXML: r:id, whatever its prefix.
_RELATIONSHIP_NS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    "http://purl.oclc.org/ooxml/officeDocument/relationships")


def _relationship_id(attrs: dict[str, str], separator: str = "}") -> str:
    """The relationship id among an element's attributes (ElementTree's "{uri}id" or expat's "uri id"): the
    OOXML relationship namespace's `id`, else any namespaced `id` (as the value reader takes it)."""
    found = ""
    for key, value in attrs.items():
        uri, sep, local = key.lstrip("{").rpartition(separator)
        if sep and local == "id":
            if uri in _RELATIONSHIP_NS:
                return value
            found = found or value
    return found


def _renamed_stream(data: bytes, name: str) -> bytes:
    """The compound file with the directory entry `name` spelt the way the value reader looks for it."""
    wanted = ("Workbook" if name.lower() == "workbook" else "Book").encode("utf-16-le")
    raw, patched = name.encode("utf-16-le") + b"\0\0", bytearray(data)
    sector = 1 << struct.unpack_from("<H", data, 30)[0] if len(data) >= 32 else 512
    at = data.find(raw)
    while at != -1:
        # a directory entry: 128-byte aligned in its sector, its name length field agreeing
        if at >= sector and (at - sector) % 128 == 0 and struct.unpack_from("<H", data, at + 64)[0] == len(raw):
            patched[at : at + len(wanted)] = wanted
        at = data.find(raw, at + 1)
    return bytes(patched)


def _is_bare_biff8(head: bytes) -> bool:
    """An Excel 5-2003 worksheet stream saved without its compound-file container (some exporters write these)."""
    if len(head) < 8:
        return False
    kind, length = struct.unpack_from("<HH", head)
    return kind == 0x0809 and 4 <= length <= 20


def _is_old_biff(head: bytes) -> bool:
    """A bare BIFF2/3/4 worksheet or BIFF4 workbook (Excel 2.x-4.0 kept no compound file): a BOF record first."""
    if len(head) < 6:
        return False
    kind, length = struct.unpack_from("<HH", head)
    return kind in (0x0009, 0x0209, 0x0409) and 4 <= length <= 16


def _decrypted(path: Path, limits: Limits, workdir: Path) -> Package | Refusal | None:
    """Decrypt a file protected with Excel's default password (it opens in Excel without a prompt) and inspect the
    copy like any received file; None when it needs a real password."""
    try:
        import msoffcrypto

        target = workdir / ("decrypted" + (path.suffix.lower() or ".bin"))
        with path.open("rb") as source, target.open("wb") as out:
            office = msoffcrypto.OfficeFile(source)
            office.load_key(password=EXCEL_DEFAULT_PASSWORD)
            office.decrypt(out)
    except Exception:  # a real password, or a scheme the tool does not know: the file stays "encrypted"
        return None
    found = _inspect(target, limits, None)
    if isinstance(found, Package):
        return _with(found, decrypted=target)
    return found


def _with(package: Package, **changes: Any) -> Package:
    import dataclasses

    return dataclasses.replace(package, **changes)


_ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODF_SCRIPT = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}"
_ODF_MANIFEST = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}"
_ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
# Every start tag whose local name is "table", whatever its prefix: an upper bound on the sheets, so that the
# parser only counts them where the bound alone does not keep a file under the sheet limit.
_ANY_TABLE_TAG = re.compile(rb"<(?:[^\s<>/!?:=\"']+:)?table[\s>/]")


def _odf_sheets(data: bytes) -> int:
    """How many sheets (table:table elements, by namespace) an OpenDocument content part holds, as far as the
    sheet limit needs to know: the cheap upper bound while it is within the limit, else the parser's count."""
    bound = len(_ANY_TABLE_TAG.findall(data))
    if bound <= MAX_SHEETS:
        return bound
    return sum(1 for _event, element in _events(data, ("start",)) if element.tag == _ODF_TABLE + "table")


def _inspect_flat_ods(path: Path) -> Package | Refusal | None:
    """A flat OpenDocument spreadsheet (.fods, one XML file): read as an .ods once packed, after the DTD check.
    What it is comes from its root element by namespace (any prefix, or none): office:document with the
    spreadsheet mimetype."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if b"opendocument" not in head.replace(b"\0", b""):
        return None  # the office namespace is declared on the root element: not an OpenDocument file
    data = path.read_bytes()
    if _DOCTYPE.search(data):
        return Refusal("file-unsafe", f"{path.name}: XML DTD/ENTITY")
    root = _root_element(data)
    if root is None or root.tag != _ODF_OFFICE + "document" or root.get(_ODF_OFFICE + "mimetype") != _ODS_MIMETYPE:
        return None
    try:
        tables = _odf_sheets(data)
        has_macros = b"module" in data and any(element.tag == _ODF_SCRIPT + "module" for _event, element in _events(data, ("start",)))
    except (ElementTree.ParseError, DefusedXmlException):
        return Refusal("file-unreadable", DAMAGED)
    if tables > MAX_SHEETS:
        return Refusal("file-too-large", f"{tables} хуудас / sheets > {MAX_SHEETS}")
    return Package(kind="fods", has_macros=has_macros, prepare="pack-fods")


# The prefixes OpenDocument writers use: the value reader knows its elements by these, not by namespace.
_ODF_PREFIXES = {
    **{name: f"urn:oasis:names:tc:opendocument:xmlns:{part}:1.0" for name, part in (
        ("office", "office"), ("style", "style"), ("text", "text"), ("table", "table"), ("draw", "drawing"),
        ("fo", "xsl-fo-compatible"), ("number", "datastyle"), ("svg", "svg-compatible"), ("chart", "chart"),
        ("dr3d", "dr3d"), ("form", "form"), ("script", "script"), ("meta", "meta"), ("presentation", "presentation"))},
    "xlink": "http://www.w3.org/1999/xlink", "dc": "http://purl.org/dc/elements/1.1/",
}
_ODF_PREFIX_OF = {uri: prefix for prefix, uri in _ODF_PREFIXES.items()}


def _odf_unusual_prefixes(data: bytes) -> bool:
    """Whether the part's root element binds an OpenDocument namespace to another prefix than the usual one
    (a default namespace included): valid XML the value reader does not understand."""
    try:
        for event, item in _events(data, ("start-ns", "start")):
            if event == "start":
                return False
            prefix, uri = item
            if uri in _ODF_PREFIX_OF and prefix != _ODF_PREFIX_OF[uri]:
                return True
    except (ElementTree.ParseError, DefusedXmlException):
        return False  # the reader says what is wrong
    return False


def _odf_with_usual_prefixes(data: bytes) -> bytes:
    """The same document written again with the usual prefixes (the parser keeps every element, attribute and text)."""
    from xml.etree import ElementTree as StdElementTree

    root = _xml(data)
    for prefix, uri in _ODF_PREFIXES.items():
        StdElementTree.register_namespace(prefix, uri)
    written: bytes = StdElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


def _events(data: bytes, events: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """defusedxml's iterparse over a part (no DTD: those were refused already, and the parser refuses them too):
    (event, element), or (event, (prefix, uri)) for "start-ns"."""
    events_iter: Iterator[tuple[str, Any]] = ElementTree.iterparse(io.BytesIO(data), events, forbid_dtd=True)
    return events_iter


def _root_element(data: bytes) -> Element | None:
    """The root element as the parser reads it (its tag "{uri}local", its attributes), or None if the XML breaks first."""
    try:
        for _event, element in _events(data, ("start",)):
            return element
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    return None


def _describe_foreign(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(2048)
    if path.suffix.lower() in (".csv", ".tsv"):
        return "CSV текст файл, Excel ажлын ном биш / a CSV text file, not a workbook"
    if head.lstrip().startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "Excel 2003 XML хүснэгт / an Excel 2003 XML spreadsheet"
    if head.startswith(b"%PDF"):
        return "PDF баримт бичиг / a PDF document"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "зураг / an image"
    if head.lstrip().lower().startswith((b"<html", b"<!doctype html")):
        return "вэб хуудас / a web page"
    if head.startswith(b"{\\rtf"):
        return "RTF баримт бичиг / an RTF document"
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return "шахсан архив / a compressed archive"
    try:
        head.decode("utf-8")
        return "энгийн текст файл / a plain text file"
    except UnicodeDecodeError:
        return "Excel биш файл / not a spreadsheet"


def _inspect_ole(path: Path) -> Package | Refusal:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            # Stream names are case-insensitive in a compound file (Excel writes "Workbook", others "BOOK", "WORKBOOK").
            streams = {"/".join(entry).lower(): "/".join(entry) for entry in ole.listdir()}
    except Exception:  # olefile raises plain OSError/struct errors on broken files
        return Refusal("file-unreadable", "гэмтсэн Office файл / a damaged Office file")
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return Refusal("file-encrypted", "")
    stream = streams.get("workbook") or streams.get("book")
    if stream is not None:
        if _xls_is_encrypted(path):
            return Refusal("file-encrypted", "")
        oversized = _xls_oversized(path, stream)
        if oversized:
            return oversized
        # The value reader looks for four spellings only; any other case is the same stream to Excel.
        rename = stream not in ("Workbook", "Book", "WORKBOOK", "BOOK")
        return Package(kind="xls", has_macros=any(s.startswith("_vba_project") for s in streams),
                       prepare="rename-stream" if rename else None, workbook_part=stream)
    if "worddocument" in streams:
        return Refusal("file-unreadable", "Word баримт бичиг (.doc) / a Word document", foreign=True)
    if "powerpoint document" in streams:
        return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file", foreign=True)
    if any(s.startswith("__substg1.0_") for s in streams):
        return Refusal("file-unreadable", "Outlook захидал (.msg) / an Outlook message", foreign=True)
    return Refusal("file-unreadable", "Excel биш Office файл / an Office file that is not a workbook", foreign=True)


# BIFF cell records (row, column first): NUMBER, LABEL, RK, BOOLERR, FORMULA, LABELSST, RSTRING, MULRK (to a last column).
_BIFF_CELLS = {0x0203, 0x0204, 0x027E, 0x0205, 0x0006, 0x0406, 0x00FD, 0x00D6, 0x00BD}


def _xls_oversized(path: Path, stream: str) -> Refusal | None:
    """The reader builds every sheet of an .xls as a dense grid when it opens the file: bound their sizes first."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            data = ole.openstream(stream).read()
    except Exception:  # a damaged stream is reported by the reader
        return None
    sheets = total = 0
    max_row = max_col = -1
    pos = 0
    if len(data) >= 8 and struct.unpack_from("<H", data)[0] == 0x0809 and struct.unpack_from("<H", data, 4)[0] < 0x0500:
        return Refusal("file-unreadable", PRE_1997)  # a BIFF4 workbook in a compound file
    in_globals = True
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if in_globals and kind == 0x002F:
            # FILEPASS: the rest of the stream is encrypted; its "records" are noise, not sizes.
            return Refusal("file-encrypted", "")
        if kind == 0x000A:
            in_globals = False
        if kind == 0x0085:
            sheets += 1
        elif kind == 0x0809:
            max_row = max_col = -1
        elif kind in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind == 0x00BD and len(body) >= 6:
                col = struct.unpack_from("<H", body, len(body) - 2)[0]
            max_row, max_col = max(max_row, row), max(max_col, col)
        elif kind == 0x000A and max_row >= 0:
            total += (max_row + 1) * (max_col + 1)
            max_row = max_col = -1
    if sheets > MAX_SHEETS:
        return Refusal("file-too-large", f"{sheets} хуудас / sheets > {MAX_SHEETS}")
    if total > MAX_XLS_CELLS:
        return Refusal("file-too-large", f"{total:,} нүд / cells > {MAX_XLS_CELLS:,}")
    return None


def _xls_is_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with path.open("rb") as handle:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
    except Exception:  # an unreadable stream is reported by the reader, not here
        return False


def part_key(name: str) -> str:
    """A zip part name as OPC compares them: case-insensitive, "/" separated (some writers use "\\"), no leading "/"."""
    return posixpath.normpath(name.replace("\\", "/").lstrip("/")).lower()


class PartIndex:
    """The parts of one zip package by their OPC key, built once: every lookup after it is a dict access."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.infos = archive.infolist()
        self.by_key: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            self.by_key.setdefault(part_key(info.filename), info)

    def __contains__(self, name: str) -> bool:
        return part_key(name) in self.by_key

    def name(self, name: str) -> str | None:
        info = self.by_key.get(part_key(name))
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        return self.archive.read(self.by_key[part_key(name)])


def _xml(data: bytes) -> Element:
    # defusedxml: no DTD, no entity expansion, no external entities (the DTD scan refused those parts already).
    root: Element = ElementTree.fromstring(data, forbid_dtd=True)
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(index: PartIndex, source: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (target part key, type) for the part `source` ("" for the package)."""
    base = posixpath.dirname(source)
    rels = posixpath.join(base, "_rels", posixpath.basename(source) + ".rels") if source else "_rels/.rels"
    if rels not in index:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for element in _xml(index.read(rels)).iter():
        if _local(element.tag) != "Relationship" or element.get("TargetMode", "").lower() == "external":
            continue
        target = element.get("Target", "").replace("\\", "/")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        found[element.get("Id", "")] = (part_key(resolved), element.get("Type", ""))
    return found


# Sheet kinds by relationship type; the value reader cannot open a workbook holding the others (Excel 4 macro
# sheets, dialog sheets), so a copy without them is what it reads.
_READABLE_SHEETS = ("/worksheet", "/chartsheet")


def _inspect_zip(path: Path, limits: Limits) -> Package | Refusal:
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # BadZipFile, and NotImplementedError for a damaged "version needed" field, among others
        return Refusal("file-unreadable", DAMAGED)
    with archive:
        index = PartIndex(archive)
        infos = index.infos
        total = sum(info.file_size for info in infos)
        if total > limits.max_unpacked_bytes:
            return Refusal("file-too-large", f"{total / 1048576:.0f} MB задарна / unpacks to {total / 1048576:.0f} MB")
        for info in infos:
            ratio = info.file_size / info.compress_size if info.compress_size else 0
            if ratio > limits.max_compression_ratio and info.file_size > 1024 * 1024:
                return Refusal("file-too-large", f"{info.filename}: {info.file_size // info.compress_size}x шахалт")
        if "mimetype" in index:
            return _inspect_ods(path, index)
        if "word/document.xml" in index:
            return Refusal("file-unreadable", "Word баримт бичиг (.docx) / a Word document", foreign=True)
        if "ppt/presentation.xml" in index:
            return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file", foreign=True)
        unsafe = _check_parts(path, infos)
        if unsafe:
            return unsafe
        try:
            workbook_part = _workbook_part(index)
            if workbook_part is None:
                return Refusal("file-unreadable", "Excel биш zip архив / a zip archive, not a workbook", foreign=True)
            if workbook_part.endswith(".bin"):
                sheet_count = sum(1 for key in index.by_key if key.startswith("xl/worksheets/") and key.endswith(".bin"))
                if sheet_count > MAX_SHEETS:
                    return Refusal("file-too-large", f"{sheet_count} хуудас / sheets > {MAX_SHEETS}")
                return Package(kind="xlsb", has_macros="xl/vbaproject.bin" in index)
            sheet_parts, macro_sheets, orphans = _sheet_parts(index, workbook_part)
            percent_styles = _percent_styles(index, workbook_part)
        except DefusedXmlException:
            return Refusal("file-unsafe", f"{workbook_part}: XML DTD/ENTITY")
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, ElementTree.ParseError):
            return Refusal("file-unreadable", DAMAGED)
        if len(sheet_parts) > MAX_SHEETS:
            return Refusal("file-too-large", f"{len(sheet_parts)} хуудас / sheets > {MAX_SHEETS}")
        has_macros = bool(macro_sheets) or any(key.endswith("vbaproject.bin") for key in index.by_key)
        # Sheets with no part at all are dropped only while another sheet is left (else: the reader says why).
        dropped = (*macro_sheets, *(orphans if sheet_parts else ()))
        return Package(
            kind="xlsm" if has_macros or path.suffix.lower() in (".xlsm", ".xltm") else "xlsx",
            has_macros=has_macros,
            sheet_parts=sheet_parts,
            percent_styles=percent_styles,
            prepare="drop-sheets" if dropped else None,
            workbook_part=index.name(workbook_part) or workbook_part,
            dropped_sheets=dropped,
        )


# OpenDocument parts no spreadsheet reader opens: macros (StarBasic, scripts) and dialogs. LibreOffice writes
# them with a DTD line, which is harmless here because nothing parses them.
_ODS_MACRO_PARTS = ("basic/", "scripts/", "dialogs/")


def _inspect_ods(path: Path, index: PartIndex) -> Package | Refusal:
    try:
        mimetype = index.read("mimetype")[:100]
    except Exception:  # zipfile raises many kinds on a damaged part
        return Refusal("file-unreadable", DAMAGED)
    if b"opendocument.spreadsheet" not in mimetype:
        return Refusal("file-unreadable", "OpenDocument текст, Excel биш / an OpenDocument file, not a spreadsheet", foreign=True)
    macros = [info for info in index.infos if part_key(info.filename).startswith(_ODS_MACRO_PARTS)]
    unsafe = _check_parts(path, [info for info in index.infos if info not in macros], macros)
    if unsafe:
        return unsafe
    try:
        manifest = _xml(index.read("META-INF/manifest.xml"))
        if any(element.tag == _ODF_MANIFEST + "encryption-data" for element in manifest.iter()):
            return Refusal("file-encrypted", "")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, ElementTree.ParseError):
        pass  # the reader says what is wrong
    has_macros = any(not info.is_dir() and info.file_size > 0 and "script-lb.xml" not in info.filename.lower()
                     and "dialog-lb.xml" not in info.filename.lower() for info in macros)
    try:
        tables = _odf_sheets(index.read("content.xml")) if "content.xml" in index else 0
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, ElementTree.ParseError):
        return Refusal("file-unreadable", DAMAGED)
    if tables > MAX_SHEETS:
        return Refusal("file-too-large", f"{tables} хуудас / sheets > {MAX_SHEETS}")
    try:
        unusual = any(_odf_unusual_prefixes(index.read(part)) for part in ("content.xml", "styles.xml") if part in index)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return Refusal("file-unreadable", DAMAGED)
    return Package(kind="ods", has_macros=has_macros, prepare="odf-prefixes" if unusual else None)


# A DTD in any encoding an XML parser accepts: spreadsheets never need one, entity bombs always do.
_DOCTYPE = re.compile(
    b"|".join(re.escape(word.encode(codec)) for word in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")),
    re.IGNORECASE,
)
_CHUNK = 1 << 20


def _check_parts(path: Path, infos: Sequence[zipfile.ZipInfo], unparsed: Sequence[zipfile.ZipInfo] = ()) -> Refusal | None:
    """Inflate every part once, in bounded chunks, before any parser sees it.

    Refuses a DTD anywhere in a part (a comment can push it past any look at the first bytes only) and a
    part that inflates to more than its header declares (a lying header would defeat the size limits).
    `unparsed` parts, which no reader opens, are checked for their size only.
    """
    try:
        with path.open("rb") as handle:
            for info in infos:
                refusal = _check_part(handle, info)
                if refusal is not None:
                    return refusal
            for info in unparsed:
                refusal = _check_part(handle, info, dtd=False)
                if refusal is not None:
                    return refusal
    except (OSError, zlib.error, struct.error, ValueError, EOFError):
        return Refusal("file-unreadable", DAMAGED)
    return None


def _check_part(handle: BinaryIO, info: zipfile.ZipInfo, *, dtd: bool = True) -> Refusal | None:
    if info.flag_bits & 0x1:
        return Refusal("file-encrypted", "")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return Refusal("file-unreadable", f"{info.filename}: шахалтын үл мэдэгдэх арга / unknown compression {info.compress_type}")
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        raise ValueError("bad local header")
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, produced, tail = info.compress_size, 0, b""
    while True:
        if inflate is not None and inflate.unconsumed_tail:
            data = inflate.decompress(inflate.unconsumed_tail, _CHUNK)
        elif left > 0:
            block = handle.read(min(_CHUNK, left))
            if not block:
                raise EOFError("part cut short")
            left -= len(block)
            data = block if inflate is None else inflate.decompress(block, _CHUNK)
        else:
            return None
        produced += len(data)
        if produced > info.file_size:
            return Refusal("file-too-large", f"{info.filename}: толгойд бичсэнээс их задарна / unpacks to more than its header says")
        window = tail + data
        # Every DTD starts with "<!" (in UTF-8 or UTF-16): only a window holding one needs the full search.
        if dtd and (b"<!" in window or b"<\x00!" in window or b"\x00<\x00!" in window) and _DOCTYPE.search(window):
            return Refusal("file-unsafe", f"{info.filename}: XML DTD/ENTITY")
        tail = window[-32:]


def _workbook_part(index: PartIndex) -> str | None:
    """The key of the workbook part: the package's officeDocument relationship, else where Excel puts it."""
    for target, kind in _relationships(index, "").values():
        if kind.endswith("/officeDocument") and target in index:
            return target
    for fallback in ("xl/workbook.xml", "xl/workbook.bin"):
        if fallback in index:
            return fallback
    return None


def _sheet_parts(index: PartIndex, workbook_part: str) -> tuple[dict[str, str], list[str], list[str]]:
    """(sheet name -> its part's stored name, for every sheet the value reader opens; the relationship ids of
    the sheets it cannot open, such as Excel 4 macro sheets; those of sheets whose relationship is missing)."""
    targets = _relationships(index, workbook_part)
    result: dict[str, str] = {}
    unreadable: list[str] = []
    orphans: list[str] = []
    root = _xml(index.read(workbook_part))
    sheets = [child for parent in root.iter() if _local(parent.tag) == "sheets" for child in parent if _local(child.tag) == "sheet"]
    for element in sheets:
        rid = _relationship_id(element.attrib)  # r:id, whatever its prefix (transitional or strict OOXML namespace)
        target, kind = targets.get(rid, ("", ""))
        if kind and not kind.endswith(_READABLE_SHEETS):
            unreadable.append(rid)
            continue
        if rid not in targets and targets:
            orphans.append(rid)
            continue
        stored = index.name(target) if target else None
        result[element.get("name", "")] = stored or target
    return result, unreadable, orphans


_BUILTIN_PERCENT_FORMATS = {9, 10}


def _percent_styles(index: PartIndex, workbook_part: str) -> frozenset[int]:
    """Indices into cellXfs whose number format shows a percent sign."""
    part = next((target for target, kind in _relationships(index, workbook_part).values() if kind.endswith("/styles")), None)
    if part is None or part not in index:
        part = "xl/styles.xml"
        if part not in index:
            return frozenset()
    styles = _xml(index.read(part))
    percent_formats = set(_BUILTIN_PERCENT_FORMATS)
    for element in styles.iter():
        if _local(element.tag) != "numFmt":
            continue
        # A quoted or escaped "%" only prints the sign; a bare one scales the value by 100.
        code = re.sub(r'"[^"]*"|\\.', "", element.get("formatCode", ""))
        if "%" in code:
            try:
                percent_formats.add(int(element.get("numFmtId", "-1")))
            except ValueError:
                continue
    cell_xfs = next((element for element in styles.iter() if _local(element.tag) == "cellXfs"), None)
    if cell_xfs is None:
        return frozenset()
    result = set()
    for position, xf in enumerate(child for child in cell_xfs if _local(child.tag) == "xf"):
        try:
            if int(xf.get("numFmtId", "0")) in percent_formats:
                result.add(position)
        except ValueError:
            continue
    return frozenset(result)


# An element's attributes, quoted values may hold ">".
_ATTRS = rb"""((?:[^>"']|"[^"]*"|'[^']*')*?)"""
_TAG = re.compile(rb"<(?:\w+:)?(row|c)\b" + _ATTRS + rb"(/?)>")
_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')
_ROW_REF = re.compile(rb'\br="(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
# A cell with a body; the body never crosses into another cell, so the scan stays linear on any input.
_CELL_BODY = re.compile(rb"<(?:\w+:)?c\b" + _ATTRS + rb"(?<!/)>((?:[^<]|<(?!/?(?:\w+:)?c[\s>/]))*)</(?:\w+:)?c>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


def column_index(letters: bytes | str) -> int:
    """0-based column index of column letters ("A" -> 0, "AA" -> 26)."""
    index = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        index = index * 26 + ord(char) - 64
    return index - 1


@dataclass(frozen=True)
class SheetMarks:
    """What the value reader cannot see or should not be asked: percent formats, formulas without a value,
    and how large a grid the sheet's values span (an upper bound, in cells)."""

    percent_cells: frozenset[tuple[int, int]]  # 0-based (row, column)
    formulas_without_value: tuple[tuple[int, int], ...]
    extent: tuple[int, int] = (0, 0)  # rows, columns of the grid from A1 to the last value

    @property
    def cells(self) -> int:
        return self.extent[0] * self.extent[1]


def sheet_marks(path: Path, package: Package, sheet: str) -> SheetMarks:
    if package.kind not in ("xlsx", "xlsm"):
        return SheetMarks(frozenset(), ())
    part = package.sheet_parts.get(sheet)
    with zipfile.ZipFile(package.decrypted or path) as archive:
        index = PartIndex(archive)
        if part is None or part not in index:
            # A sheet whose part this scan cannot place may still be read: bound it by the largest sheet-like part,
            # found once per workbook (each sheet scanning every part made many-sheet workbooks quadratic).
            if not package.unplaced:
                extents = [_scan_cells(index.read(info.filename), frozenset())[1] for info in index.infos if _is_sheet_like(archive, info)]
                package.unplaced["largest"] = max(extents, key=lambda e: e[0] * e[1], default=(0, 0))
            return SheetMarks(frozenset(), (), package.unplaced["largest"])
        xml = index.read(part)
    plain = _scan_plain_cells(xml, package.percent_styles)
    if plain is not None and b":f" not in xml:
        percent, extent = plain
        return SheetMarks(frozenset(percent), tuple(_formulas_without_value(xml)), extent)
    parsed = _parse_cells(xml, package.percent_styles)
    if parsed is None:  # XML the parser cannot read: the tolerant tag scan still bounds the grid
        percent, extent = _scan_every_tag(xml, package.percent_styles)
        return SheetMarks(frozenset(percent), tuple(_formulas_without_value(xml)), extent)
    percent, extent, formulas = parsed
    return SheetMarks(frozenset(percent), tuple(formulas), extent)


def _is_sheet_like(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with archive.open(info) as handle:
        head = handle.read(4096)
    return b"sheetData" in head or (b"<" in head[:200] and b"sheetData" in archive.read(info))


# The common shape, as Excel, LibreOffice and xlsxwriter write it: every cell and row carries its reference.


def _scan_cells(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """Percent-formatted cells, and the grid the values span as a reader places them (an upper bound)."""
    plain = _scan_plain_cells(xml, percent_styles)
    if plain is not None:
        return plain
    parsed = _parse_cells(xml, percent_styles)
    return parsed[:2] if parsed is not None else _scan_every_tag(xml, percent_styles)


# A start tag of a row or cell in a namespace bound to a prefix (any prefix an XML name allows).
_PREFIXED_CELL_TAG = re.compile(rb"<[^\s<>/!?:=\"']+:(?:c|row)[\s/>]")
_SPACED_TAGS = tuple(tag + space for tag in (b"<c", b"<row") for space in (b"\t", b"\n", b"\r"))


_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')


def _scan_plain_cells(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]] | None:
    """The fast scan, for sheets whose every cell and row names its place; None for any other sheet.
    The work per cell stays in the regex engine: only distinct column letters and percent cells reach Python."""
    if (b":c" in xml or b":row" in xml) and _PREFIXED_CELL_TAG.search(xml):
        return None  # namespace-prefixed tags: the parser's way
    if any(tag in xml for tag in _SPACED_TAGS):
        return None  # a tab or line break after the tag name: the patterns below expect a space
    if xml.count(b"<c ") + xml.count(b"<c>") != xml.count(b'<c r="') or xml.count(b"<row ") + xml.count(b"<row>") != xml.count(b'<row r="'):
        return None
    filled = _FILLED_CELL.findall(xml)  # cells with a value; formatted empty cells end in "/>"
    if not filled:
        return set(), (0, 0)
    letters = {cell[0] for cell in filled}
    max_letters = max(letters, key=lambda b: (len(b), b))
    max_row = max(map(int, {cell[1] for cell in filled}))
    percent: set[tuple[int, int]] = set()
    if percent_styles:
        styles = b"|".join(str(i).encode() for i in sorted(percent_styles))
        pattern = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\ss="(?:' + styles + rb')"[^>]*(?<!/)>')
        percent = {(int(row) - 1, column_index(col)) for col, row in pattern.findall(xml)}
    return percent, (max_row, column_index(max_letters) + 1)


_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")


def _parse_cells(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int], list[tuple[int, int]]] | None:
    """Percent-formatted cells, the grid the values span and the formulas without a value, read by the parser:
    rows and cells by local name whatever their namespace's prefix, a row or cell without a reference after
    the one before it, as the value reader places them. None for XML the parser cannot read. The sheets that
    come here are the unusual ones (prefixes, cells without references); the common shape is scanned."""
    percent: set[tuple[int, int]] = set()
    formulas: list[tuple[int, int]] = []
    row = col = -1
    max_row = max_col = -1
    open_elements: list[Element] = []
    try:
        for event, element in _events(xml, ("start", "end")):
            if event == "start":
                open_elements.append(element)
            else:
                open_elements.pop()
            local = element.tag.rpartition("}")[2]
            if local == "row":
                if event == "start":
                    ref = element.get("r", "")
                    row = int(ref) - 1 if ref.isdecimal() and 0 < len(ref) <= 7 else row + 1
                    col = -1
                elif open_elements:
                    open_elements[-1].remove(element)  # the row is done: neither it nor its cells need memory
                continue
            if local != "c":
                continue
            if event == "start":
                ref_match = _CELL_REF.fullmatch(element.get("r", ""))
                if ref_match:
                    row, col = int(ref_match.group(2)) - 1, column_index(ref_match.group(1))
                else:
                    col += 1
                if percent_styles and element.get("s", "").isdecimal() and int(element.get("s", "")) in percent_styles:
                    percent.add((row, col))
                continue
            children = {child.tag.rpartition("}")[2]: child for child in element}
            if children or element.text:
                max_row, max_col = max(max_row, row), max(max_col, col)
            if "f" in children:
                value = children.get("v")
                if value is not None and value.text:
                    continue
                if value is not None and element.get("t") == "str":
                    continue  # a formula whose saved value is the empty string is a value, not a missing one
                formulas.append((row, col))
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    return percent, (max_row + 1, max_col + 1), formulas


def _scan_every_tag(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """Percent-formatted cells and the grid the values span, tag by tag: a row or cell without a reference
    follows the one before it, as the reader places them. For XML the parser cannot read."""
    percent: set[tuple[int, int]] = set()
    row = col = -1
    max_row = max_col = -1
    for match in _TAG.finditer(xml):
        name, attrs, empty = match.groups()
        if name == b"row":
            ref = _ROW_REF.search(attrs)
            row = int(ref.group(1)) - 1 if ref else row + 1
            col = -1
            continue
        ref = _REF.search(attrs)
        if ref:
            row, col = int(ref.group(2)) - 1, column_index(ref.group(1))
        else:
            col += 1
        if not empty:
            max_row, max_col = max(max_row, row), max(max_col, col)
        if percent_styles:
            style = _STYLE.search(attrs)
            if style and int(style.group(1)) in percent_styles:
                percent.add((row, col))
    return percent, (max_row + 1, max_col + 1)


_OPEN_CELL = re.compile(rb"<c\b" + _ATTRS + rb"(?<!/)>")


def _formula_cells(xml: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(attributes, body) of the cells that may hold a formula. Unprefixed sheets: only the cells around each
    `<f`, found by looking back from it and cut at their `</c>`, so large text values are never walked."""
    if b":c " in xml or b":c>" in xml or b":f" in xml:
        for match in _CELL_BODY.finditer(xml):
            yield match.group(1), match.group(2)
        return
    done = 0
    for formula in re.finditer(rb"<f[\s>/]", xml):
        if formula.start() < done:
            continue  # a second <f> in a cell already looked at
        start = max(xml.rfind(b"<c ", done, formula.start()), xml.rfind(b"<c>", done, formula.start()))
        tag = _OPEN_CELL.match(xml, start) if start >= 0 else None
        if tag is None or tag.end() > formula.start():
            continue
        close = xml.find(b"</c>", formula.start())  # a value holds no "<": the first close is the cell's
        if close < 0:
            return
        done = close
        yield tag.group(1), xml[tag.end() : close]


def _formulas_without_value(xml: bytes) -> Iterator[tuple[int, int]]:
    if b"<f" not in xml and b":f" not in xml:
        return
    for attrs, body in _formula_cells(xml):
        if _FORMULA.search(body) and not re.search(rb"<(?:\w+:)?v>[^<]", body):
            if b't="str"' in attrs and re.search(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v></", body):
                # a formula whose saved value is the empty string is a value, not a missing one
                continue
            ref = _REF.search(attrs)
            if ref:
                yield int(ref.group(2)) - 1, column_index(ref.group(1))


_DCTERMS = "http://purl.org/dc/terms/ "  # expat's "uri local" names


def saved_time(path: Path) -> str | None:
    """When the workbook was last saved, from its document properties (ISO 8601), if it says: dcterms:modified,
    else dcterms:created, found by namespace whatever the part's prefixes. Read by expat itself (no DTD, as
    defusedxml's parsers; its tree is not needed): this runs for every file."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as handle:
            core = handle.read(20000)  # never the whole part: it may be a bomb in a file refused for it
    except Exception:  # zipfile raises many kinds on a damaged part; the time is only a hint
        return None
    found: dict[str, str] = {}
    text: list[str] = []
    parser = _expat_parser()

    def start(name: str, _attrs: dict[str, str]) -> None:
        text.clear()

    def end(name: str) -> None:
        if name in (_DCTERMS + "modified", _DCTERMS + "created") and "".join(text).strip():
            found.setdefault(name, "".join(text).strip())
        text.clear()

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text.append
    with contextlib.suppress(expat.ExpatError, ValueError):  # a part cut at 20,000 bytes, or broken: what was read counts
        parser.Parse(core, True)
    return found.get(_DCTERMS + "modified") or found.get(_DCTERMS + "created")


def xml_defences_active() -> bool:
    """Whether openpyxl would parse through defusedxml (its own rule, without importing openpyxl at start)."""
    import importlib.util
    import os

    return importlib.util.find_spec("defusedxml") is not None and os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"
