"""Bulk sources as distributed: PubMed baseline/update ``.xml.gz``, DailyMed release ZIPs
and PMC Open Access ``.tar.gz`` packages, streamed without unpacking to disk.

Each archive is a sequence of *records* (a PubMed citation or delete list, a label ZIP,
a package member). :func:`ingest_archive` stores them one transaction each and
checkpoints the count done in the ledger, so a killed run resumes where it stopped.
"""

from curbside.ingest.bulk.kinds import bulk_kind
from curbside.ingest.bulk.run import ArchiveReport, ingest_archive

__all__ = ["ArchiveReport", "bulk_kind", "ingest_archive"]
