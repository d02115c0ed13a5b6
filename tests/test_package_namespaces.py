"""The package checks decide by namespace, never by prefix: the same workbook written with other prefixes (or
with its default namespace bound to one) is understood the same way (pipeline/read/package.py). Every file here
is a real template whose parts are rewritten with zipfile."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from pipeline.config import Config
from pipeline.read.package import Package, SheetMarks, inspect_file, prepared, saved_time, sheet_marks, without_sheets
from pipeline.read.workbook import read_file
from tests import hostile_fixtures as hf

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MACRO_TYPE = b"http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
ODF_TABLE = b"urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def prefixed(xml: bytes, prefix: bytes) -> bytes:
    """Every element of the default namespace bound to `prefix` instead (any prefix an XML name allows)."""
    xml = re.sub(rb"<(/?)(?![?!])([A-Za-z]+)(?=[\s/>])", rb"<\1" + prefix + rb":\2", xml)
    return re.sub(rb'\sxmlns="', b" xmlns:" + prefix + b'="', xml)


def sheet_part(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def with_sheet(path: Path, xml: bytes) -> Path:
    return hf.rewrite_parts(path, path.read_bytes(), {"xl/worksheets/sheet1.xml": lambda _old: xml})


def test_a_workbook_with_every_part_prefixed_and_a_macro_sheet_reads_as_the_plain_one(tmp_path: Path, config: Config) -> None:
    path = tmp_path / "prefixed.xlsm"
    data = hf.good_bytes(path)

    def workbook(xml: bytes) -> bytes:
        xml = prefixed(xml, b"x")
        # the relationship namespace under another prefix than r, the macro sheet declared the same way
        xml = xml.replace(b'xmlns:r="' + RELS + b'"', b'xmlns:rel="' + RELS + b'"').replace(b" r:id=", b" rel:id=")
        return xml.replace(b"</x:sheets>", b'<x:sheet name="Macro1" sheetId="9" rel:id="rIdM"></x:sheet ></x:sheets>')

    hf.rewrite_parts(path, data, {
        "xl/workbook.xml": workbook,
        "xl/worksheets/sheet1.xml": lambda xml: prefixed(xml, "х-1.ш".encode()),  # a Cyrillic prefix with "-" and "."
        "xl/_rels/workbook.xml.rels": lambda xml: prefixed(xml.replace(b"</Relationships>", (
            b'<Relationship Id="rIdM" Type="' + MACRO_TYPE + b'" Target="macrosheets/sheet1.xml"/></Relationships>')), b"p"),
        "_rels/.rels": lambda xml: prefixed(xml, b"p"),
    })
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/macrosheets/sheet1.xml", b'<?xml version="1.0"?><worksheet xmlns="' + MAIN + b'"><sheetData/></worksheet>')
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    assert package.sheet_parts == {"Төлөвлөгөө": "xl/worksheets/sheet1.xml"}
    assert package.dropped_sheets == ("rIdM",) and package.has_macros and package.prepare == "drop-sheets"
    # The copy the value reader gets lacks the macro sheet's element, and nothing else changed in the part.
    with zipfile.ZipFile(path) as archive:
        original = archive.read("xl/workbook.xml")
    with zipfile.ZipFile(prepared(path, package, tmp_path)) as archive:
        assert archive.read("xl/workbook.xml") == original.replace(b'<x:sheet name="Macro1" sheetId="9" rel:id="rIdM"></x:sheet >', b"")
    plain = read_file(hf.good_template(tmp_path / "plain.xlsx"), config)
    read = read_file(path, config)
    assert [p.code for p in read.problems] == ["file-macros-ignored"]
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө"]
    assert read.tables[0].measures == plain.tables[0].measures
    assert len(read.tables[0].measures) == 2


def test_cutting_sheets_finds_them_by_namespace_and_keeps_every_other_byte() -> None:
    workbook = ('<?xml version="1.0" encoding="UTF-8"?>\n<w:workbook xmlns:w="' + MAIN.decode() + '" xmlns:q="' + RELS.decode()
                + '"><w:sheets><w:sheet name="a&gt;b" sheetId="1" q:id="rId1"/><w:sheet name=\'c/>\' sheetId="2" q:id="rId2" />'
                '<w:sheet name="d" sheetId="3" q:id="rId3"></w:sheet></w:sheets><w:definedNames/></w:workbook>').encode()
    assert without_sheets(workbook, {"rId2", "rId3"}) == workbook.replace(
        b'<w:sheet name=\'c/>\' sheetId="2" q:id="rId2" />', b"").replace(b'<w:sheet name="d" sheetId="3" q:id="rId3"></w:sheet>', b"")
    assert without_sheets(workbook, {"rId9"}) == workbook
    # an id attribute in another namespace than the relationships' is not the sheet's relationship
    other = workbook.replace(b'q:id="rId1"', b'q:id="rId1" xmlns:z="urn:other" z:id="rId2"')
    assert without_sheets(other, {"rId2"}).count(b"<w:sheet ") == 2
    utf16 = workbook.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert without_sheets(utf16, {"rId1"}) == without_sheets(workbook, {"rId1"}).replace(b' encoding="UTF-8"', b"")


def test_a_far_value_in_a_sheet_with_an_unusual_prefix_counts_for_the_size_limit(tmp_path: Path, config: Config) -> None:
    # A prefix with "-", "." or Cyrillic letters is a valid XML name; a pattern for word characters missed the
    # cell, so the sheet looked small while the value reader would have built a grid to XFD1048576.
    path = hf.good_template(tmp_path / "far.xlsx")
    xml = sheet_part(path).replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')
    with_sheet(path, prefixed(xml, "ш-1.x".encode()))
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    assert sheet_marks(path, package, "Төлөвлөгөө").extent == (1048576, 16384)
    read = read_file(path, config)
    assert [p.code for p in read.problems] == ["sheet-too-large"]


def test_a_cell_tag_followed_by_a_tab_or_line_break_is_still_a_cell(tmp_path: Path, config: Config) -> None:
    path = hf.good_template(tmp_path / "tab.xlsx")
    xml = sheet_part(path).replace(b"</sheetData>", b'<row\tr="900"><c\nr="Z900"\tt="n"><v>1</v></c></row></sheetData>')
    with_sheet(path, xml)
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    assert sheet_marks(path, package, "Төлөвлөгөө").extent == (900, 26)


def test_formulas_without_value_are_found_under_any_prefix(tmp_path: Path, config: Config) -> None:
    path = hf.formula_without_value(tmp_path / "formula.xlsx")
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    plain = sheet_marks(path, package, "Төлөвлөгөө")
    assert plain == SheetMarks(frozenset(), ((7, 8),), (8, 11))  # the fixture's formula at I8, found by the scan
    with_sheet(path, prefixed(sheet_part(path), b"f.1"))
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    assert sheet_marks(path, package, "Төлөвлөгөө") == plain


def test_the_saved_time_comes_from_the_dcterms_namespace_under_any_prefix(tmp_path: Path) -> None:
    path = hf.good_template(tmp_path / "core.xlsx")
    core = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<p:coreProperties xmlns:p="http://schemas.openxmlformats.org/'
            b'package/2006/metadata/core-properties" xmlns:t="http://purl.org/dc/terms/" xmlns:other="urn:not-dcterms" '
            b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><!-- <dcterms:modified>1999-01-01T00:00:00Z</dcterms:modified> -->'
            b'<other:modified>2000-01-01T00:00:00Z</other:modified><t:created xsi:type="t:W3CDTF">2026-10-01T09:00:00Z</t:created>'
            b'<t:modified xsi:type="t:W3CDTF"> 2026-11-03T10:24:00Z </t:modified></p:coreProperties>')
    hf.rewrite_parts(path, path.read_bytes(), {"docProps/core.xml": lambda _old: core})
    assert saved_time(path) == "2026-11-03T10:24:00Z"
    hf.rewrite_parts(path, path.read_bytes(), {"docProps/core.xml": lambda old: old.replace(b"<t:modified", b"<other:modified")
                                                .replace(b"</t:modified>", b"</other:modified>")})
    assert saved_time(path) == "2026-10-01T09:00:00Z"  # no modified time: the created one


def test_opendocument_sheets_count_whatever_the_table_prefix(tmp_path: Path, config: Config) -> None:
    ods = hf.ods_spreadsheet(tmp_path / "many.ods")
    hf.rewrite_ods_content(ods, lambda xml: xml.replace(b"</office:spreadsheet>", (
        b'<t:table xmlns:t="' + ODF_TABLE + b'" t:name="e"/>') * 250 + b"</office:spreadsheet>"))
    read = read_file(ods, config)
    assert [p.code for p in read.problems] == ["file-too-large"]
    assert read.problems[0].detail == "251 хуудас / sheets > 200"
    # elements named table in another namespace are not sheets
    ods = hf.ods_spreadsheet(tmp_path / "other.ods")
    hf.rewrite_ods_content(ods, lambda xml: xml.replace(b"</office:spreadsheet>", (
        b'<o:table xmlns:o="urn:not-a-table"/>') * 250 + b"</office:spreadsheet>"))
    package = inspect_file(ods, config.settings.limits)
    assert isinstance(package, Package) and package.kind == "ods"


def test_an_opendocument_manifest_is_read_by_namespace(tmp_path: Path, config: Config) -> None:
    manifest_ns = b"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

    def with_manifest(name: str, entry: bytes) -> Path:
        ods = hf.ods_spreadsheet(tmp_path / name)
        data = ods.read_bytes()
        with zipfile.ZipFile(ods) as z:
            manifest = z.read("META-INF/manifest.xml")
        return hf.rewrite_parts(ods, data, {"META-INF/manifest.xml": lambda _old: manifest.replace(b"</manifest:manifest>", entry
                                                                                                    + b"</manifest:manifest>")})

    commented = with_manifest("commented.ods", b"<!-- no encryption-data here -->")
    package = inspect_file(commented, config.settings.limits)
    assert isinstance(package, Package) and package.kind == "ods"
    encrypted = with_manifest("encrypted.ods", b'<m:file-entry xmlns:m="' + manifest_ns + b'" m:full-path="x"><m:encryption-data/></m:file-entry>')
    refusal = inspect_file(encrypted, config.settings.limits)
    assert not isinstance(refusal, Package) and refusal.code == "file-encrypted"


def test_a_flat_opendocument_file_is_known_by_its_root_element_not_its_prefix(tmp_path: Path, config: Config) -> None:
    plain = read_file(hf.flat_ods(tmp_path / "plain.fods"), config)
    path = hf.flat_ods(tmp_path / "prefixed.fods")
    xml = path.read_bytes().replace(b"xmlns:office=", b"xmlns:o=").replace(b"<office:", b"<o:").replace(b"</office:", b"</o:")
    path.write_bytes(xml.replace(b" office:", b" o:"))
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package) and package.kind == "fods" and package.prepare == "pack-fods"
    read = read_file(path, config)
    assert read.problems == plain.problems == []
    assert read.tables[0].measures == plain.tables[0].measures
    # the same root element with another mimetype is not a spreadsheet
    path.write_bytes(xml.replace(b"opendocument.spreadsheet", b"opendocument.text"))
    refusal = inspect_file(path, config.settings.limits)
    assert not isinstance(refusal, Package) and (refusal.code, refusal.foreign) == ("file-unreadable", True)


def test_an_opendocument_spreadsheet_with_other_prefixes_reads_as_the_usual_one(tmp_path: Path, config: Config) -> None:
    plain = read_file(hf.ods_spreadsheet(tmp_path / "plain.ods"), config)
    path = hf.ods_spreadsheet(tmp_path / "prefixed.ods")
    renames = {b"office": b"o", b"table": b"tbl", b"text": b"\xd1\x82"}  # "т", a Cyrillic prefix

    def change(xml: bytes) -> bytes:
        for old, new in renames.items():
            xml = xml.replace(b"xmlns:" + old + b"=", b"xmlns:" + new + b"=")
            xml = re.sub(rb"(</?|\s)" + old + rb":", rb"\1" + new + b":", xml)
        return xml

    hf.rewrite_ods_content(path, change)
    with zipfile.ZipFile(path) as archive:
        assert b"<tbl:table-row>" in archive.read("content.xml")
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package) and package.kind == "ods" and package.prepare == "odf-prefixes"
    assert inspect_file(tmp_path / "plain.ods", config.settings.limits) == Package(kind="ods")
    read = read_file(path, config)
    assert read.problems == plain.problems == []
    assert read.tables[0].measures == plain.tables[0].measures and len(read.tables[0].measures) == 2
