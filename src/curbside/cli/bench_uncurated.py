"""``curbside bench answers BEIR_DIR --ideal FILE…``: answers on an uncurated corpus."""

from __future__ import annotations

import json
from pathlib import Path

from curbside.cli.common import console, err_console, fail


def bench_uncurated(
    dataset_dir: Path,
    ideal_files: list[Path],
    workdir: Path | None,
    limit: int,
    *,
    no_dense: bool,
    as_json: bool,
) -> None:
    """Ingest the BEIR folder as is, answer its questions, score against ideal answers."""
    from curbside.bench.reference import reference_available
    from curbside.bench.retrieval import load_beir
    from curbside.bench.rouge import rouge_available
    from curbside.bench.uncurated import check_ideal_coverage, load_ideal, run_uncurated
    from curbside.errors import CurbsideError

    try:
        beir = load_beir(dataset_dir)
        ideal = load_ideal(ideal_files)
        notice = check_ideal_coverage(beir, ideal)
        if ideal and not rouge_available():
            raise CurbsideError(
                "ROUGE scoring needs the rouge-score package (pip install rouge-score, or the "
                "dev extra)"
            )
        baseline = reference_available()
        if notice:
            err_console.print(notice, highlight=False)
        if ideal and not baseline:
            err_console.print("bm25s is not installed: the baseline column is left empty")
        report = run_uncurated(
            beir,
            ideal,
            dense=not no_dense,
            workdir=workdir,
            limit=limit or None,
            baseline=baseline,
            progress=lambda m: err_console.print(m, highlight=False),
        )
    except CurbsideError as err:
        raise fail(str(err), 2) from err
    if report.notice:
        err_console.print(report.notice, highlight=False)
    summary = report.summary()
    if as_json:
        refused = [r.id for r in report.refused_answerable]
        print(json.dumps({"summary": summary, "refused_answerable": refused}, indent=2))
        return
    console.print(
        f"{dataset_dir.name}: corpus ingested as is, dense={'on' if report.dense else 'off'}, "
        f"both texts cut to {report.word_budget} words"
    )
    for key, value in summary.items():
        console.print(f"{key:>24}: {value}", highlight=False)
    if report.refused_answerable:
        ids = ", ".join(r.id for r in report.refused_answerable[:20])
        more = len(report.refused_answerable) - 20
        console.print(f"refused although answerable: {ids}" + (f" (+{more})" if more > 0 else ""))
