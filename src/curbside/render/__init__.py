"""Answer renderers: terminal (Rich), Markdown, standalone HTML and JSON."""

from __future__ import annotations

FORMATS = ("terminal", "markdown", "json", "html")
