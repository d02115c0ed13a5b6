"""What a received file is, and whether it is safe to open, decided from its bytes before any parser runs.

A renamed .docx, a PDF, a truncated download, a password-protected workbook, an XML entity bomb and a
zip bomb are all turned into a problem here, with a message that says what the file looks like.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pipeline.config import Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


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
        return Package(kind="xls", has_macros=any(s.startswith("_VBA_PROJECT") for s in streams))
    if "WordDocument" in streams:
        return Refusal("file-unreadable", "Word баримт бичиг (.doc) / a Word document")
    if "PowerPoint Document" in streams:
        return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file")
    if any(s.startswith("__substg1.0_") for s in streams):
        return Refusal("file-unreadable", "Outlook захидал (.msg) / an Outlook message")
    return Refusal("file-unreadable", "Excel биш Office файл / an Office file that is not a workbook")


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
    except (zipfile.BadZipFile, OSError, ValueError):
        return Refusal("file-unreadable", "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file")
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
            mimetype = archive.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mimetype:
                return _check_xml_parts(archive, infos) or Package(kind="ods")
            return Refusal("file-unreadable", "OpenDocument текст, Excel биш / an OpenDocument file, not a spreadsheet")
        if "word/document.xml" in names:
            return Refusal("file-unreadable", "Word баримт бичиг (.docx) / a Word document")
        if "ppt/presentation.xml" in names:
            return Refusal("file-unreadable", "PowerPoint файл / a PowerPoint file")
        workbook_part = _workbook_part(archive, names)
        if workbook_part is None:
            return Refusal("file-unreadable", "Excel биш zip архив / a zip archive, not a workbook")
        unsafe = _check_xml_parts(archive, infos)
        if unsafe:
            return unsafe
        try:
            sheet_parts = _sheet_parts(archive, workbook_part)
            percent_styles = _percent_styles(archive, names)
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
            return Refusal("file-unreadable", "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file")
        has_macros = any(name.lower().endswith("vbaproject.bin") for name in names)
        return Package(
            kind="xlsm" if has_macros or path.suffix.lower() == ".xlsm" else "xlsx",
            has_macros=has_macros,
            sheet_parts=sheet_parts,
            percent_styles=percent_styles,
        )


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_xml_parts(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Refusal | None:
    """Refuse any XML part that declares a DTD: spreadsheets never need one, entity bombs always do."""
    for info in infos:
        if not info.filename.lower().endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(info) as handle:
                head = handle.read(4096)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            return Refusal("file-unreadable", "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file")
        if _DOCTYPE.search(head):
            return Refusal("file-unsafe", f"{info.filename}: XML DTD/ENTITY")
    return None


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


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')


def column_index(letters: bytes | str) -> int:
    """0-based column index of column letters ("A" -> 0, "AA" -> 26)."""
    index = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        index = index * 26 + ord(char) - 64
    return index - 1


@dataclass(frozen=True)
class SheetMarks:
    """Cells of one sheet that the value reader cannot see: percent formats and formulas without a value."""

    percent_cells: frozenset[tuple[int, int]]  # 0-based (row, column)
    formulas_without_value: tuple[tuple[int, int], ...]


def sheet_marks(path: Path, package: Package, sheet: str) -> SheetMarks:
    part = package.sheet_parts.get(sheet)
    if package.kind not in ("xlsx", "xlsm") or part is None:
        return SheetMarks(frozenset(), ())
    with zipfile.ZipFile(path) as archive:
        try:
            xml = archive.read(part)
        except KeyError:
            return SheetMarks(frozenset(), ())
    percent: set[tuple[int, int]] = set()
    if package.percent_styles:
        styled = package.percent_styles
        for match in _CELL.finditer(xml):
            attrs = match.group(1)
            style = _STYLE.search(attrs)
            if style and int(style.group(1)) in styled:
                ref = _REF.search(attrs)
                if ref:
                    percent.add((int(ref.group(2)) - 1, column_index(ref.group(1))))
    return SheetMarks(frozenset(percent), tuple(_formulas_without_value(xml)))


def _formulas_without_value(xml: bytes) -> Iterator[tuple[int, int]]:
    if b"<f" not in xml and b":f" not in xml:
        return
    for match in re.finditer(rb"<(?:\w+:)?c\b([^>]*?)>(.*?)</(?:\w+:)?c>", xml, re.DOTALL):
        body = match.group(2)
        if re.search(rb"<(?:\w+:)?f\b", body) and not re.search(rb"<(?:\w+:)?v>[^<]", body):
            attrs = match.group(1)
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
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")[:20000]
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    match = _MODIFIED.search(core) or _CREATED.search(core)
    return match.group(1).decode("ascii", "replace").strip() if match else None


def xml_defences_active() -> bool:
    """Whether openpyxl would parse through defusedxml (its own rule, without importing openpyxl at start)."""
    import importlib.util
    import os

    return importlib.util.find_spec("defusedxml") is not None and os.environ.get("OPENPYXL_DEFUSEDXML", "True") == "True"
