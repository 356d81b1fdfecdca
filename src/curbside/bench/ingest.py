"""Ingest throughput benchmark on synthetic PubMed XML made by our own generator.

The generated articles are random word salad over a fixed vocabulary: realistic in
shape (structured abstracts, MeSH, publication types, ids) but carrying no claims.
"""

from __future__ import annotations

import os
import platform
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from curbside.store import Library

_WORDS = [
    "tumor",
    "liver",
    "metastases",
    "hepatic",
    "arterial",
    "embolization",
    "chemotherapy",
    "somatostatin",
    "analog",
    "receptor",
    "imaging",
    "survival",
    "progression",
    "response",
    "patients",
    "cohort",
    "randomized",
    "placebo",
    "dose",
    "toxicity",
    "grade",
    "pancreatic",
    "small",
    "bowel",
    "resection",
    "ablation",
    "radioembolization",
    "microspheres",
    "octreotide",
    "lanreotide",
    "everolimus",
    "sunitinib",
    "lutetium",
    "dotatate",
    "syndrome",
    "diarrhea",
    "flushing",
    "marker",
    "chromogranin",
    "interval",
    "months",
    "median",
    "ratio",
    "confidence",
    "interval",
    "baseline",
    "follow-up",
    "outcome",
    "treatment",
    "therapy",
    "clinical",
    "trial",
    "analysis",
    "multivariable",
    "associated",
    "significant",
]
_LABELS = ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS")
_TYPES = ("Journal Article", "Randomized Controlled Trial", "Review", "Multicenter Study")


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(12, 24))
    return " ".join(words).capitalize() + "."


def _doi(i: int) -> str:
    # A synthetic DOI in a registrant range reserved for this benchmark's generated records.
    return f"10.99999/curbside-bench.{i}"


def _reference_list(i: int, n: int, refs: int, rng: random.Random) -> str:
    """``refs`` references, half to earlier articles (linked at once), half to later ones
    (linked back when they arrive), each carrying a PMID and a DOI, as PubMed does."""
    out = []
    for k in range(refs):
        j = rng.randrange(0, i) if k % 2 == 0 and i > 0 else rng.randrange(0, n)
        out.append(
            f"<Reference><Citation>Author{j % 97} A. {escape(_sentence(rng))} Synthetic Journal "
            f"{j % 50}. {2000 + j % 25}.</Citation><ArticleIdList>"
            f'<ArticleId IdType="doi">{_doi(j)}</ArticleId>'
            f'<ArticleId IdType="pubmed">{90_000_000 + j}</ArticleId>'
            "</ArticleIdList></Reference>"
        )
    return f"<ReferenceList>{''.join(out)}</ReferenceList>" if out else ""


def write_synthetic_pubmed(
    path: Path,
    n: int,
    seed: int = 7,
    *,
    start: int = 0,
    total: int | None = None,
    references: int = 0,
) -> None:
    """Write articles ``start`` … ``start + n - 1`` of a ``total``-article corpus as one
    ``PubmedArticleSet`` file; each has a DOI and ``references`` cited articles."""
    rng = random.Random(seed * 1_000_003 + start)
    total = total or start + n
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for i in range(start, start + n):
            pmid = 90_000_000 + i
            abstract = "".join(
                f'<AbstractText Label="{label}">{escape(" ".join(_sentence(rng) for _ in range(3)))}</AbstractText>'
                for label in _LABELS
            )
            mesh = "".join(
                f"<MeshHeading><DescriptorName>{w.title()}</DescriptorName></MeshHeading>"
                for w in rng.sample(_WORDS, 4)
            )
            out.write(
                f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>"
                f"<Journal><Title>Synthetic Journal {i % 50}</Title><JournalIssue><PubDate>"
                f"<Year>{2000 + i % 25}</Year></PubDate></JournalIssue></Journal>"
                f"<ArticleTitle>{escape(_sentence(rng))}</ArticleTitle>"
                f"<Abstract>{abstract}</Abstract>"
                f"<AuthorList><Author><LastName>Author{i % 97}</LastName><Initials>A</Initials></Author></AuthorList>"
                f"<PublicationTypeList><PublicationType>{rng.choice(_TYPES)}</PublicationType></PublicationTypeList>"
                f"</Article><MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation>"
                f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>'
                f'<ArticleId IdType="doi">{_doi(i)}</ArticleId></ArticleIdList>'
                f"{_reference_list(i, total, references, rng)}"
                f"</PubmedData></PubmedArticle>\n"
            )
        out.write("</PubmedArticleSet>\n")


@dataclass(frozen=True)
class Slice:
    """One file of the corpus: how many sources were stored before it, and its cost."""

    sources_before: int
    records: int
    seconds: float
    cpu_seconds: float

    @property
    def ms_per_record(self) -> float:
        """Milliseconds per record in this slice."""
        return 1000 * self.seconds / self.records

    @property
    def cpu_ms_per_record(self) -> float:
        """Milliseconds of this process's CPU time per record (robust to a busy machine)."""
        return 1000 * self.cpu_seconds / self.records


