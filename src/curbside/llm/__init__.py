"""Optional LLM synthesis (the ``llm`` extra): an OpenAI-compatible chat client, the
prompt, the parser of the model's reply, and the ``llm`` and ``echo`` generators.

Nothing here decides what reaches an answer: every drafted sentence goes through
:func:`curbside.answer.verify.verify` in :func:`curbside.answer.generators.draft`.
"""
