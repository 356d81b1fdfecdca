"""Where the LLM lives: base URL, model and API key, from settings (file or environment)."""

from __future__ import annotations

from dataclasses import dataclass, field

from curbside.answer.base import GenerationError
from curbside.settings import Settings, load_settings


@dataclass(frozen=True)
class LLMConfig:
    """Connection settings for an OpenAI-compatible server.

    The API key is excluded from ``repr`` so that it can never reach a log line or an
    error message by way of this object.
    """

    base_url: str
    model: str
    api_key: str = field(default="", repr=False)
    timeout: float = 60.0
    retries: int = 2
    max_tokens: int = 700
    #: Send the statements schema as ``response_format`` (grammar-constrained decoding).
    structured: bool = True
    #: Passages put in the prompt, strongest first.
    max_passages: int = 8

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> LLMConfig:
        """The configuration from ``CURBSIDE_LLM_*`` / the config file; one-line error if unset."""
        s = settings or load_settings()
        if not s.llm_base_url:
            raise GenerationError(
                "no LLM server configured (set CURBSIDE_LLM_BASE_URL or llm_base_url in the "
                "config file)"
            )
        return cls(
            base_url=s.llm_base_url.rstrip("/"),
            model=s.llm_model or "default",
            api_key=s.llm_api_key,
            timeout=s.llm_timeout,
            structured=s.llm_structured,
            max_passages=s.llm_max_passages,
            max_tokens=s.llm_max_tokens,
        )
