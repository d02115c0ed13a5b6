"""The workspace: one folder that holds everything negtgel keeps, whatever folder or mailbox feeds it.

    <workspace>/
      mappings/      the configuration the specialist edits (validated at start)
      input/         reports put here by hand (the default input folder; any other folder may feed it)
      archive/       every received file, never changed or deleted: archive/YYYY-MM/<department>/<name>
      quarantine/    mail attachments from unknown senders
      output/        the published reports: output/YYYY-MM/ (`-o` writes them elsewhere)
      negtgel.db     the store: submissions, history, reviews, closings (`store:` in settings.yaml)
      plans/         the approved plans of each year and the log of accepted changes (pipeline/plan.py)
      outbox/        the templates and reminders sent out, one JSON line each (pipeline/outbox.py)

Archive paths are recorded relative to the workspace, so the workspace can be moved or copied whole, and
feeding the same files from another input folder changes nothing. A workspace is found from any folder
inside it, as git finds `.git`: the nearest folder upwards that holds `mappings/settings.yaml`.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import NegtgelError
from pipeline.words import both

WORKSPACE_ENV = "NEGTGEL_WORKSPACE"
MAPPINGS_DIR = "mappings"
MARKER = Path(MAPPINGS_DIR) / "settings.yaml"
INPUT_DIR = "input"
ARCHIVE_DIR = "archive"
QUARANTINE_DIR = "quarantine"
OUTPUT_DIR = "output"
STORE_NAME = "negtgel.db"
README_NAME = "README.md"
# The default mappings that `negtgel init` copies. departments.yaml is written fresh (see DEPARTMENTS_TEMPLATE):
# the shipped one lists the example aimag's departments, which a real office must not inherit unnoticed.
DEFAULT_FILES = ("headers.yaml", "notation.yaml", "methodology.yaml", "methodology_fine.yaml", "settings.yaml", "mail.yaml")
# The default folders of mappings that `negtgel init` copies: the example scorecards (issue 18).
DEFAULT_FOLDERS = ("scorecards",)


@dataclass(frozen=True)
class Workspace:
    """Where one office's consolidation lives. Every path the program writes is under `root`, except
    outputs sent elsewhere with `-o` and a store named elsewhere in settings.yaml or with `--store`."""

    root: Path
    mappings: Path

    @classmethod
    def at(cls, root: Path, mappings: Path | None = None) -> Workspace:
        root = root.expanduser().absolute()
        return cls(root=root, mappings=(mappings.expanduser().absolute() if mappings else root / MAPPINGS_DIR))

    @property
    def input(self) -> Path:
        return self.root / INPUT_DIR

    @property
    def archive(self) -> Path:
        return self.root / ARCHIVE_DIR

    @property
    def quarantine(self) -> Path:
        return self.root / QUARANTINE_DIR

    @property
    def output(self) -> Path:
        return self.root / OUTPUT_DIR

    def store_path(self, configured: Path | str | None = None, override: Path | str | None = None) -> Path | str:
        """The store: `--store`, else settings.yaml `store:` (relative to the workspace), else negtgel.db here.
        A database server's URL (postgresql://...) is text, as given."""
        chosen = override or configured
        if isinstance(chosen, str):
            if "://" in chosen:
                return chosen
            chosen = Path(chosen)
        if chosen is None:
            legacy = self.output / STORE_NAME  # where versions before the workspace kept it
            return legacy if legacy.is_file() and not (self.root / STORE_NAME).exists() else self.root / STORE_NAME
        chosen = chosen.expanduser()
        return chosen if chosen.is_absolute() or override is not None else self.root / chosen

    def resolve(self, recorded: str) -> Path:
        """A path the store recorded (relative to the workspace) as a path on this machine."""
        path = Path(recorded)
        return path if path.is_absolute() else self.root / path

    def relative(self, path: Path) -> str:
        """How the store records a path inside the workspace: relative, with forward slashes on every system."""
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            return path.absolute().as_posix()


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds mappings/settings.yaml."""
    start = start.expanduser().absolute()
    for folder in (start, *start.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def locate(workspace: str | os.PathLike[str] | None = None, mappings: str | os.PathLike[str] | None = None,
           cwd: Path | None = None) -> Workspace:
    """The workspace a command works in: `--workspace` (or NEGTGEL_WORKSPACE), else the folder that holds the
    `--mappings` given, else the one the current folder is inside. Raises NegtgelError saying how to make one."""
    chosen = workspace or os.environ.get(WORKSPACE_ENV) or None
    mappings_path = Path(mappings) if mappings else None
    if chosen:
        root = Path(chosen)
        if mappings_path is None and not (root / MARKER).is_file():
            raise NegtgelError(
                both("messages.workspace.root_not_negtgel_workspace", sep=" / ", root=root, marker=MARKER)
            )
        return Workspace.at(root, mappings_path)
    if mappings_path is not None:
        # A workspace is the folder that holds its mappings: `--mappings` names one as surely as `--workspace`.
        return Workspace.at(mappings_path.expanduser().absolute().parent, mappings_path)
    found = find_root(cwd or Path.cwd())
    if found is not None:
        return Workspace.at(found)
    raise NegtgelError(
        both("messages.workspace.not_inside_negtgel_workspace", sep=" / ")
    )


def default_mappings() -> Path:
    """The mappings shipped with the program: inside the installed package (`pipeline.defaults`, built from the
    repository's mappings/ folder), or the repository's mappings/ itself in an editable install."""
    here = Path(__file__).resolve().parent
    shipped = here / "defaults"
    if (shipped / "settings.yaml").is_file():
        return shipped
    repository = here.parent / MAPPINGS_DIR
    if (repository / "settings.yaml").is_file():
        return repository
    raise NegtgelError(both("messages.workspace.default_mappings_missing_from", sep=" / "))


DEPARTMENTS_TEMPLATE = """\
# Тайлан ирүүлэх хэлтэс, нэгжүүд. Жишээг өөрийн байгууллагынхаар солино уу.
# Expected departments (units) that report every period. Replace the example with your own list.
#   name:     бүтэн нэр / the full name, as it should appear in reports
#   short:    товчлол / the abbreviation used in charts and file names
#   aliases:  өөр бичигдэх хэлбэрүүд / other ways the name is written (in files' department cells or names)
#   emails:   тайлан илгээх хаягууд / the addresses that send this department's reports
#   official: тайлан ирээгүй бол хэнтэй холбогдох / who to call when the report is missing
departments:
  - name: "Захиргаа, удирдлагын хэлтэс"
    short: "ЗУХ"
    aliases: ["Захиргааны хэлтэс"]
    emails: []
    official: ""
"""

README_TEMPLATE = """\
# negtgel — ажлын хавтас

Энэ хавтаст нэгтгэлд хэрэгтэй бүх зүйл хадгалагдана. Хавтсыг бүхэлд нь хуулж, зөөж болно.

| хавтас, файл | юу байх вэ |
|---|---|
| `mappings/` | тохиргоо: хэлтсүүд (`departments.yaml`), үнэлгээний аргачлал (`methodology.yaml`), хугацаа, хязгаар (`settings.yaml`), и-мэйл (`mail.yaml`) |
| `input/` | хэлтсүүдийн ирүүлсэн Excel тайланг энд хуулна |
| `archive/` | ирсэн файл бүрийн хуулбар; **устгаж, засаж болохгүй** — дүн эндээс дахин бодогдоно |
| `quarantine/` | үл мэдэгдэх хаягаас ирсэн хавсралтууд |
| `output/` | нэгтгэл: `output/ОООО-СС/` хавтаст ажлын номууд, график, PDF |
| `scorecards/` | үнэлгээчдийн бөглөж ирүүлсэн ажлын номууд: `scorecards/НЭР/ОООО-СС/` (`negtgel scorecard --help`) |
| `plans/` | батлагдсан төлөвлөгөө: `plans/ОООО/` хэлтэс бүрийнх, зөвшөөрсөн өөрчлөлтийн бүртгэл (`negtgel plan --help`) |
| `outbox/` | илгээсэн загвар, сануулгын бүртгэл; нэг зүйлийг хоёр удаа илгээхгүй |
| `negtgel.db` | санах ой: ирсэн тайлан, засвар, хаалт, өмнөх саруудын дүн |

## Алхмууд
1. `mappings/departments.yaml` файлд өөрийн хэлтсүүдийг бичнэ.
   Жилийн эхэнд батлагдсан төлөвлөгөөг оруулна: `negtgel plan import ФАЙЛ... --year ОООО`; загвар илгээх:
   `negtgel send-templates --period ОООО-СС --send`; сануулах: `negtgel remind --period ОООО-СС --send`.
2. Ирсэн тайлангуудыг `input/` хавтаст хуулна.
3. Энэ хавтаст (эсвэл доторх аль ч хавтаст) `negtgel run` гэж ажиллуулна.
4. `output/` доторх `summary_ОООО-СС.xlsx`-ийг удирдлагад, `negtgel_ОООО-СС.xlsx`-ийг хянахад ашиглана.

Тушаал бүрийн тайлбар: `negtgel --help`, `negtgel run --help`.

---
Workspace of negtgel: mappings (configuration), input (reports put by hand), archive (every received file;
never delete or edit), quarantine, output (the reports) and negtgel.db (the store). Run `negtgel run` from here.
"""


def init(folder: Path) -> Workspace:
    """Create a workspace with the default mappings, empty input/ and output/, and a README for the specialist.
    An existing workspace is left exactly as it is (its files are the specialist's)."""
    folder = folder.expanduser().absolute()
    if (folder / MARKER).is_file():
        raise NegtgelError(both("messages.workspace.folder_already_workspace_nothing", sep=" / ", folder=folder))
    if folder.exists() and not folder.is_dir():
        raise NegtgelError(both("messages.workspace.folder_file_not_folder", sep=" / ", folder=folder))
    source = default_mappings()
    mappings = folder / MAPPINGS_DIR
    try:
        mappings.mkdir(parents=True, exist_ok=True)
        for name in DEFAULT_FILES:
            target = mappings / name
            if not target.exists():
                shutil.copyfile(source / name, target)
        for sub in DEFAULT_FOLDERS:
            (mappings / sub).mkdir(exist_ok=True)
            for shipped in sorted((source / sub).glob("*.yaml")):
                if not (mappings / sub / shipped.name).exists():
                    shutil.copyfile(shipped, mappings / sub / shipped.name)
        _write_new(mappings / "departments.yaml", DEPARTMENTS_TEMPLATE)
        for sub in (INPUT_DIR, OUTPUT_DIR):
            (folder / sub).mkdir(exist_ok=True)
        _write_new(folder / README_NAME, README_TEMPLATE)
    except OSError as exc:
        raise NegtgelError(f"{folder} хавтсыг үүсгэж чадсангүй ({exc.strerror or exc}) / could not create the workspace.") from None
    return Workspace.at(folder)


def _write_new(path: Path, text: str) -> None:
    if not path.exists():
        path.write_text(text, encoding="utf-8")
