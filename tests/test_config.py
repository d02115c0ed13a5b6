"""The configuration a specialist edits: what the shipped mappings load as, and how every mistake is told.

The expected values below were taken from the loader as it was before the schema (pydantic) rewrite, so the
rewrite is held to loading exactly the same configuration.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.config import Band, Department, Level, Limits, Methodology, Settings, load_config
from pipeline.errors import ConfigError
from tests.conftest import MAPPINGS

# header_key(title) -> field, in the order the titles are listed (the reader's tie-break on equal lengths).
TITLES = [
    ('№', 'no'), ('дд', 'no'), ('дугаар', 'no'),
    ('no', 'no'), ('#', 'no'), ('зорилго', 'goal'),
    ('зорилт', 'goal'), ('стратегийнзорилт', 'goal'), ('үйлажиллагаанызорилт', 'goal'),
    ('хэрэгжүүлэхаргахэмжээ', 'measure'), ('аргахэмжээ', 'measure'), ('хэрэгжүүлэхүйлажиллагаа', 'measure'),
    ('төсөларгахэмжээ', 'measure'), ('зорилтыгхэрэгжүүлэхаргахэмжээ', 'measure'), ('хэрэгжүүлэхажил', 'measure'),
    ('үйлажиллагаа', 'measure'), ('шалгуурүзүүлэлт', 'indicator'), ('үрдүнгийншалгуурүзүүлэлт', 'indicator'),
    ('шалгуур', 'indicator'), ('суурьтүвшин', 'baseline'), ('суурьүзүүлэлт', 'baseline'),
    ('хүрэхтүвшин', 'target'), ('хүрэхтүвшинүрдүн', 'target'), ('хүрэхүрдүн', 'target'),
    ('хүрэхтүвшин%', 'target'), ('зорилтоттүвшин', 'target'), ('хугацаа', 'timeframe'),
    ('хэрэгжүүлэххугацаа', 'timeframe'), ('хэрэгжиххугацаа', 'timeframe'), ('төлөвлөгдсөнхугацаа', 'timeframe'),
    ('төлөвлөгдсөнхугацаасараар', 'timeframe'), ('хариуцахэзэн', 'responsible'), ('хариуцахнэгж', 'responsible'),
    ('хариуцахгазарнэгж', 'responsible'), ('хариуцанхэрэгжүүлэхмэргэжилтэн', 'responsible'), ('хариуцагч', 'responsible'),
    ('гүйцэтгэл', 'progress'), ('биелэлт', 'progress'), ('хэрэгжилт', 'progress'),
    ('хийжгүйцэтгэсэнажлынтайлан', 'progress'), ('хэрэгжилтийнявц', 'progress'), ('хүрсэнтүвшин', 'actual'),
    ('хүрсэнтүвшинүрдүн', 'actual'), ('хүрсэнүрдүн', 'actual'), ('хүрсэнтүвшин%', 'actual'),
    ('хэрэгжилтийнхувь', 'self_pct'), ('биелэлт%', 'self_pct'), ('биелэлтийнхувь', 'self_pct'),
    ('хувь', 'self_pct'), ('хэрэгжилт%', 'self_pct'), ('үнэлгээ', 'evaluation'),
    ('үнэлгээнийтүвшин', 'evaluation'), ('хшүнийүнэлгээ', 'evaluation'), ('тайлбар', 'note'),
    ('үнэлгээнийтайлбар', 'note'), ('саналтайлбар', 'note'), ('шаардагдаххөрөнгийнхэмжээ', 'budget'),
    ('зарцуулсанхөрөнгийнхэмжэээхүүсвэрсаятөгрөг', 'budget'), ('зарцуулсанхөрөнгийнхэмжээ', 'budget'), ('төсөв', 'budget'),
]
LABELS = [
    ('no', '№'), ('goal', 'Зорилго'), ('measure', 'Хэрэгжүүлэх арга хэмжээ'), ('indicator', 'Шалгуур үзүүлэлт'),
    ('baseline', 'Суурь түвшин'), ('target', 'Хүрэх түвшин'), ('timeframe', 'Хугацаа'), ('responsible', 'Хариуцах эзэн'),
    ('progress', 'Гүйцэтгэл'), ('actual', 'Хүрсэн түвшин'), ('self_pct', 'Хэрэгжилтийн хувь'), ('evaluation', 'Үнэлгээ'),
    ('note', 'Тайлбар'), ('budget', 'Шаардагдах хөрөнгө'),
]
META = [
    ('хэлтэснэгж', 'department'), ('хэлтэс', 'department'), ('байгууллага', 'department'), ('байгууллагыннэр', 'department'),
    ('нэгж', 'department'), ('алба', 'department'), ('сум', 'department'), ('он', 'year'),
    ('тайлантон', 'year'), ('тайлантсар', 'month'), ('сар', 'month'), ('тайлантхугацаа', 'period'),
    ('тайлантүе', 'period'), ('загварынхувилбар', 'version'),
]
GOAL_ROW_WORDS = ('Зорилго', 'Зорилт', 'Стратегийн зорилт', 'Үйл ажиллагааны зорилт', 'Бүлэг', 'Хэсэг')
SECTION_NUMERALS = ('НЭГ', 'ХОЁР', 'ГУРАВ', 'ДӨРӨВ', 'ТАВ', 'ЗУРГАА', 'ДОЛОО', 'НАЙМ', 'ЕС', 'АРАВ')

METHODOLOGY = Methodology(
    name='Үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн үнэлгээ (100/70/30/0)',
    name_en='Action plan implementation assessment (100/70/30/0)',
    levels=(
        Level(value=100.0, label='Бүрэн хэрэгжсэн', status='done'),
        Level(value=70.0, label='Хэрэгжих шатандаа', status='in_progress'),
        Level(value=30.0, label='Хэрэгжилт хангалтгүй', status='insufficient'),
        Level(value=0.0, label='Хэрэгжээгүй', status='not_done'),
    ),
    not_due_label='Хугацаа болоогүй',
    not_due_short='ХБ',
    not_evaluated_label='Үнэлээгүй',
    status_levels={'done': 100.0, 'in_progress': 70.0, 'insufficient': 30.0, 'not_done': 0.0},
    thresholds=((100.0, 100.0), (70.0, 70.0), (30.0, 30.0), (0.0, 0.0)),
    bands=(
        Band(above=90.0, label='Маш сайн', grade='A', color='#1A9850', label_en='Very good'),
        Band(above=80.0, label='Сайн', grade='B', color='#91CF60', label_en='Good'),
        Band(above=70.0, label='Хангалттай', grade='C', color='#FEE08B', label_en='Satisfactory'),
        Band(above=60.0, label='Сайжруулах шаардлагатай', grade='D', color='#FC8D59', label_en='Needs improvement'),
        Band(above=None, label='Хангалтгүй', grade='F', color='#D73027', label_en='Unsatisfactory'),
    ),
    points_divisor=20.0,
    rounding=1,
    pro_rate_counts=True,
    late_penalty_per_day=1.0,
)

FINE = Methodology(
    name='Хэрэгжилтийн нарийвчилсан үнэлгээ (0-100, 8 түвшин)',
    name_en='Detailed implementation assessment (0-100, 8 levels)',
    levels=(
        Level(value=100.0, label='Бүрэн хэрэгжсэн', status='done'),
        Level(value=90.0, label='Бараг бүрэн хэрэгжсэн', status='in_progress'),
        Level(value=80.0, label='Ихэнх нь хэрэгжсэн', status='in_progress'),
        Level(value=70.0, label='Хэрэгжих шатандаа', status='in_progress'),
        Level(value=50.0, label='Хагас хэрэгжсэн', status='insufficient'),
        Level(value=30.0, label='Хэрэгжилт хангалтгүй', status='insufficient'),
        Level(value=10.0, label='Эхлүүлсэн', status='not_done'),
        Level(value=0.0, label='Хэрэгжээгүй', status='not_done'),
    ),
    not_due_label='Хугацаа болоогүй',
    not_due_short='ХБ',
    not_evaluated_label='Үнэлээгүй',
    status_levels={'done': 100.0, 'in_progress': 70.0, 'insufficient': 30.0, 'not_done': 0.0},
    thresholds=((100.0, 100.0), (90.0, 90.0), (80.0, 80.0), (70.0, 70.0), (50.0, 50.0), (30.0, 30.0), (10.0, 10.0), (0.0, 0.0)),
    bands=(
        Band(above=89.99, label='Бүрэн үр дүнд хүрсэн', grade='A', color='#1A9850', label_en='Fully achieved'),
        Band(above=74.99, label='Тодорхой үр дүнд хүрсэн', grade='B', color='#91CF60', label_en='Partly achieved'),
        Band(above=49.99, label='Хангалтгүй', grade='C', color='#FC8D59', label_en='Unsatisfactory'),
        Band(above=None, label='Үр дүнгүй', grade='D', color='#D73027', label_en='Not achieved'),
    ),
    points_divisor=20.0,
    rounding=1,
    pro_rate_counts=True,
    late_penalty_per_day=1.0,
)

DEPARTMENTS = (
    Department(
        name='Захиргаа, удирдлагын хэлтэс', short='ЗУХ', aliases=('Захиргааны хэлтэс', 'Захиргаа удирдлага'),
        emails=('zuh@altantal.gov.mn',), official='Д.Сарангэрэл, ахлах мэргэжилтэн, 9911-2201',
    ),
    Department(
        name='Хөгжлийн бодлого, төлөвлөлтийн хэлтэс', short='ХБТХ', aliases=('Хөгжлийн бодлого', 'Бодлого төлөвлөлт'),
        emails=('hbth@altantal.gov.mn',), official='Б.Энхтуяа, дарга, 9911-2202',
    ),
    Department(
        name='Хууль, эрх зүйн хэлтэс', short='ХЭЗХ', aliases=('Хууль эрх зүй', 'Эрх зүйн хэлтэс'),
        emails=('hezh@altantal.gov.mn',), official='Г.Ганбат, дарга, 9911-2203',
    ),
    Department(
        name='Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс', short='ХШҮДАХ', aliases=('Хяналт шинжилгээ', 'ХШҮ', 'Дотоод аудит'),
        emails=('hshu@altantal.gov.mn',), official='Ц.Оюунчимэг, мэргэжилтэн, 9911-2204',
    ),
    Department(
        name='Санхүү, төрийн сангийн хэлтэс', short='СТСХ', aliases=('Санхүүгийн хэлтэс', 'Төрийн сан'),
        emails=('sts@altantal.gov.mn',), official='Н.Батцэцэг, ерөнхий нягтлан, 9911-2205',
    ),
    Department(
        name='Хүнс, хөдөө аж ахуйн газар', short='ХХААГ', aliases=('Хөдөө аж ахуй', 'ХХАА', 'Хүнс хөдөө аж ахуй'),
        emails=('hhaa@altantal.gov.mn',), official='Э.Балжинням, дарга, 9911-2206',
    ),
    Department(
        name='Боловсролын газар', short='БГ', aliases=('Боловсрол', 'Боловсрол, соёлын газар'),
        emails=('bolovsrol@altantal.gov.mn',), official='С.Мөнхзул, мэргэжилтэн, 9911-2207',
    ),
    Department(
        name='Эрүүл мэндийн газар', short='ЭМГ', aliases=('Эрүүл мэнд',),
        emails=('emg@altantal.gov.mn',), official='О.Нарангэрэл, мэргэжилтэн, 9911-2208',
    ),
    Department(
        name='Байгаль орчин, аялал жуулчлалын газар', short='БОАЖГ', aliases=('Байгаль орчин', 'Аялал жуулчлал'),
        emails=('boajg@altantal.gov.mn',), official='Т.Түвшинжаргал, мэргэжилтэн, 9911-2209',
    ),
    Department(
        name='Онцгой байдлын газар', short='ОБГ', aliases=('Онцгой байдал',),
        emails=('obg@altantal.gov.mn',), official='Л.Ганзориг, хурандаа, 9911-2210',
    ),
)

SETTINGS = Settings(
    store=None,
    utc_offset_hours=8.0,
    deadline_day=5,
    deadline_months_after=1,
    limits=Limits(
        max_file_bytes=52428800,
        max_unpacked_bytes=314572800,
        max_compression_ratio=200.0,
        max_rows=100000,
        max_cell_chars=10000,
        max_read_bytes=1024 * 1024 * 1024,  # the defaults of limits.max_read_mb and max_read_seconds
        max_read_seconds=60.0,
    ),
    department_sheets_max=60,
)


def test_the_shipped_mappings_load_as_before() -> None:
    config = load_config(MAPPINGS)
    assert config.root == MAPPINGS
    assert list(config.headers.titles.items()) == TITLES
    assert list(config.headers.labels.items()) == LABELS
    assert config.headers.required == frozenset({"measure"})
    assert list(config.headers.meta.items()) == META
    assert config.headers.goal_row_words == GOAL_ROW_WORDS
    assert config.headers.section_numerals == SECTION_NUMERALS
    assert config.methodology == METHODOLOGY
    assert list(config.methodology.status_levels) == ["done", "in_progress", "insufficient", "not_done"]
    assert config.departments == DEPARTMENTS
    assert config.settings == SETTINGS
    assert len(config.fingerprint) == 16


def test_the_fine_methodology_loads_as_before() -> None:
    assert load_config(MAPPINGS, methodology="methodology_fine.yaml").methodology == FINE


def test_the_types_are_kept_exactly() -> None:
    # float where the program computes with floats, int where it counts; a bool is never a number.
    config = load_config(MAPPINGS)
    method = config.methodology
    assert all(type(level.value) is float for level in method.levels)
    assert all(type(band.above) is float for band in method.bands[:-1])
    assert all(type(value) is float for value in method.status_levels.values())
    assert all(type(a) is float and type(b) is float for a, b in method.thresholds)
    assert type(method.points_divisor) is float and type(method.late_penalty_per_day) is float
    assert type(method.rounding) is int
    limits = config.settings.limits
    assert type(limits.max_file_bytes) is int and type(limits.max_unpacked_bytes) is int
    assert type(limits.max_compression_ratio) is float
    assert type(limits.max_rows) is int and type(limits.max_cell_chars) is int
    assert type(limits.max_read_bytes) is int and type(limits.max_read_seconds) is float
    assert type(config.settings.utc_offset_hours) is float
    assert type(config.settings.deadline_day) is int and type(config.settings.department_sheets_max) is int
    assert isinstance(config.settings.store, Path | None)


# --- every mistake told, with the file, the dotted key and what to write --------------------------------
UNKNOWN = "үл мэдэгдэх түлхүүр / unknown key; "
MISSING = "заавал байх түлхүүр алга / required key is missing"


def load_edited(tmp_path: Path, edits: Sequence[tuple[str, str | None, str]], **kwargs: str) -> list[tuple[str, str, str]]:
    """The issues (file name, key, message) of the shipped mappings with `edits` made: (file, old, new);
    old None replaces the whole file. [] when they load."""
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    for name, old, new in edits:
        path = root / name
        text = path.read_text(encoding="utf-8")
        if old is not None:
            assert text.count(old) >= 1, (name, old)
        path.write_text(new if old is None else text.replace(old, new, 1), encoding="utf-8")
    try:
        load_config(root, **kwargs)
    except ConfigError as error:
        assert all(Path(issue.file).parent == root for issue in error.issues)
        return [(Path(issue.file).name, issue.key, issue.message) for issue in error.issues]
    return []


# Line numbers in the shipped settings.yaml, so that editing its comments does not break these cases: the second
# utc_offset_hours is on the line after the first; YAML notices the unclosed "[" two lines after "limits:".
_SETTINGS_LINES = (MAPPINGS / "settings.yaml").read_text(encoding="utf-8").splitlines()
DUPLICATE_LINE = _SETTINGS_LINES.index("utc_offset_hours: 8") + 2
BROKEN_LINE = _SETTINGS_LINES.index("limits:") + 3

CASES: dict[str, tuple[list[tuple[str, str | None, str]], list[tuple[str, str, str]]]] = {
    # unknown keys, at the top and nested, with the nearest valid one
    "methodology top": (
        [("methodology.yaml", "late_penalty_per_day: 1", "late_penalty_per_dya: 5")],
        [("methodology.yaml", "late_penalty_per_dya", UNKNOWN + 'did you mean "late_penalty_per_day"?')],
    ),
    "methodology band": (
        [("methodology.yaml", 'label_en: "Satisfactory"', 'label_eng: "Satisfactory"')],
        [("methodology.yaml", "bands[2].label_eng", UNKNOWN + 'did you mean "label_en"?')],
    ),
    "methodology status": (
        [("methodology.yaml", "in_progress: 70,", "in_progres: 70,")],
        [("methodology.yaml", "status_levels.in_progress", MISSING),
         ("methodology.yaml", "status_levels.in_progres", UNKNOWN + 'did you mean "in_progress"?')],
    ),
    "methodology not_due": (
        [("methodology.yaml", 'short: "ХБ"', 'shrt: "ХБ"')],
        [("methodology.yaml", "not_due.shrt", UNKNOWN + 'did you mean "short"?')],
    ),
    "settings top": (
        [("settings.yaml", "deadline:", "deadlin:")],
        [("settings.yaml", "deadlin", UNKNOWN + 'did you mean "deadline"?')],
    ),
    "settings limits": (
        [("settings.yaml", "max_rows:", "max_rowz:")],
        [("settings.yaml", "limits.max_rowz", UNKNOWN + 'did you mean "max_rows"?')],
    ),
    "settings deadline": (
        [("settings.yaml", "{day: 5,", "{dya: 5,")],
        [("settings.yaml", "deadline.dya", UNKNOWN + 'did you mean "day"?')],
    ),
    "settings cycle": (
        [("settings.yaml", "cycle: monthly", "cycle: quartely")],
        [("settings.yaml", "cycle", '"quartely" (текст) биш: monthly, quarterly, half-yearly, annual-ийн аль нэг / must be one of '
          'monthly, quarterly, half-yearly, annual, got the text "quartely"; did you mean "quarterly"?')],
    ),
    "department cycle": (
        [("departments.yaml", '    short: "ЗУХ"\n', '    short: "ЗУХ"\n    cycle: half-yearl\n')],
        [("departments.yaml", "departments[0].cycle", '"half-yearl" (текст) биш: monthly, quarterly, half-yearly, annual-ийн аль нэг / '
          'must be one of monthly, quarterly, half-yearly, annual, got the text "half-yearl"; did you mean "half-yearly"?')],
    ),
    "period words": (
        [("headers.yaml", "  half_year:", "  half_yaer:")],
        [("headers.yaml", "period_words.half_yaer", UNKNOWN + 'did you mean "half_year"?')],
    ),
    "settings nothing near": (
        [("settings.yaml", "store:", "colour: red\nstore:")],
        [("settings.yaml", "colour", UNKNOWN + "known: methodology, store, utc_offset_hours, deadline, limits, output, plan_targets, reminders, cycle")],
    ),
    "headers top": (
        [("headers.yaml", "goal_row_words:", "goal_row_word:")],
        [("headers.yaml", "goal_row_word", UNKNOWN + 'did you mean "goal_row_words"?')],
    ),
    "headers field spec": (
        [("headers.yaml", 'titles: ["Хүрэх түвшин",', 'titels: ["Хүрэх түвшин",')],
        [("headers.yaml", "fields.target.titles", MISSING),
         ("headers.yaml", "fields.target.titels", UNKNOWN + 'did you mean "titles"?')],
    ),
    "headers field name": (
        [("headers.yaml", "  measure:\n", "  mesure:\n")],
        [("headers.yaml", "fields.mesure", UNKNOWN + 'did you mean "measure"?')],
    ),
    "headers unknown field": (
        [("headers.yaml", "  goal:\n", "  aim:\n")],
        [("headers.yaml", "fields.aim", UNKNOWN + "known: no, goal, measure, indicator, baseline, target, timeframe, "
                                                  "responsible, progress, actual, self_pct, evaluation, note, budget")],
    ),
    "headers meta": (
        [("headers.yaml", '  year: ["Он"', '  yaer: ["Он"')],
        [("headers.yaml", "meta.yaer", UNKNOWN + 'did you mean "year"?')],
    ),
    "departments top": (
        [("departments.yaml", "departments:", "departmnets:")],
        [("departments.yaml", "departments", MISSING),
         ("departments.yaml", "departmnets", UNKNOWN + 'did you mean "departments"?')],
    ),
    "departments nested": (
        [("departments.yaml", 'emails: ["hhaa@altantal.gov.mn"]', 'emial: ["hhaa@altantal.gov.mn"]')],
        [("departments.yaml", "departments[5].emial", UNKNOWN + 'did you mean "emails"?')],
    ),
    # wrong types: what was expected, and what was written, in plain words
    "a whole number": (
        [("methodology.yaml", "rounding: 1", "rounding: 1.5")],
        [("methodology.yaml", "rounding", "бүхэл тоо байх ёстой, 1.5 (тоо) байна / must be a whole number, got the number 1.5")],
    ),
    "a number is not read from text": (
        [("settings.yaml", "max_file_mb: 50", 'max_file_mb: "50"')],
        [("settings.yaml", "limits.max_file_mb", 'тоо байх ёстой, "50" (текст) байна / must be a number, got the text "50"')],
    ),
    "a bool is not a number": (
        [("methodology.yaml", "points_divisor: 20", "points_divisor: true")],
        [("methodology.yaml", "points_divisor", "тоо байх ёстой, true байна / must be a number, got true")],
    ),
    "true or false": (
        [("methodology.yaml", "pro_rate_counts: true", "pro_rate_counts: sometimes")],
        [("methodology.yaml", "pro_rate_counts",
          'true эсвэл false байх ёстой, "sometimes" (текст) байна / must be true or false, got the text "sometimes"')],
    ),
    "text": (
        [("methodology.yaml", 'label_en: "Good"', "label_en: 5")],
        [("methodology.yaml", "bands[1].label_en", "текст байх ёстой, 5 (тоо) байна / must be text, got the number 5")],
    ),
    "the store is text": (
        [("settings.yaml", "store:", "store: [a]")],
        [("settings.yaml", "store", "текст байх ёстой, жагсаалт байна / must be text, got a list")],
    ),
    "a list": (
        [("departments.yaml", 'aliases: ["Эрүүл мэнд"]', 'aliases: "Эрүүл мэнд"')],
        [("departments.yaml", "departments[7].aliases",
          'жагсаалт ([...] эсвэл мөр бүрд - ) байх ёстой, "Эрүүл мэнд" (текст) байна / '
          "must be a list ([...] or one '- ' line per item), got the text \"Эрүүл мэнд\"")],
    ),
    "a mapping": (
        [("settings.yaml", "deadline: {day: 5, months_after: 1}", "deadline: 5")],
        [("settings.yaml", "deadline", "түлхүүр: утга хэлбэртэй хэсэг байх ёстой, 5 (тоо) байна / "
                                      "must be a mapping of keys (key: value), got the number 5")],
    ),
    "an empty value": (
        [("methodology.yaml", "rounding: 1", "rounding:")],
        [("methodology.yaml", "rounding", "бүхэл тоо байх ёстой, хоосон байна / must be a whole number, got nothing (the value is empty)")],
    ),
    "empty text": (
        [("departments.yaml", 'name: "Боловсролын газар"', 'name: "  "')],
        [("departments.yaml", "departments[6].name", "хоосон байж болохгүй / must not be empty")],
    ),
    "a list item": (
        [("headers.yaml", '"Төсөв"\n', "7\n")],
        [("headers.yaml", "fields.budget.titles[3]", "текст байх ёстой, 7 (тоо) байна / must be text, got the number 7")],
    ),
    "one of": (
        [("methodology.yaml", "status: done}", "status: dnoe}")],
        [("methodology.yaml", "levels[0].status",
          '"dnoe" (текст) биш: done, in_progress, insufficient, not_done-ийн аль нэг / '
          'must be one of done, in_progress, insufficient, not_done, got the text "dnoe"; did you mean "done"?')],
    ),
    "a whole file of the wrong shape": (
        [("settings.yaml", None, "- a\n- b\n")],
        [("settings.yaml", "(файл)", "түлхүүр: утга хэлбэртэй хэсэг байх ёстой, жагсаалт байна / "
                                     "must be a mapping of keys (key: value), got a list")],
    ),
    # the cross-checks
    "a level within 0-100": (
        [("methodology.yaml", "{value: 70,", "{value: 170,")],
        [("methodology.yaml", "levels[1].value", "0-100 хооронд байх ёстой, 170 байна / must be within 0-100, got 170")],
    ),
    "a level listed twice": (
        [("methodology.yaml", "{value: 30,", "{value: 70,")],
        [("methodology.yaml", "levels[2].value", "70 түвшин давхардсан / the level 70 is listed twice")],
    ),
    "a status level that is no level": (
        [("methodology.yaml", "insufficient: 30,", "insufficient: 35,")],
        [("methodology.yaml", "status_levels.insufficient", "35 нь levels-д байхгүй / is not one of the levels")],
    ),
    "a threshold level that is no level": (
        [("methodology.yaml", "- {min: 70, level: 70}", "- {min: 70, level: 75}")],
        [("methodology.yaml", "thresholds[1].level", "75 нь levels-д байхгүй / is not one of the levels")],
    ),
    "the lowest threshold": (
        [("methodology.yaml", "- {min: 0, level: 0}", "- {min: 5, level: 0}")],
        [("methodology.yaml", "thresholds", "хамгийн бага босго 0 байх ёстой / the lowest threshold must be min: 0")],
    ),
    "bands from the highest down": (
        [("methodology.yaml", "{above: 80,", "{above: 95,")],
        [("methodology.yaml", "bands[1].above",
          "above-ыг ихээс бага руу эрэмбэлнэ (95 > 90) / list bands from the highest down (95 after 90)")],
    ),
    "the last band takes the rest": (
        [("methodology.yaml", "{above: null,", "{above: 10,")],
        [("methodology.yaml", "bands[4].above",
          "сүүлийн зэрэглэл above: null байна / the last band has above: null (it takes the rest)")],
    ),
    "only the last band": (
        [("methodology.yaml", "{above: 80,", "{above: null,")],
        [("methodology.yaml", "bands[1].above", "сүүлийн зэрэглэл л above: null байна / only the last band has above: null")],
    ),
    "at least one band": (
        [("methodology.yaml", "bands:\n", "bands: []\nunused:\n")],
        [("methodology.yaml", "bands", "дор хаяж нэг зэрэглэл / at least one band is needed"),
         ("methodology.yaml", "unused", UNKNOWN + "known: name, name_en, levels, not_due, not_evaluated, status_levels, thresholds, "
                                                  "bands, points_divisor, rounding, pro_rate_counts, late_penalty_per_day, parent_percent")],
    ),
    "a color": (
        [("methodology.yaml", 'color: "#FEE08B"', 'color: "FEE08B"')],
        [("methodology.yaml", "bands[2].color", '#RRGGBB хэлбэрээр бичнэ, "FEE08B" байна / must be like #1A9850, got "FEE08B"')],
    ),
    "a positive divisor": (
        [("methodology.yaml", "points_divisor: 20", "points_divisor: 0")],
        [("methodology.yaml", "points_divisor", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0")],
    ),
    "no negative penalty": (
        [("methodology.yaml", "late_penalty_per_day: 1", "late_penalty_per_day: -1")],
        [("methodology.yaml", "late_penalty_per_day",
          "0 эсвэл эерэг тоо байх ёстой, -1 (тоо) байна / must be 0 or positive, got the number -1")],
    ),
    "a deadline day every month has": (
        [("settings.yaml", "{day: 5,", "{day: 31,")],
        [("settings.yaml", "deadline.day", "1-28 хооронд байх ёстой, 31 байна / must be 1-28 so every month has it, got 31")],
    ),
    "no deadline day 0": (
        [("settings.yaml", "{day: 5,", "{day: 0,")],
        [("settings.yaml", "deadline.day", "1-28 хооронд байх ёстой, 0 байна / must be 1-28 so every month has it, got 0")],
    ),
    "positive limits": (
        [("settings.yaml", "max_rows: 100000", "max_rows: 0"),
         ("settings.yaml", "max_compression_ratio: 200", "max_compression_ratio: -2"),
         ("settings.yaml", "department_sheets_max: 60", "department_sheets_max: 0")],
        [("settings.yaml", "limits.max_compression_ratio", "эерэг тоо байх ёстой, -2 (тоо) байна / must be positive, got the number -2"),
         ("settings.yaml", "limits.max_rows", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0"),
         ("settings.yaml", "output.department_sheets_max", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0")],
    ),
    "the new read limits": (
        [("settings.yaml", "max_read_mb: 1024", "max_read_mb: 0"), ("settings.yaml", "max_read_seconds: 60", "max_read_seconds: soon")],
        [("settings.yaml", "limits.max_read_mb", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0"),
         ("settings.yaml", "limits.max_read_seconds", 'тоо байх ёстой, "soon" (текст) байна / must be a number, got the text "soon"')],
    ),
    "a department name twice": (
        [("departments.yaml", 'name: "Онцгой байдлын газар"', 'name: "Эрүүл мэндийн газар"')],
        [("departments.yaml", "departments[9].name", '"Эрүүл мэндийн газар" нэр Эрүүл мэндийн газар-д бас байна / '
                                                    "also names Эрүүл мэндийн газар")],
    ),
    "an alias of another department": (
        [("departments.yaml", 'aliases: ["Эрүүл мэнд"]', 'aliases: ["Онцгой байдал"]')],
        [("departments.yaml", "departments[9].aliases[0]", '"Онцгой байдал" нэр Эрүүл мэндийн газар-д бас байна / '
                                                          "also names Эрүүл мэндийн газар")],
    ),
    "a short name of another department": (
        [("departments.yaml", 'short: "ЭМГ"', 'short: "Онцгой байдал"')],
        [("departments.yaml", "departments[9].aliases[0]", '"Онцгой байдал" нэр Эрүүл мэндийн газар-д бас байна / '
                                                          "also names Эрүүл мэндийн газар")],
    ),
    "an email without @": (
        [("departments.yaml", '"emg@altantal.gov.mn"', '"emg.altantal.gov.mn"')],
        [("departments.yaml", "departments[7].emails[0]", '"emg.altantal.gov.mn" и-мэйл хаяг биш / is not an email address')],
    ),
    "a title under two fields": (
        [("headers.yaml", '      - "Хугацаа"\n', '      - "ХҮРЭХ  түвшин"\n')],
        [("headers.yaml", "fields.timeframe.titles[0]", '"ХҮРЭХ  түвшин" гарчиг target талбарт бас байна / also under target')],
    ),
    "a meta label under two keys": (
        [("headers.yaml", '["Тайлант сар", "Сар"]', '["Тайлант сар", "Он"]')],
        [("headers.yaml", "meta.month[1]", '"Он" шошго year түлхүүрт бас байна / also under year')],
    ),
    "a title of no letters": (
        [("headers.yaml", '"Хэрэгжүүлэх ажил"\n', '"--"\n')],
        [("headers.yaml", "fields.measure.titles[5]", "үсэг, тоо агуулаагүй / has no letters or digits")],
    ),
    # what YAML would silently get wrong
    "the bare no key": (
        [("headers.yaml", '"no":   #', "no:   #")],
        [("headers.yaml", "fields.no", 'түлхүүрийг хашилтад бичнэ үү (11-р мөр) / write the key in quotes (line 11), '
                                       'e.g. "no": — a bare no means true or false in YAML')],
    ),
    "a key listed twice": (
        [("settings.yaml", "utc_offset_hours: 8", "utc_offset_hours: 8\nutc_offset_hours: 9")],
        [("settings.yaml", "utc_offset_hours", f"түлхүүр давхардсан ({DUPLICATE_LINE}-р мөр) / the key is listed twice "
                                               f"(line {DUPLICATE_LINE})")],
    ),
    "a YAML mistake names the line": (
        [("settings.yaml", "limits:\n", "limits: [\n")],
        [("settings.yaml", "(файл)", f"YAML бичлэгийн алдаа {BROKEN_LINE}-р мөрөнд / not valid YAML at line {BROKEN_LINE}, column 3: "
                                     "expected ',' or ']', but got '<scalar>' "
                                     "(check the indentation, a missing ':' or an unclosed quote or bracket)")],
    ),
    "an empty file": (
        [("departments.yaml", None, "")],
        [("departments.yaml", "departments", MISSING)],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_mistake_is_named_with_its_file_key_and_remedy(tmp_path: Path, name: str) -> None:
    edits, expected = CASES[name]
    assert load_edited(tmp_path, edits) == expected


def test_measure_must_be_a_field(tmp_path: Path) -> None:
    text = (MAPPINGS / "headers.yaml").read_text(encoding="utf-8")
    start = text.index("  measure:\n")
    end = text.index("  indicator:\n")
    assert load_edited(tmp_path, [("headers.yaml", text[start:end], "")]) == [
        ("headers.yaml", "fields.measure", "арга хэмжээний багана заавал тодорхойлогдсон байх ёстой / the measure field is required"),
    ]


def test_every_mistake_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    issues = load_edited(tmp_path, [
        ("headers.yaml", "  measure:\n", "  mesure:\n"),
        ("settings.yaml", "deadline:", "deadlin:"),
        ("settings.yaml", "max_rows: 100000", "max_rows: 0"),
        ("methodology.yaml", "late_penalty_per_day: 1", "late_penalty_per_dya: 5"),
        ("methodology.yaml", "{value: 70,", "{value: 170,"),
        ("methodology.yaml", 'color: "#FEE08B"', 'color: "FEE08B"'),
        ("methodology.yaml", "rounding: 1", "rounding: one"),
        ("departments.yaml", 'emails: ["hhaa@altantal.gov.mn"]', 'emial: ["hhaa@altantal.gov.mn"]'),
        ("departments.yaml", '"emg@altantal.gov.mn"', '"emg.altantal.gov.mn"'),
    ])
    assert [(file, key) for file, key, _ in issues] == [
        ("headers.yaml", "fields.mesure"),
        ("settings.yaml", "limits.max_rows"),
        ("settings.yaml", "deadlin"),
        ("methodology.yaml", "levels[1].value"),
        ("methodology.yaml", "bands[2].color"),
        ("methodology.yaml", "rounding"),
        ("methodology.yaml", "late_penalty_per_dya"),
        ("departments.yaml", "departments[5].emial"),
        ("departments.yaml", "departments[7].emails[0]"),
    ]


def test_the_methodology_named_in_settings_is_checked_even_when_settings_has_a_mistake(tmp_path: Path) -> None:
    issues = load_edited(tmp_path, [
        ("settings.yaml", "methodology: methodology.yaml", "methodology: methodology_fine.yaml\nmetodology: x"),
        ("methodology_fine.yaml", "rounding: 1", "rounding: x"),
    ])
    assert issues == [
        ("settings.yaml", "metodology", UNKNOWN + 'did you mean "methodology"?'),
        ("methodology_fine.yaml", "rounding", 'бүхэл тоо байх ёстой, "x" (текст) байна / must be a whole number, got the text "x"'),
    ]


def test_the_methodology_given_on_the_command_line_is_the_one_checked(tmp_path: Path) -> None:
    edits = [("methodology_fine.yaml", "rounding: 1", "roundng: 1")]
    assert load_edited(tmp_path, edits, methodology="methodology_fine.yaml") == [
        ("methodology_fine.yaml", "roundng", UNKNOWN + 'did you mean "rounding"?'),
    ]
    assert load_edited(tmp_path / "again", [("methodology_fine.yaml", "rounding: 1", "roundng: 1")]) == []


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    (root / "departments.yaml").unlink()
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    assert [str(issue) for issue in caught.value.issues] == [f"{root / 'departments.yaml'}: (файл): файл олдсонгүй / file not found"]


def test_an_empty_settings_file_gives_the_defaults(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    (root / "settings.yaml").write_text("# nothing set\n", encoding="utf-8")
    settings = load_config(root).settings
    assert settings == SETTINGS
    assert type(settings.utc_offset_hours) is float and type(settings.limits.max_compression_ratio) is float
    assert type(settings.limits.max_read_seconds) is float


def test_the_store_stays_the_path_as_written(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    (root / "settings.yaml").write_text("store: work/negtgel.db\nlimits: {max_read_mb: 2, max_read_seconds: 5}\n", encoding="utf-8")
    settings = load_config(root).settings
    assert settings.store == Path("work/negtgel.db")
    assert (settings.limits.max_read_bytes, settings.limits.max_read_seconds) == (2 * 1024 * 1024, 5.0)


def test_values_are_read_as_the_old_loader_read_them(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    text = (root / "departments.yaml").read_text(encoding="utf-8")
    (root / "departments.yaml").write_text(
        text.replace('["zuh@altantal.gov.mn"]', '["  ZUH@Altantal.gov.mn "]').replace('short: "ЗУХ"', 'short: " ЗУХ "'), encoding="utf-8")
    first = load_config(root).departments[0]
    assert (first.short, first.emails) == ("ЗУХ", ("zuh@altantal.gov.mn",))
