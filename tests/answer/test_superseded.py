"""A source that a newer one replaces (``superseded_by``) is marked and comes second."""

from __future__ import annotations

from pathlib import Path

from curbside.answer.engine import Engine
from curbside.answer.leads import lead_prefix
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Answer, Evidence, Hit
from curbside.render.html import render_html
from curbside.render.markdown import render_markdown
from curbside.render.terminal import render_terminal
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
- Zelborin for Quarn disease is continued until the disease progresses.
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
    # Only the old guideline says how long; its reference entry names its replacement.
    answer = Engine(lib, dense=False).ask("How long is zelborin continued for Quarn disease?")
    _assert_reference_list_marks_the_old_source(answer)
    lib.close()


def _assert_reference_list_marks_the_old_source(answer: Answer) -> None:
    refs = {r.source.id: r for r in answer.references}
    assert refs["fictional-guideline-2015"].source.superseded_by == ("fictional-guideline-2024",)
    assert Answer.from_dict(answer.to_dict()) == answer  # survives the wire form
    newer = refs.get("fictional-guideline-2024")
    expected = f"[{newer.n}]" if newer else "fictional-guideline-2024"
    for text in (
        render_markdown(answer),
        render_html(answer),
        render_terminal(answer, width=160),
    ):
        plain = text.replace("\\[", "[").replace("\\]", "]")  # Markdown escapes brackets
        assert f"Superseded by {expected}" in plain
        assert plain.count("Superseded by") == 1


def _evidence(lib: Library, source_id: str) -> list[Evidence]:
    source = lib.get_source(source_id)
    assert source is not None
    return [Evidence(Hit(p, 1.0), source) for p in lib.passages_of(source_id)]