@dataclass(frozen=True)
class IngestBenchmark:
    """Throughput figures from one run."""

    articles: int
    passages: int
    references: int
    #: None when not measured (``store_only``).
    parse_seconds: float | None
    full_seconds: float
    index_seconds: float | None
    machine: str
    slices: tuple[Slice, ...] = ()

    @property
    def growth(self) -> float:
        """Per-record CPU cost of the last slice over the first (1.0 = perfectly flat).

        CPU time, not wall time: on a shared machine the wall clock mostly measures the
        other processes."""
        if len(self.slices) < 2:
            return 1.0
        return self.slices[-1].cpu_ms_per_record / self.slices[0].cpu_ms_per_record

    def as_markdown(self) -> str:
        """The figures as Markdown tables, ready for ``docs/benchmarks.md``."""
        stages = [
            ("parse only", self.parse_seconds),
            ("parse + store (one transaction per article)", self.full_seconds),
            (
                "parse + store + lexical index (tantivy sync)",
                None if self.index_seconds is None else self.full_seconds + self.index_seconds,
            ),
        ]
        rows = [(name, secs) for name, secs in stages if secs is not None]
        lines = [
            f"Machine: {self.machine}; {self.articles:,} articles, each with a DOI and "
            f"{self.references} references (PMID + DOI)",
            "",
            "| stage | seconds | articles/s | passages/s |",
            "|---|---:|---:|---:|",
        ]
        for name, secs in rows:
            lines.append(
                f"| {name} | {secs:.2f} | {self.articles / secs:,.0f} | {self.passages / secs:,.0f} |"
            )
        if self.slices:
            lines += [
                "",
                "| sources already stored | records | wall s | ms/record (wall) | ms/record (CPU) |",
                "|---:|---:|---:|---:|---:|",
            ]
            lines += [
                f"| {s.sources_before:,} | {s.records:,} | {s.seconds:.2f} "
                f"| {s.ms_per_record:.3f} | {s.cpu_ms_per_record:.3f} |"
                for s in self.slices
            ]
            lines += ["", f"Per-record CPU cost, last slice / first slice: {self.growth:.2f}"]
        return "\n".join(lines)


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run_ingest_benchmark(
    n: int,
    workdir: Path | None = None,
    *,
    references: int = 5,
    slices: int = 10,
    store_only: bool = False,
) -> IngestBenchmark:
    """Generate ``n`` articles in ``slices`` files, then time parsing alone and the full
    ingest path file by file, so a per-record cost that grows with the library shows.

    ``store_only`` times only parse + store, writing each file just before it is stored
    and removing it after (no parse-only pass, no index build): what a library of a
    million records needs to show its per-record cost without hours of the rest.
    """
    from curbside.ingest.base import reader_for
    from curbside.ingest.pipeline import ingest_paths
    from curbside.store import Library

    slices = max(1, min(slices, n))
    with tempfile.TemporaryDirectory() as tmp:
        root = workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        db = root / "bench-library.db"
        for p in root.glob("bench-library.db*"):
            p.unlink()

        def write(k: int) -> tuple[Path, int]:
            start, stop = k * n // slices, (k + 1) * n // slices
            xml = root / f"synthetic-pubmed-{k:03d}.xml"
            write_synthetic_pubmed(xml, stop - start, start=start, total=n, references=references)
            return xml, stop - start

        files = [] if store_only else [write(k) for k in range(slices)]
        parse_seconds: float | None = None
        if not store_only:
            t0 = time.perf_counter()
            parsed = sum(sum(1 for _ in reader_for(xml).read(xml)) for xml, _ in files)
            parse_seconds = time.perf_counter() - t0
            if parsed != n:
                raise RuntimeError(f"parsed {parsed} of {n} synthetic articles")

        timed: list[Slice] = []
        added = 0
        failures: list[str] = []
        index_seconds: float | None = None
        with Library.open(db) as lib:
            for k in range(slices):
                xml, count = write(k) if store_only else files[k]
                before = lib.source_count()
                t0, c0 = time.perf_counter(), time.process_time()
                summary = ingest_paths(lib, [xml])
                timed.append(
                    Slice(before, count, time.perf_counter() - t0, time.process_time() - c0)
                )
                added += summary.added
                failures += summary.failures
                if store_only:
                    xml.unlink()
            full_seconds = sum(s.seconds for s in timed)
            passages = lib.passage_count()
            if not store_only:
                t0 = time.perf_counter()
                from curbside.retrieve import Retriever

                Retriever(lib, dense=False).sync()
                index_seconds = time.perf_counter() - t0
        if added != n:
            raise RuntimeError(f"stored {added} of {n} synthetic articles: {failures[:3]}")
    return IngestBenchmark(
        n,
        passages,
        references,
        parse_seconds,
        full_seconds,
        index_seconds,
        _machine(),
        tuple(timed),
    )


