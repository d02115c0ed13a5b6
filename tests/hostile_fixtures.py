"""Builders of broken, foreign and hostile files for the reliability tests.

Every fixture is built at run time from a real template written by `tests.helpers.write_xlsx`; nothing
binary is committed. Each builder writes one file and returns its path.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from tests.helpers import STANDARD_HEADER, template_rows, write_xlsx

MB = 1024 * 1024

# One measure row per status word, so a good file is consolidated with scored measures.
GOOD_MEASURES: list[list[Any]] = [
    ["1.1", "Төрийн үйлчилгээний чанарыг сайжруулна.", "Хувь", None, "100 хувь", "I-IV улирал", "Мэргэжилтэн",
     "Сургалт зохион байгуулсан.", "Бүрэн хэрэгжсэн", None, None],
    ["1.2", "Иргэдийн өргөдөл, гомдлыг шийдвэрлэнэ.", "Тоо", None, "Гурваас доошгүй", "I-IV улирал", "Мэргэжилтэн",
     "Хоёр удаа.", 2, None, None],
]


def good_template(path: Path, *, department: str = "Захиргаа, удирдлагын хэлтэс", measures: Sequence[Sequence[Any]] | None = None,
                  **kwargs: Any) -> Path:
    """A valid filled template for October 2026."""
    return write_xlsx(path, template_rows(measures if measures is not None else GOOD_MEASURES, department=department), **kwargs)


def good_bytes(tmp: Path, **kwargs: Any) -> bytes:
    """The bytes of a valid template (written beside `tmp` and read back)."""
    path = good_template(tmp.with_name(f".good-{tmp.name}.xlsx"), **kwargs)
    data = path.read_bytes()
    path.unlink()
    return data


# --- not a workbook ----------------------------------------------------------------------------------

def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def plain_text(path: Path) -> Path:
    path.write_text("Энэ бол Excel файл биш, зүгээр текст.\n", encoding="utf-8")
    return path


def renamed_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return path


def renamed_docx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="w"><w:body/></w:document>')
    return path


def truncated_xlsx(path: Path) -> Path:
    """A real template cut in half, as an interrupted download leaves it."""
    data = good_bytes(path)
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_not_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    return path


# --- password-protected and legacy -----------------------------------------------------------------

def encrypted_xlsx(path: Path, password: str = "нууц123") -> Path:
    """A template encrypted the way Excel's "Encrypt with password" does (ECMA-376 agile, msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(good_bytes(path))
    out = io.BytesIO()
    OOXMLFile(plain).encrypt(password, out)
    path.write_bytes(out.getvalue())
    return path


