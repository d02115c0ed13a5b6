"""Write every output of a period into OUTPUT_DIR/YYYY-MM/, each file atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.output.charts import write_charts
from pipeline.output.consolidated import write_consolidated
from pipeline.output.csvs import write_measures_csv, write_problems_csv
from pipeline.output.safe import Written
from pipeline.output.summary import write_summary
from pipeline.problems import Lang
from pipeline.review import review_path, write_review


def write_outputs(report: Any, period_dir: Path, config: Config, *, lang: Lang = "mn") -> list[Written]:
    period_dir.mkdir(parents=True, exist_ok=True)
    problems = report.problems.to_frame(lang)
    written: list[Written] = []
    written += write_consolidated(
        report,
        period_dir / f"negtgel_{report.period}.xlsx",
        lang,
        department_sheets_max=config.settings.department_sheets_max,
        problems=problems,
    )
    written.append(write_summary(report, period_dir / f"summary_{report.period}.xlsx", lang, config.methodology))
    written += write_charts(report, period_dir, config.methodology, lang)
    written.append(write_measures_csv(report.measures, period_dir / "measures.csv"))
    written.append(write_problems_csv(problems, period_dir / "problems.csv"))
    review = review_path(period_dir, report.period)
    write_review(report.measures, report.overrides, report.unmatched_overrides, config.methodology, review)
    written.append(Written(review))
    return written
