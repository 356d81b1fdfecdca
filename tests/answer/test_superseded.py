"""A source that a newer one replaces (``superseded_by``) is marked and comes second."""

from __future__ import annotations

from pathlib import Path

from curbside.answer.engine import Engine
from curbside.answer.leads import lead_prefix
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Evidence, Hit
from curbside.store import Library
from curbside.store.browse import superseded_by

# Two fictional guideline files; the older one names the newer as its replacement.
OLD = """---
id: fictional-guideline-2015
tier: guideline
title: "Fictional Society guideline on zelborin for Quarn disease"
organization: "Fictional Society (FS)"
year: 2015
design: guideline
superseded_by: ["fictional-guideline-2024"]
---
## Recommendations
- The Fictional Society 2015 guideline recommends zelborin as first-line therapy for Quarn disease.
"""
NEW = """---
id: fictional-guideline-2024
tier: guideline
title: "Fictional Society updated guideline on zelborin for Quarn disease"
organization: "Fictional Society (FS)"
year: 2024
design: guideline
---
## Recommendations
- The Fictional Society 2024 guideline recommends zelborin as first-line therapy for Quarn disease in adults.
"""


def test_superseded_source_is_marked_and_the_current_one_leads(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "old.md").write_text(OLD, "utf-8")
    (folder / "new.md").write_text(NEW, "utf-8")
    lib = Library.open(tmp_path / "lib.db")
    assert ingest_paths(lib, [folder]).failed == 0
    ids = ["fictional-guideline-2015", "fictional-guideline-2024"]
    assert superseded_by(lib.conn, ids) == {
        "fictional-guideline-2015": ("fictional-guideline-2024",)
    }
    answer = Engine(lib, dense=False).ask(
        "What is the first-line therapy for Quarn disease?", detail="full"
    )
    statements = [s for sec in answer.sections for b in sec.blocks for s in b.statements]
    assert "2024" in statements[0].text  # the current guideline leads
    old = next(ev for ev in _evidence(lib, "fictional-guideline-2015"))
    prefix = lead_prefix(old, "", "clinician", ("fictional-guideline-2024",))
    assert prefix == "FS (2015, superseded by fictional-guideline-2024):"
    assert lead_prefix(old, "", "clinician") == "FS (2015):"
    lib.close()


def _evidence(lib: Library, source_id: str) -> list[Evidence]:
    source = lib.get_source(source_id)
    assert source is not None
    return [Evidence(Hit(p, 1.0), source) for p in lib.passages_of(source_id)]