_SECTOR = 512
_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal MS-CFB v3 file of root-level streams (each padded to 4096 bytes, so no mini stream)."""
    names = list(streams)
    assert len(names) <= 3, "one directory sector holds the root and three streams"
    datas = [streams[n] + b"\0" * max(0, 4096 - len(streams[n])) for n in names]
    sectors = [-(-len(d) // _SECTOR) for d in datas]
    total = 2 + sum(sectors)
    assert total <= 128, "one FAT sector only"
    fat = [_FATSECT, _ENDOFCHAIN]
    starts = []
    for count in sectors:
        starts.append(len(fat))
        fat.extend(range(len(fat) + 1, len(fat) + count))
        fat.append(_ENDOFCHAIN)
    fat += [_FREESECT] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", _NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    # Siblings as a right-leaning chain in CFB order (shorter names first): a valid red-black-free tree for readers.
    order = sorted(range(len(names)), key=lambda i: (len(names[i]), names[i].upper()))
    directory = entry("Root Entry", 5, order[0] + 1 if order else _NOSTREAM, _NOSTREAM, _ENDOFCHAIN, 0)
    for position, i in enumerate(order):
        right = order[position + 1] + 1 if position + 1 < len(order) else _NOSTREAM
        directory += entry(names[i], 2, _NOSTREAM, right, starts[i], len(datas[i]))
    directory = directory.ljust(_SECTOR, b"\0")
    # Unused entries must say "no siblings"
    for k in range(len(names) + 1, 4):
        offset = k * 128
        directory = directory[: offset + 68] + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM) + directory[offset + 80 :]

    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREESECT) * 108)
    assert len(header) == _SECTOR
    body = struct.pack("<128I", *fat) + directory + b"".join(d.ljust(n * _SECTOR, b"\0") for d, n in zip(datas, sectors, strict=True))
    return header + body


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _xl_string(text: str, length_bytes: int) -> bytes:
    """BIFF8 unicode string: character count, a flags byte (1 = UTF-16) and the characters."""
    count = struct.pack("<B" if length_bytes == 1 else "<H", len(text))
    return count + b"\x01" + text.encode("utf-16-le")


def biff8_workbook(sheets: Mapping[str, Sequence[Sequence[Any]]], *, far_cell: bool = False,
                   dimensions: tuple[int, int] | None = None, sheet_kinds: Sequence[int] = ()) -> bytes:
    """A BIFF8 `Workbook` stream: globals (BOF, CODEPAGE, FONT and XF records, a BOUNDSHEET per sheet, SST, EOF),
    then each sheet (BOF, DIMENSIONS, LABELSST/NUMBER cells, EOF). `far_cell` adds a value at IV65536 to each sheet;
    `dimensions` makes every DIMENSIONS record claim (rows, columns) whatever the cells; `sheet_kinds` gives each
    sheet's BOUNDSHEET type byte (0 worksheet, 1 Excel 4 macro sheet) and BOF type."""
    strings: list[str] = []
    index: dict[str, int] = {}
    bodies: list[bytes] = []
    for rows in sheets.values():
        cells = b""
        last_row = last_col = 0
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                last_row, last_col = max(last_row, r), max(last_col, c)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cells += _record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
                else:
                    text = str(value)
                    if text not in index:
                        index[text] = len(strings)
                        strings.append(text)
                    cells += _record(0x00FD, struct.pack("<HHHI", r, c, 15, index[text]))
        if far_cell:
            cells += _record(0x0203, struct.pack("<HHHd", 65535, 255, 15, 1.0))
            last_row, last_col = 65535, 255
        rows_claimed, cols_claimed = dimensions or (last_row + 1, last_col + 1)
        dims = _record(0x0200, struct.pack("<IIHHH", 0, rows_claimed, 0, cols_claimed, 0))
        macro = len(bodies) < len(sheet_kinds) and sheet_kinds[len(bodies)] == 1
        bodies.append(_bof(0x0040 if macro else 0x0010) + dims + cells + _record(0x000A, b""))
    sst = struct.pack("<II", len(strings), len(strings)) + b"".join(_xl_string(s, 2) for s in strings)
    assert len(sst) < 8224, "no CONTINUE records: keep the fixture small"
    xfs = b"".join(_record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5 if i < 15 else 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
                   for i in range(16))
    font = _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _xl_string("Arial", 1))

    def globals_with(offsets: list[int]) -> bytes:
        kinds = [*sheet_kinds, *[0] * len(sheets)]
        bound = b"".join(_record(0x0085, struct.pack("<IBB", offset, 0, kind) + _xl_string(name, 1))
                         for offset, name, kind in zip(offsets, sheets, kinds, strict=False))
        return (_bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + font * 5 + xfs + bound
                + _record(0x00FC, sst) + _record(0x000A, b""))

    position = len(globals_with([0] * len(sheets)))
    offsets = []
    for body in bodies:
        offsets.append(position)
        position += len(body)
    return globals_with(offsets) + b"".join(bodies)


def legacy_xls(path: Path, *, department: str = "Хууль, эрх зүйн хэлтэс") -> Path:
    """A real Excel 97-2003 (.xls, BIFF8) workbook, written record by record into a compound file."""
    path.write_bytes(compound_file({"Workbook": biff8_workbook({"Төлөвлөгөө": template_rows(GOOD_MEASURES, department=department)})}))
    return path


