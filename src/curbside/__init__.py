"""curbside: evidence-grounded clinical answers from a local library of trusted sources."""

__version__ = "0.1.0"
