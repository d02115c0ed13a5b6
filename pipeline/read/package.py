"""What a received file is, and whether it is safe to open, decided from its bytes before any parser runs.

A renamed .docx, a PDF, a truncated download, a password-protected workbook, an XML entity bomb and a
zip bomb are all turned into a problem here, with a message that says what the file looks like.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from pipeline.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# A reader holds a sheet as a dense grid of every cell from A1 to its last value (32 bytes each): one value
# typed at XFD1048576 would ask for 512 GB and end the process. Real plans are far smaller.
MAX_SHEET_CELLS = 20_000_000
MAX_SHEETS = 200
DAMAGED = "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file"


@dataclass(frozen=True)
class Refusal:
    """Why a file cannot be read: a problem code and what the file looks like."""

    code: str  # file-unreadable | file-encrypted | file-unsafe | file-too-large
    detail: str


@dataclass(frozen=True)
class Package:
    """A file that passed the checks: its format and what is known about its parts."""

    kind: str  # xlsx | xlsm | xls | ods
    has_macros: bool = False
    # For xlsx/xlsm: sheet name -> part path inside the zip, and the style indices that format percents.
    sheet_parts: dict[str, str] = field(default_factory=dict)
    percent_styles: frozenset[int] = frozenset()


def is_skipped_name(name: str) -> bool:
    """Excel lock files, hidden and system files are not reports."""
    lowered = name.lower()
    return (
        name.startswith(("~$", ".", "~"))
        or lowered in {"thumbs.db", "desktop.ini"}
        or lowered.endswith((".tmp", ".part", ".crdownload"))
    )


def inspect_file(path: Path, limits: Limits) -> Package | Refusal:
    try:
        size = path.stat().st_size
        if size == 0:
            return Refusal("file-unreadable", "файл хоосон, 0 байт / the file is empty")
        if size > limits.max_file_bytes:
            return Refusal("file-too-large", f"{size / 1048576:.1f} MB > {limits.max_file_bytes / 1048576:.0f} MB")
        with path.open("rb") as handle:
            head = handle.read(8)
        if head.startswith(ZIP_MAGIC):
            return _inspect_zip(path, limits)
        if head.startswith(OLE_MAGIC):
            return _inspect_ole(path)
        return Refusal("file-unreadable", _describe_foreign(path))
    except OSError as exc:
        return Refusal("file-unreadable", f"файлыг нээж чадсангүй / cannot open: {exc.strerror or exc}")


def _describe_foreign(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(2048)
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
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception as exc:  # olefile raises plain OSError/struct errors on broken files
        return Refusal("file-unreadable", f"гэмтсэн Office файл / a damaged Office file ({type(exc).__name__})")
    if "EncryptionInfo" in streams or "EncryptedPackage" in streams:
        return Refusal("file-encrypted", "")
    if "Workbook" in streams or "Book" in streams:
        if _xls_is_encrypted(path):
            return Refusal("file-encrypted", "")
        oversized = _xls_oversized(path, "Workbook" if "Workbook" in streams else "Book")
        if oversized:
            return oversized
        return Package(kind="xls", has_macros=any(s.startswith("_VBA_PROJECT") for s in streams))
    if "WordDocument" in streams:
        return Refusal("file-unreadable", "Word баримт бичиг (.doc) / a Word document")
    if "PowerPoint Document" in streams:
        return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file")
    if any(s.startswith("__substg1.0_") for s in streams):
        return Refusal("file-unreadable", "Outlook захидал (.msg) / an Outlook message")
    return Refusal("file-unreadable", "Excel биш Office файл / an Office file that is not a workbook")


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
    while pos + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, pos)
        body = data[pos + 4 : pos + 4 + size]
        pos += 4 + size
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
    if total > MAX_SHEET_CELLS:
        return Refusal("file-too-large", f"{total:,} нүд / cells > {MAX_SHEET_CELLS:,}")
    return None


def _xls_is_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with path.open("rb") as handle:
            return bool(msoffcrypto.OfficeFile(handle).is_encrypted())
    except Exception:  # an unreadable stream is reported by the reader, not here
        return False


def _inspect_zip(path: Path, limits: Limits) -> Package | Refusal:
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # BadZipFile, and NotImplementedError for a damaged "version needed" field, among others
        return Refusal("file-unreadable", DAMAGED)
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        total = sum(info.file_size for info in infos)
        if total > limits.max_unpacked_bytes:
            return Refusal("file-too-large", f"{total / 1048576:.0f} MB задарна / unpacks to {total / 1048576:.0f} MB")
        for info in infos:
            ratio = info.file_size / info.compress_size if info.compress_size else 0
            if ratio > limits.max_compression_ratio and info.file_size > 1024 * 1024:
                return Refusal("file-too-large", f"{info.filename}: {info.file_size // info.compress_size}x шахалт")
        if "mimetype" in names:
            try:
                with archive.open("mimetype") as handle:
                    mimetype = handle.read(100)
            except Exception:  # zipfile raises many kinds on a damaged part
                return Refusal("file-unreadable", DAMAGED)
            if b"opendocument.spreadsheet" in mimetype:
                return _check_parts(path, infos) or Package(kind="ods")
            return Refusal("file-unreadable", "OpenDocument текст, Excel биш / an OpenDocument file, not a spreadsheet")
        if "word/document.xml" in names:
            return Refusal("file-unreadable", "Word баримт бичиг (.docx) / a Word document")
        if "ppt/presentation.xml" in names:
            return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file")
        unsafe = _check_parts(path, infos)
        if unsafe:
            return unsafe
        try:
            workbook_part = _workbook_part(archive, names)
            if workbook_part is None:
                return Refusal("file-unreadable", "Excel биш zip архив / a zip archive, not a workbook")
            sheet_parts = _sheet_parts(archive, workbook_part)
            percent_styles = _percent_styles(archive, names)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return Refusal("file-unreadable", DAMAGED)
        if len(sheet_parts) > MAX_SHEETS:
            return Refusal("file-too-large", f"{len(sheet_parts)} хуудас / sheets > {MAX_SHEETS}")
        has_macros = any(name.lower().endswith("vbaproject.bin") for name in names)
        return Package(
            kind="xlsm" if has_macros or path.suffix.lower() == ".xlsm" else "xlsx",
            has_macros=has_macros,
            sheet_parts=sheet_parts,
            percent_styles=percent_styles,
        )


# A DTD in any encoding an XML parser accepts: spreadsheets never need one, entity bombs always do.
_DOCTYPE = re.compile(
    b"|".join(re.escape(word.encode(codec)) for word in ("<!DOCTYPE", "<!ENTITY") for codec in ("utf-8", "utf-16-le", "utf-16-be")),
    re.IGNORECASE,
)
_CHUNK = 1 << 20


def _check_parts(path: Path, infos: list[zipfile.ZipInfo]) -> Refusal | None:
    """Inflate every part once, in bounded chunks, before any parser sees it.

    Refuses a DTD anywhere in a part (a comment can push it past any look at the first bytes only) and a
    part that inflates to more than its header declares (a lying header would defeat the size limits).
    """
    try:
        with path.open("rb") as handle:
            for info in infos:
                refusal = _check_part(handle, info)
                if refusal is not None:
                    return refusal
    except (OSError, zlib.error, struct.error, ValueError, EOFError):
        return Refusal("file-unreadable", DAMAGED)
    return None


def _check_part(handle: BinaryIO, info: zipfile.ZipInfo) -> Refusal | None:
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
        if (b"<!" in window or b"<\x00!" in window or b"\x00<\x00!" in window) and _DOCTYPE.search(window):
            return Refusal("file-unsafe", f"{info.filename}: XML DTD/ENTITY")
        tail = window[-32:]


def _workbook_part(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" in names:
        rels = archive.read("_rels/.rels")
        for target in re.findall(rb'Target="([^"]+)"[^>]*?/?>', rels):
            if target.lstrip(b"/").endswith(b"workbook.xml") or b"workbook" in target.lower():
                part = target.decode("utf-8", "replace").lstrip("/")
                if part in names:
                    return part
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return dict(re.findall(rb'([\w:]+)="([^"]*)"', tag))


def _sheet_parts(archive: zipfile.ZipFile, workbook_part: str) -> dict[str, str]:
    base = PurePosixPath(workbook_part).parent
    rels_path = str(base / "_rels" / (PurePosixPath(workbook_part).name + ".rels"))
    targets: dict[bytes, str] = {}
    for tag in re.findall(rb"<Relationship\b[^>]*>", archive.read(rels_path)):
        attrs = _attributes(tag)
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        if target.startswith("/"):
            targets[attrs.get(b"Id", b"")] = target.lstrip("/")
        else:
            targets[attrs.get(b"Id", b"")] = str(base / target)
    result: dict[str, str] = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet\b[^>]*>", archive.read(workbook_part)):
        attrs = _attributes(tag)
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        name = _unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        if rid in targets:
            result[name] = targets[rid]
    return result


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace("&amp;", "&")
    )


_BUILTIN_PERCENT_FORMATS = {9, 10}


def _unescape_bytes(raw: bytes) -> bytes:
    return raw.replace(b"&quot;", b'"').replace(b"&amp;", b"&")


def _percent_styles(archive: zipfile.ZipFile, names: set[str]) -> frozenset[int]:
    """Indices into cellXfs whose number format shows a percent sign."""
    if "xl/styles.xml" not in names:
        return frozenset()
    styles = archive.read("xl/styles.xml")
    percent_formats = set(_BUILTIN_PERCENT_FORMATS)
    for tag in re.findall(rb"<(?:\w+:)?numFmt\b[^>]*>", styles):
        attrs = _attributes(tag)
        # A quoted or escaped "%" only prints the sign; a bare one scales the value by 100.
        code = re.sub(rb'"[^"]*"|\\.', b"", _unescape_bytes(attrs.get(b"formatCode", b"")))
        if b"%" in code:
            try:
                percent_formats.add(int(attrs.get(b"numFmtId", b"-1")))
            except ValueError:
                continue
    match = re.search(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", styles, re.DOTALL)
    if not match:
        return frozenset()
    result = set()
    for index, tag in enumerate(re.findall(rb"<(?:\w+:)?xf\b[^>]*>", match.group(1))):
        try:
            if int(_attributes(tag).get(b"numFmtId", b"0")) in percent_formats:
                result.add(index)
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
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if part is None or posixpath.normpath(part) not in names:
            # A sheet whose part this scan cannot place may still be read: bound it by the largest sheet-like part.
            extents = [_scan_cells(archive.read(name), frozenset())[1] for name in sorted(names) if _is_sheet_like(archive, name)]
            return SheetMarks(frozenset(), (), max(extents, key=lambda e: e[0] * e[1], default=(0, 0)))
        xml = archive.read(posixpath.normpath(part))
    percent, extent = _scan_cells(xml, package.percent_styles)
    return SheetMarks(frozenset(percent), tuple(_formulas_without_value(xml)), extent)


def _is_sheet_like(archive: zipfile.ZipFile, name: str) -> bool:
    with archive.open(name) as handle:
        head = handle.read(4096)
    return b"sheetData" in head or (b"<" in head[:200] and b"sheetData" in archive.read(name))


# The common shape, as Excel, LibreOffice and xlsxwriter write it: every cell and row carries its reference.


def _scan_cells(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """Percent-formatted cells, and the grid the values span as a reader places them (an upper bound)."""
    plain = _scan_plain_cells(xml, percent_styles)
    return plain if plain is not None else _scan_every_tag(xml, percent_styles)


_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')


def _scan_plain_cells(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]] | None:
    """The fast scan, for sheets whose every cell and row names its place; None for any other sheet.
    The work per cell stays in the regex engine: only distinct column letters and percent cells reach Python."""
    if b":c " in xml or b":c>" in xml or b":row" in xml:
        return None  # namespace-prefixed tags
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


def _scan_every_tag(xml: bytes, percent_styles: frozenset[int]) -> tuple[set[tuple[int, int]], tuple[int, int]]:
    """Percent-formatted cells and the grid the values span, tag by tag: a row or cell without a reference
    follows the one before it, as the reader places them."""
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


def _formulas_without_value(xml: bytes) -> Iterator[tuple[int, int]]:
    if b"<f" not in xml and b":f" not in xml:
        return
    for match in _CELL_BODY.finditer(xml):
        attrs, body = match.group(1), match.group(2)
        if _FORMULA.search(body) and not re.search(rb"<(?:\w+:)?v>[^<]", body):
            if b't="str"' in attrs and re.search(rb"<(?:\w+:)?v\s*/>|<(?:\w+:)?v></", body):
                # a formula whose saved value is the empty string is a value, not a missing one
                continue
            ref = _REF.search(attrs)
            if ref:
                yield int(ref.group(2)) - 1, column_index(ref.group(1))


_MODIFIED = re.compile(rb"<dcterms:modified\b[^>]*>([^<]+)</dcterms:modified>")
_CREATED = re.compile(rb"<dcterms:created\b[^>]*>([^<]+)</dcterms:created>")


def saved_time(path: Path) -> str | None:
    """When the workbook was last saved, from its document properties (ISO 8601), if it says."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("docProps/core.xml") as handle:
            core = handle.read(20000)  # never the whole part: it may be a bomb in a file refused for it
    except Exception:  # zipfile raises many kinds on a damaged part; the time is only a hint
        return None
    match = _MODIFIED.search(core) or _CREATED.search(core)
    return match.group(1).decode("ascii", "replace").strip() if match else None


def xml_defences_active() -> bool:
    """Whether openpyxl would parse through defusedxml (its own rule, without importing openpyxl at start)."""
    import importlib.util
    import os

    return importlib.util.find_spec("defusedxml") is not None and os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"