def xls_far_cells(path: Path) -> Path:
    """An .xls of two sheets, each with a value at its last cell (IV65536): the reader would build 2 x 16.7 million cells."""
    sheets = {"Төлөвлөгөө": template_rows(GOOD_MEASURES), "Хоёр": [["a"]]}
    path.write_bytes(compound_file({"Workbook": biff8_workbook(sheets, far_cell=True)}))
    return path


def xls_huge_dimensions(path: Path) -> Path:
    """A small, valid .xls whose DIMENSIONS record claims 1,048,576 x 256 cells: the native reader reserves room
    for all of them when it opens the file (about 10 GB), the way ExcelDataReader's Test_git_issue_382_oom.xls
    made it ask for 4 GB and abort the process."""
    book = biff8_workbook({"Төлөвлөгөө": template_rows(GOOD_MEASURES)}, dimensions=(1 << 20, 256))
    path.write_bytes(compound_file({"Workbook": book}))
    return path


def word97_doc(path: Path) -> Path:
    path.write_bytes(compound_file({"WordDocument": b"\xec\xa5" + b"\0" * 100}))
    return path


def xlsm_with_macros(path: Path, *, department: str = "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс") -> Path:
    """A macro-enabled workbook: a `xl/vbaProject.bin` part and the macro content type (xlsxwriter's own)."""
    vba = compound_file({"dir": b"\x01" * 64, "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\n'})
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Төлөвлөгөө")
    for r, row in enumerate(template_rows(GOOD_MEASURES, department=department)):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    workbook.add_vba_project(io.BytesIO(vba), is_stream=True)
    workbook.close()
    return path


def ods_spreadsheet(path: Path, *, department: str = "Санхүү, төрийн сангийн хэлтэс") -> Path:
    """A minimal OpenDocument spreadsheet (LibreOffice's format)."""
    from xml.sax.saxutils import escape

    data = template_rows(GOOD_MEASURES, department=department)
    body = []
    for row in data:
        cells = []
        for value in row:
            if value is None:
                cells.append("<table:table-cell/>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>')
            else:
                cells.append(f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>')
        body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Төлөвлөгөө">'
        + "".join(body) + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


# --- sheets ------------------------------------------------------------------------------------------

def hidden_plan_sheet(path: Path, *, department: str = "Хүнс, хөдөө аж ахуйн газар") -> Path:
    plan = template_rows(GOOD_MEASURES, department=department)
    return write_xlsx(path, plan, extra_sheets={"Хуучин": plan}, hidden_sheets=["Хуучин"])


def several_plan_sheets(path: Path, *, department: str = "Боловсролын газар") -> Path:
    first = template_rows(GOOD_MEASURES, department=department)
    second = template_rows([["2.1", "Хоёр дахь хуудасны арга хэмжээ.", None, None, "100 хувь", "I-IV улирал", None, None,
                             "Бүрэн хэрэгжсэн"]], department=department)
    return write_xlsx(path, first, extra_sheets={"Төлөвлөгөө 2": second})


def many_rows(path: Path, rows: int) -> Path:
    """A template whose sheet holds `rows` measure rows (xlsxwriter's constant-memory mode)."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Төлөвлөгөө")
    for r, row in enumerate(template_rows([])):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    first = len(template_rows([]))
    for i in range(rows):
        r = first + i
        sheet.write_string(r, 0, f"1.{i + 1}")
        sheet.write_string(r, 1, f"Арга хэмжээ {i + 1}.")
        sheet.write_string(r, 4, "100 хувь")
        sheet.write_string(r, 5, "I-IV улирал")
        sheet.write_string(r, 8, "Бүрэн хэрэгжсэн")
    workbook.close()
    return path


def sparse_far_cell(path: Path) -> Path:
    """A template with one extra cell at the sheet's far corner (XFD1048576): a huge range for a dense reader."""
    data = good_bytes(path)
    rewrite_parts(path, data, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>').replace(
        b'<dimension ref="', b'<dimension ref="A1:XFD1048576" x="')})
    return path


def formula_without_value(path: Path, *, department: str = "Эрүүл мэндийн газар") -> Path:
    """A template saved by a script (openpyxl): the achieved cell holds `=50+50` and no cached value."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Төлөвлөгөө"
    for row in template_rows([["1.1", "Арга хэмжээ.", None, None, "100 хувь", "I-IV улирал", None, None, None]], department=department):
        sheet.append(row)
    sheet["I8"] = "=50+50"
    workbook.save(path)
    return path


def no_header(path: Path) -> Path:
    return write_xlsx(path, [["Сайн байна уу"], ["Хавсралтаар илгээв."], [1, 2, 3]])


def columns_missing(path: Path, *, department: str = "Байгаль орчин, аялал жуулчлалын газар") -> Path:
    """A plan table without the target and achieved columns."""
    header = [h for h in STANDARD_HEADER if h not in ("Хүрэх түвшин", "Хүрсэн түвшин")]
    return write_xlsx(path, template_rows([["1.1", "Ажил.", None, None, "I-IV улирал"]], header=header, department=department))


# --- XML and zip bombs -------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10))
    + b"]>\n"
)


def rewrite_parts(path: Path, data: bytes, changes: dict[str, Callable[[bytes], bytes]]) -> Path:
    """Write the zip `data` to `path`, transforming the named parts' bytes."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename in changes:
                content = changes[info.filename](content)
            dst.writestr(info.filename, content)
    return path


def _with_doctype(xml: bytes, root: bytes, padding: int) -> bytes:
    """The part's XML declaration replaced by a billion-laughs DTD, its root text replaced by the bomb."""
    start = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    dtd = BILLION_LAUGHS.replace(b"lolz", root)
    # A comment before the DTD is valid XML and pushes it past any scan of the first few KB only.
    comment = b"<!--" + b" " * padding + b"-->" if padding else b""
    body = xml[start:]
    return dtd[: dtd.index(b"<!DOCTYPE")] + comment + dtd[dtd.index(b"<!DOCTYPE"):] + body


def entity_bomb(path: Path, part: str = "xl/sharedStrings.xml", padding: int = 0) -> Path:
    """'Billion laughs' in a part of a real template: ten nested entities, each ten of the one below."""

    def bomb(xml: bytes) -> bytes:
        if part.endswith("sharedStrings.xml"):
            xml = xml.replace(b"<t>", b"<t>&lol9;", 1)
            root = b"sst"
        else:
            xml = xml.replace(b"<v>", b"<v>&lol9;", 1)
            root = b"worksheet"
        return _with_doctype(xml, root, padding)

    return rewrite_parts(path, good_bytes(path), {part: bomb})


def external_entity(path: Path) -> Path:
    """An XXE attempt: an external entity reading a local file."""

    def xxe(xml: bytes) -> bytes:
        start = xml.index(b"?>") + 2
        dtd = b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        return xml[:start] + dtd + xml[start:].replace(b"<t>", b"<t>&xxe;", 1)

    return rewrite_parts(path, good_bytes(path), {"xl/sharedStrings.xml": xxe})


def zip_bomb(path: Path, unpacked: int = 400 * MB, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """A real template whose sheet part is padded with whitespace to `unpacked` bytes (packs ~1000:1)."""
    data = good_bytes(path)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == part:
                body = src.read(info)
                head, tail = body.split(b"</sheetData>", 1)
                zinfo = zipfile.ZipInfo(part)
                zinfo.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(zinfo, "w", force_zip64=True) as handle:
                    handle.write(head)
                    left = unpacked - len(body)
                    block = b" " * MB
                    while left > 0:
                        handle.write(block[:left])
                        left -= len(block)
                    handle.write(b"</sheetData>" + tail)
            else:
                dst.writestr(info, src.read(info))
    return path


def lying_zip_bomb(path: Path, unpacked: int = 64 * MB) -> Path:
    """A zip bomb whose headers lie: the sheet part says it unpacks to its real size's 1/1000.

    The declared size and CRC fit the first bytes only, so a reader that trusts the headers sees a
    small, honest part, while the compressed data really inflates to `unpacked` bytes.
    """
    part = "xl/worksheets/sheet1.xml"
    zip_bomb(path, unpacked, part)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as z:
        info = z.getinfo(part)
        with z.open(info) as handle:
            first = handle.read(max(1, unpacked // 1000))
    fake_size, fake_crc = len(first), zlib.crc32(first)
    # Local header: crc at +14, sizes at +18/+22 (zip64 puts them in the extra field: rewrite that too).
    local = info.header_offset
    _patch_sizes(raw, local, 14, fake_crc, fake_size, info.compress_size)
    name = part.encode()
    central = raw.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_len] == name:
            _patch_sizes(raw, central, 16, fake_crc, fake_size, info.compress_size, central=True)
            break
        central = raw.find(b"PK\x01\x02", central + 4)
    path.write_bytes(bytes(raw))
    return path


def _patch_sizes(raw: bytearray, at: int, crc_at: int, crc: int, size: int, compressed: int, *, central: bool = False) -> None:
    struct.pack_into("<I", raw, at + crc_at, crc)
    # Write plain 32-bit sizes and neutralise any zip64 extra field so readers use them.
    struct.pack_into("<II", raw, at + crc_at + 4, compressed, size)
    name_len, extra_len = struct.unpack_from("<HH", raw, at + (28 if central else 26))
    extra_start = at + (46 if central else 30) + name_len
    pos = extra_start
    while pos + 4 <= extra_start + extra_len:
        tag, length = struct.unpack_from("<HH", raw, pos)
        if tag == 0x0001:
            struct.pack_into("<H", raw, pos, 0x9999)  # an unknown extra block, ignored by readers
        pos += 4 + length


# --- discovery ---------------------------------------------------------------------------------------

def not_reports(folder: Path) -> list[Path]:
    """Files that discovery must pass over: Excel and LibreOffice lock files, system and hidden files."""
    made = []
    lock = folder / "~$ЗУХ 2026-10.xlsx"
    lock.write_bytes(b"\x0bUser Name" + b"\0" * 150)
    made.append(lock)
    office_lock = folder / ".~lock.ЗУХ 2026-10.xlsx#"
    office_lock.write_text(",user,host,29.11.2026 08:00,file:///home/user/.config/libreoffice/4;")
    made.append(office_lock)
    thumbs = folder / "Thumbs.db"
    thumbs.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    made.append(thumbs)
    desktop = folder / "desktop.ini"
    desktop.write_text("[.ShellClassInfo]\n")
    made.append(desktop)
    dot = folder / ".hidden 2026-10.xlsx"
    good_template(dot)
    made.append(dot)
    temp = folder / "~WRL0001.tmp"
    temp.write_bytes(b"temp")
    made.append(temp)
    hidden_dir = folder / ".git"
    hidden_dir.mkdir(exist_ok=True)
    inside = hidden_dir / "copy 2026-10.xlsx"
    good_template(inside)
    made.append(inside)
    return made


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def damaged_xls(path: Path) -> Path:
    """An .xls whose directory says its Workbook stream is small (so in the mini stream, which is absent):
    the Rust reader's compound-file code indexes past its tables on this."""
    raw = bytearray(compound_file({"Workbook": biff8_workbook({"Төлөвлөгөө": template_rows(GOOD_MEASURES)})}))
    struct.pack_into("<I", raw, 2 * _SECTOR + 128 + 120, 1000)  # directory sector 1, entry 1, size
    path.write_bytes(bytes(raw))
    return path


def _sheet_rewrite(path: Path, change: Callable[[bytes], bytes]) -> Path:
    return rewrite_parts(path, good_bytes(path), {"xl/worksheets/sheet1.xml": change})


def styled_cells_after_formula(path: Path, cells: int = 200_000) -> Path:
    """A formula cell, then many formatted empty cells (`<c r=".." s="0"/>`): valid, and the shape that made a
    backtracking scan of the sheet XML take minutes."""
    def change(xml: bytes) -> bytes:
        rows = b"".join(b'<row r="%d"><c r="B%d" s="0"/></row>' % (r, r) for r in range(20, 20 + cells))
        formula = b'<row r="19"><c r="I19"><f>50+50</f></c></row>'
        return xml.replace(b"</sheetData>", formula + rows + b"</sheetData>")
    return _sheet_rewrite(path, change)


def merge_bomb(path: Path, merges: int = 20_000, rows: int = 100_000) -> Path:
    """Thousands of tall merged ranges over the plan's columns (each distinct, overlapping the others)."""
    def change(xml: bytes) -> bytes:
        refs = b"".join(b'<mergeCell ref="%s%d:%s%d"/>' % (b"ABCDEFGHIJK"[i % 11:i % 11 + 1], 8 + i % 7, b"ABCDEFGHIJK"[i % 11:i % 11 + 1],
                                                             rows - i, ) for i in range(merges))
        block = b'<mergeCells count="%d">' % merges + refs + b"</mergeCells>"
        head, tail = xml.split(b"</sheetData>", 1)
        tail = re.sub(rb"<mergeCells\b.*?</mergeCells>", b"", tail, flags=re.S)
        return head + b"</sheetData>" + block + tail
    return _sheet_rewrite(path, change)


def header_merge_bomb(path: Path, merges: int = 20_000) -> Path:
    """Thousands of wide merged ranges across the header rows, out to the last column."""
    def change(xml: bytes) -> bytes:
        refs = b"".join(b'<mergeCell ref="L%d:XFD%d"/>' % (1 + i % 30, 1 + i % 30 + i // 30 % 2) for i in range(merges))
        block = b'<mergeCells count="%d">' % merges + refs + b"</mergeCells>"
        head, tail = xml.split(b"</sheetData>", 1)
        return head + b'<row r="1"><c r="XFD1" t="n"><v>1</v></c></row></sheetData>'.replace(b'<row r="1">', b'<row r="40">').replace(b"XFD1", b"XFD40") + block + tail
    return _sheet_rewrite(path, change)


def unsupported_zip_version(path: Path) -> Path:
    """A real template whose central directory says its parts need zip version 8.4 to extract (one damaged
    byte): Python's zipfile refuses to open it with NotImplementedError, not BadZipFile."""
    raw = bytearray(good_bytes(path))
    at = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, at + 6, 84)
    path.write_bytes(bytes(raw))
    return path


def rewrite_ods_content(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """Rewrite an OpenDocument file's content.xml in place (the mimetype part kept first and stored)."""
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info, change(content) if info.filename == "content.xml" else content)
    return path


def ods_entity_bomb(path: Path) -> Path:
    """Billion laughs in an OpenDocument spreadsheet's content.xml."""
    ods_spreadsheet(path)
    return rewrite_ods_content(path, lambda content: _with_doctype(
        content.replace(b"<text:p>1.1</text:p>", b"<text:p>&lol9;</text:p>"), b"office:document-content", 0))


# --- guarded reading and misleading refusals (issue 12) ----------------------------------------------------

def _prefixed(xml: bytes, prefix: bytes) -> bytes:
    """The same XML with its default namespace bound to `prefix` (as openpyxl's bigfoot.xlsx is written)."""
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)(?=[\s/>])", rb"<\1" + prefix + rb":\2", xml)
    return re.sub(rb'\sxmlns="', b" xmlns:" + prefix + b'="', xml)


def many_sheets(path: Path, empty_sheets: int, *, prefixed: bool = True) -> Path:
    """A real template plus `empty_sheets` empty sheets; with `prefixed`, the relationship parts and the workbook
    part use namespace prefixes (`ns0:Relationship`, `s:sheet`), valid XML a pattern for `<Relationship` misses."""
    data = good_bytes(path)
    empty = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1"/><sheetData/></worksheet>')
    sheet_type = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    ns_r = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def workbook(xml: bytes) -> bytes:
        extra = b"".join(b'<sheet name="empty %d" sheetId="%d" r:id="rIdE%d"/>' % (i, 100 + i, i) for i in range(empty_sheets))
        xml = xml.replace(b"</sheets>", extra + b"</sheets>")
        if prefixed:
            xml = _prefixed(xml, b"s")
            # r:id keeps its own prefix; the r namespace declared on each sheet, as openpyxl 1.x wrote it
            xml = xml.replace(b"<s:sheet ", b'<s:sheet xmlns:r="' + ns_r + b'" ')
        return xml

    def rels(xml: bytes) -> bytes:
        extra = b"".join(b'<Relationship Id="rIdE%d" Type="%s" Target="worksheets/empty%d.xml"/>' % (i, sheet_type, i)
                         for i in range(empty_sheets))
        xml = xml.replace(b"</Relationships>", extra + b"</Relationships>")
        return _prefixed(xml, b"ns0") if prefixed else xml

    def types(xml: bytes) -> bytes:
        extra = b"".join(b'<Override PartName="/xl/worksheets/empty%d.xml" ContentType="application/vnd.openxmlformats-'
                         b'officedocument.spreadsheetml.worksheet+xml"/>' % i for i in range(empty_sheets))
        return xml.replace(b"</Types>", extra + b"</Types>")

    changes: dict[str, Callable[[bytes], bytes]] = {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels,
                                                    "[Content_Types].xml": types}
    if prefixed:
        changes["_rels/.rels"] = lambda xml: _prefixed(xml, b"ns0")
    rewrite_parts(path, data, changes)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        for i in range(empty_sheets):
            z.writestr(f"xl/worksheets/empty{i}.xml", empty)
    return path


def legacy_xls_stream(path: Path, stream: str) -> Path:
    """A real .xls whose workbook stream is named in other letters ("BOOK", "WORKBOOK"), as some writers do."""
    path.write_bytes(compound_file({stream: biff8_workbook({"Төлөвлөгөө": template_rows(GOOD_MEASURES)})}))
    return path


def backslash_parts(path: Path) -> Path:
    """A real template whose zip part names use backslashes and other letter case (`xl\\worksheets\\sheet1.xml`,
    `[content_types].xml`, `xl\\sharedstrings.xml`), as some exporters write them."""
    data = good_bytes(path)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = info.filename.replace("/", "\\")
            if name.lower() in ("[content_types].xml", "xl\\sharedstrings.xml"):
                name = name.lower()
            dst.writestr(name, src.read(info))
    return path


def excel4_macro_sheet(path: Path) -> Path:
    """A real template with an Excel 4 macro sheet beside its plan sheet (`xl/macrosheets/sheet1.xml`)."""
    data = good_bytes(path)
    macro = (b'<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><sheetData><row r="1"><c r="A1"><f>HALT()</f></c></row>'
             b"</sheetData></xm:macrosheet>")
    rewrite_parts(path, data, {
        "xl/workbook.xml": lambda xml: xml.replace(b"</sheets>", b'<sheet name="Macro1" sheetId="9" r:id="rIdM"/></sheets>'),
        "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(b"</Relationships>", (
            b'<Relationship Id="rIdM" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
            b'Target="macrosheets/sheet1.xml"/></Relationships>')),
        "[Content_Types].xml": lambda xml: xml.replace(b"</Types>", (
            b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')),
    })
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/macrosheets/sheet1.xml", macro)
    return path


def encrypted_legacy_xls(path: Path) -> Path:
    """An Excel 95 .xls (BIFF5, a `Book` stream) with a password, like POI's 60284.xls: a FILEPASS record (XOR
    obfuscation) after the globals' BOF. msoffcrypto does not know the format, and the records after FILEPASS are
    noise, which here read as cells at IV65536 (a 33-million-cell grid) to a scan that does not stop at it."""
    book = bytearray(biff8_workbook({"Төлөвлөгөө": template_rows(GOOD_MEASURES), "Хоёр": [["a"]]}, far_cell=True))
    struct.pack_into("<H", book, 4, 0x0500)  # BOF: BIFF5
    filepass = _record(0x002F, struct.pack("<HH", 0xB359, 0x9A0A))
    bof_end = 4 + struct.unpack_from("<H", book, 2)[0]
    path.write_bytes(compound_file({"Book": bytes(book[:bof_end]) + filepass + bytes(book[bof_end:])}))
    return path


def excel2_worksheet(path: Path) -> Path:
    """An Excel 2.x worksheet (BIFF2, 1987): no compound file, a BOF record first, then cells."""
    bof = struct.pack("<HHHH", 0x0009, 4, 0x0002, 0x0010)
    number = struct.pack("<HHHH", 0x0003, 15, 0, 0) + b"\0\0\0" + struct.pack("<d", 1.0)
    path.write_bytes(bof + number + struct.pack("<HH", 0x000A, 0))
    return path


def broken_ole(path: Path) -> Path:
    """An Office compound-file signature followed by nothing sensible (olefile raises its own error class)."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    return path


def ods_with_basic_macro(path: Path) -> Path:
    """An OpenDocument spreadsheet with a StarBasic module, as LibreOffice saves it (each part with its DTD line)."""
    ods_spreadsheet(path)
    doctype = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
    module = doctype + (b'<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
                        b'script:language="StarBasic">Sub Main\nEnd Sub</script:module>')
    library = doctype.replace(b"script:module", b"library:libraries") + (
        b'<library:libraries xmlns:library="http://openoffice.org/2000/library"/>')
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Basic/Standard/Module1.xml", module)
        z.writestr("Basic/script-lc.xml", library)
    return path


def flat_ods(path: Path, *, department: str = "Санхүү, төрийн сангийн хэлтэс") -> Path:
    """A flat OpenDocument spreadsheet (.fods): the whole document in one XML file."""
    tmp = path.with_name(f".flat-{path.name}.ods")
    ods_spreadsheet(tmp, department=department)
    with zipfile.ZipFile(tmp) as z:
        content = z.read("content.xml")
    tmp.unlink()
    content = content.replace(b"<office:document-content ", b'<office:document office:mimetype="application/vnd.oasis.opendocument.spreadsheet" ')
    path.write_bytes(content.replace(b"</office:document-content>", b"</office:document>"))
    return path


def _brt(kind: int, data: bytes = b"") -> bytes:
    """A BIFF12 record: type and size as 7-bit groups, low first."""
    head = bytes([kind & 0x7F | 0x80, kind >> 7]) if kind >= 0x80 else bytes([kind])
    size, length = b"", len(data)
    while True:
        size += bytes([length & 0x7F | (0x80 if length >= 0x80 else 0)])
        length >>= 7
        if not length:
            break
    return head + size + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def xlsb_template(path: Path, *, department: str = "Хууль, эрх зүйн хэлтэс") -> Path:
    """A filled template as an Excel binary workbook (.xlsb, BIFF12), written record by record."""
    rows = template_rows(GOOD_MEASURES, department=department)
    cells = b""
    for r, row in enumerate(rows):
        cells += _brt(0x0000, struct.pack("<I", r) + b"\0" * 13)  # BrtRowHdr
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells += _brt(0x0005, struct.pack("<II", c, 0) + struct.pack("<d", float(value)))  # BrtCellReal
            else:
                cells += _brt(0x0006, struct.pack("<II", c, 0) + _wide(str(value)))  # BrtCellSt
    width = max(len(row) for row in rows)
    sheet = (_brt(0x0081) + _brt(0x0094, struct.pack("<IIII", 0, len(rows) - 1, 0, width - 1)) + _brt(0x0091)
             + cells + _brt(0x0092) + _brt(0x0082))
    workbook = (_brt(0x0083) + _brt(0x008F) + _brt(0x009C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide("Төлөвлөгөө"))
                + _brt(0x0090) + _brt(0x0084))
    ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/></Types>'))
        z.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}"><Relationship Id="rId1" '
                                  f'Type="{office}/officeDocument" Target="xl/workbook.bin"/></Relationships>')
        z.writestr("xl/_rels/workbook.bin.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{ns}"><Relationship '
                                                 f'Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.bin"/></Relationships>')
        z.writestr("xl/workbook.bin", workbook)
        z.writestr("xl/worksheets/sheet1.bin", sheet)
    return path
