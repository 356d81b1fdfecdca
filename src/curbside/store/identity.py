"""How a document is identified in the library: its source id and content digests."""

from __future__ import annotations

import hashlib
import sqlite3

from curbside.models import Document


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8) in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_id_for(doc: Document) -> str:
    """A stable id: the document's own id, else its PMID, DOI, SPL set id, or a hash."""
    identifiers = {doc.pmid, doc.doi, doc.pmcid, doc.set_id}
    if doc.external_id and doc.external_id not in identifiers:
        return doc.external_id.strip()
    if doc.pmid:
        return f"pmid:{doc.pmid}"
    if doc.doi:
        return f"doi:{doc.doi.lower()}"
    if doc.set_id:
        return f"spl:{doc.set_id.lower()}"
    if doc.pmcid:
        return f"pmc:{doc.pmcid.upper().removeprefix('PMC')}"
    if doc.external_id:
        return doc.external_id.strip()
    basis = doc.origin or doc.title
    return f"doc:{sha256_hex(doc.format + '|' + basis)[:16]}"


def sources_with_pmid(conn: sqlite3.Connection, pmid: str) -> list[str]:
    """Ids of stored sources that carry PubMed id ``pmid`` (answered by its index)."""
    rows = conn.execute("SELECT id FROM sources WHERE pmid = ? ORDER BY id", (pmid,))
    return [str(r[0]) for r in rows]
