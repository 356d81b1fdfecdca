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


def write_synthetic_pubmed(path: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` synthetic articles as one ``PubmedArticleSet`` file."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for i in range(n):
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
                f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId></ArticleIdList>'
                f"</PubmedData></PubmedArticle>\n"
            )
        out.write("</PubmedArticleSet>\n")


@dataclass(frozen=True)
class IngestBenchmark:
    """Throughput figures from one run."""

    articles: int
    passages: int
    parse_seconds: float
    full_seconds: float
    index_seconds: float
    machine: str

    def as_markdown(self) -> str:
        """The figures as a Markdown table, ready for ``docs/benchmarks.md``."""
        full = self.full_seconds + self.index_seconds
        rows = [
            ("parse only", self.parse_seconds),
            ("parse + store (one transaction per article)", self.full_seconds),
            ("parse + store + lexical index (tantivy sync)", full),
        ]
        lines = [
            f"Machine: {self.machine}",
            "",
            "| stage | seconds | articles/s | passages/s |",
            "|---|---:|---:|---:|",
        ]
        for name, secs in rows:
            lines.append(
                f"| {name} | {secs:.2f} | {self.articles / secs:,.0f} | {self.passages / secs:,.0f} |"
            )
        return "\n".join(lines)


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run_ingest_benchmark(n: int, workdir: Path | None = None) -> IngestBenchmark:
    """Generate ``n`` articles, then time parsing alone and the full ingest path."""
    from curbside.ingest.base import reader_for
    from curbside.ingest.pipeline import ingest_paths
    from curbside.store import Library

    with tempfile.TemporaryDirectory() as tmp:
        root = workdir or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        xml = root / "synthetic-pubmed.xml"
        db = root / "bench-library.db"
        for p in root.glob("bench-library.db*"):
            p.unlink()
        write_synthetic_pubmed(xml, n)

        reader = reader_for(xml)
        t0 = time.perf_counter()
        parsed = sum(1 for _ in reader.read(xml))
        parse_seconds = time.perf_counter() - t0
        if parsed != n:
            raise RuntimeError(f"parsed {parsed} of {n} synthetic articles")

        with Library.open(db) as lib:
            t0 = time.perf_counter()
            summary = ingest_paths(lib, [xml])
            full_seconds = time.perf_counter() - t0
            passages = lib.passage_count()
            t0 = time.perf_counter()
            from curbside.retrieve import Retriever

            Retriever(lib, dense=False).sync()
            index_seconds = time.perf_counter() - t0
        if summary.added != n:
            raise RuntimeError(
                f"stored {summary.added} of {n} synthetic articles: {summary.failures[:3]}"
            )
    return IngestBenchmark(n, passages, parse_seconds, full_seconds, index_seconds, _machine())
