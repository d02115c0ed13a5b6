"""The configuration a specialist edits: what the shipped mappings load as, and how every mistake is told.

The expected values below were taken from the loader as it was before the schema (pydantic) rewrite, so the
rewrite is held to loading exactly the same configuration.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Band, Department, Level, Limits, Methodology, Settings, load_config
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
    mail={},
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
