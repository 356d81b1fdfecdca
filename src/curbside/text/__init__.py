"""The one language layer: analyzer, sentences, abbreviations, isotopes, numbers and doses,
vocabularies, glossary. Ingest, the indexes, retrieval and answering all read text through it."""
