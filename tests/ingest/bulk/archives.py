"""Builders for small bulk archives of the exact distributed shapes.

Every record written here is synthetic and labelled fictional (drug names such as
"Zentaprolol" do not exist; PMIDs are in a made-up range); real samples are read from
``../shared`` at run time by the tests that use them, never copied into the repository.
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

FICTIONAL = "(fictional record for tests)"


def pubmed_article(pmid: int, title: str, abstract: str, doi: str | None = None) -> str:
    """One ``PubmedArticle`` element with the given (fictional) content."""
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
    if doi:
        ids += f'<ArticleId IdType="doi">{escape(doi)}</ArticleId>'
    return (
        f"<PubmedArticle><MedlineCitation Status='MEDLINE'><PMID Version='1'>{pmid}</PMID>"
        "<Article><Journal><Title>Journal of Fictional Tests</Title><JournalIssue><PubDate>"
        "<Year>2020</Year></PubDate></JournalIssue></Journal>"
        f"<ArticleTitle>{escape(title)} {FICTIONAL}</ArticleTitle>"
        f"<Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
        "<AuthorList><Author><LastName>Tester</LastName><Initials>T</Initials></Author>"
        "</AuthorList></Article></MedlineCitation>"
        f"<PubmedData><ArticleIdList>{ids}</ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def delete_citation(*pmids: int) -> str:
    """A ``DeleteCitation`` element listing ``pmids``."""
    inner = "".join(f"<PMID Version='1'>{p}</PMID>" for p in pmids)
    return f"<DeleteCitation>{inner}</DeleteCitation>\n"


def article_set(parts: list[str]) -> bytes:
    """A ``PubmedArticleSet`` document holding ``parts`` (articles and delete lists)."""
    body = "".join(parts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'
    ).encode()


def write_gz(path: Path, data: bytes) -> Path:
    """``data`` gzip-compressed into ``path``."""
    path.write_bytes(gzip.compress(data))
    return path


def fictional_articles(first: int, n: int, words: str = "baseline") -> list[str]:
    """``n`` fictional articles with PMIDs from ``first``."""
    return [
        pubmed_article(
            first + i,
            f"Zentaprolol cohort {i}",
            f"Zentaprolol {words} observation number {i} in a fictional cohort of test patients.",
        )
        for i in range(n)
    ]


def spl_label(set_id: str, version: int, text: str, drug: str = "Zentaprolol") -> bytes:
    """A minimal SPL ``<document>`` for a fictional drug."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<document xmlns="urn:hl7-org:v3">
  <id root="{set_id}-doc-{version}"/>
  <code code="34391-3" displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
  <effectiveTime value="20200101"/>
  <setId root="{set_id}"/>
  <versionNumber value="{version}"/>
  <component><structuredBody>
    <component><section>
      <code code="48780-1" displayName="SPL PRODUCT DATA ELEMENTS SECTION"/>
      <subject><manufacturedProduct><manufacturedProduct><name>{drug}</name>
      </manufacturedProduct></manufacturedProduct></subject>
    </section></component>
    <component><section>
      <code code="34067-9" displayName="INDICATIONS &amp; USAGE SECTION"/>
      <title>1 INDICATIONS AND USAGE</title>
      <text><paragraph>{escape(text)} {FICTIONAL}</paragraph></text>
    </section></component>
  </structuredBody></component>
</document>
""".encode()


def label_zip(xml: bytes | None, name: str = "label.xml") -> bytes:
    """A per-label ZIP as DailyMed ships it: the SPL XML plus an image."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if xml is not None:
            zf.writestr(name, xml)
        zf.writestr("image.jpg", b"\xff\xd8\xff\xe0 not really an image")
    return buf.getvalue()


def release_zip(path: Path, labels: list[tuple[str, bytes]]) -> Path:
    """A DailyMed release: a ZIP of per-label ZIPs under ``prescription/``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in labels:
            zf.writestr(f"prescription/{name}", data)
    return path


def jats_article(n: int, title: str) -> bytes:
    """A minimal fictional JATS article."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<article article-type="research-article"><front><journal-meta><journal-title-group>
<journal-title>Journal of Fictional Tests</journal-title></journal-title-group></journal-meta>
<article-meta><article-id pub-id-type="pmc">PMC90000{n}</article-id>
<title-group><article-title>{escape(title)} {FICTIONAL}</article-title></title-group>
<pub-date><year>2021</year></pub-date>
<abstract><p>Zentaprolol was observed in fictional package article {n}.</p></abstract>
</article-meta></front><body><sec><title>Results</title>
<p>Fictional result paragraph for article {n} of the package test.</p></sec></body></article>
""".encode()


def write_tar_gz(path: Path, members: list[tuple[str, bytes]]) -> Path:
    """A PMC OA style ``.tar.gz`` package holding ``members``."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