@dataclass(frozen=True)
class RayIngestBenchmark:
    """One distributed bulk-ingest run: archives parsed by ``workers``, one writer per shard."""

    articles: int
    archives: int
    workers: int
    shards: int
    seconds: float
    parse_cpu_ms: float
    write_cpu_ms: float
    machine: str
    #: Passages embedded by the workers (0 when they did not embed).
    passages: int = 0
    #: CPU per article of the map workers (parse, prepare, embed), as they report it.
    worker_cpu_ms: float = 0.0
    #: CPU per article of the driver, which only routes parts to the writers.
    route_cpu_ms: float = 0.0
    #: CPU per article of each shard's writer (per article of the whole run).
    writer_cpu_ms: tuple[float, ...] = ()

    def as_markdown(self) -> str:
        """The figures as one Markdown table row plus a header."""
        return "\n".join(
            [
                f"Machine: {self.machine}",
                "",
                "| workers | shards | articles | archives | wall s | articles/s "
                "| worker parse CPU ms/article | writer CPU ms/article "
                "| passages embedded | passages/s |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {self.workers} | {self.shards} | {self.articles:,} | {self.archives} "
                f"| {self.seconds:.1f} | {self.articles / self.seconds:,.0f} "
                f"| {self.parse_cpu_ms:.3f} | {self.write_cpu_ms:.3f} "
                f"| {self.passages:,} | {self.passages / self.seconds:,.0f} |",
                "",
                "| role | CPU ms/article |",
                "|---|---:|",
                f"| map workers (parse, prepare{', embed' if self.passages else ''}) "
                f"| {self.worker_cpu_ms:.3f} |",
                f"| driver (routing only) | {self.route_cpu_ms:.3f} |",
                *(f"| writer of shard {k} | {ms:.3f} |" for k, ms in enumerate(self.writer_cpu_ms)),
                f"| all writers | {sum(self.writer_cpu_ms):.3f} |",
            ]
        )


def run_ray_ingest_benchmark(
    n: int,
    workers: int,
    *,
    shards: int = 2,
    archives: int = 8,
    workdir: Path | None = None,
    embed: bool = False,
) -> RayIngestBenchmark:
    """Generate ``n`` articles as ``archives`` PubMed ``.xml.gz`` files and ingest them on a
    fresh local Ray cluster with ``workers`` CPUs into ``shards`` libraries.

    Also measures, in this process, the parse CPU cost per article, and reports the CPU
    per article of each role — map workers, the routing driver, each shard's writer —
    which is what an extrapolation to a larger cluster rests on (wall time on a shared
    2-core machine mostly measures the other processes).
    """
    import gzip

    import ray

    from curbside.ingest.bulk.distributed import ingest_on_ray
    from curbside.ingest.bulk.pubmed import pubmed_records
    from curbside.ingest.bulk.records import Position

    with tempfile.TemporaryDirectory() as tmp:
        root = workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        paths = []
        for k in range(archives):
            start, stop = k * n // archives, (k + 1) * n // archives
            xml = root / f"bench-{k:03d}.xml"
            write_synthetic_pubmed(xml, stop - start, start=start, total=n, references=5)
            gz = root / f"pubmed-bench-{k:03d}.xml.gz"
            gz.write_bytes(gzip.compress(xml.read_bytes(), compresslevel=6))
            xml.unlink()
            paths.append(gz)
        c0 = time.process_time()
        parsed = sum(1 for p in paths for _ in pubmed_records(p, 0, Position()))
        parse_cpu_ms = 1000 * (time.process_time() - c0) / max(parsed, 1)
        shard_paths = [root / f"shard-{k}.db" for k in range(shards)]
        for p in root.glob("shard-*.db*"):
            p.unlink()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        try:
            report = ingest_on_ray(shard_paths, paths, workers=workers, embed=embed)
            per = 1000 / max(report.records, 1)
        finally:
            ray.shutdown()
        if report.records != n:
            raise RuntimeError(f"ingested {report.records} of {n} articles")
        embedded = 0
        if embed:  # the workers embed every passage they prepare (tested)
            for path in shard_paths:
                with Library.open(path) as lib:
                    embedded += lib.passage_count()
    return RayIngestBenchmark(
        n,
        archives,
        workers,
        shards,
        report.seconds,
        parse_cpu_ms,
        sum(report.writer_cpu_seconds) * per,
        _machine(),
        passages=embedded,
        worker_cpu_ms=report.worker_cpu_seconds * per,
        route_cpu_ms=report.router_cpu_seconds * per,
        writer_cpu_ms=tuple(s * per for s in report.writer_cpu_seconds),
    )
