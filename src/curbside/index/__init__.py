"""Derived search indexes over the store: lexical (tantivy), vectors, and their sync from the
store's change log. Backends implement the protocols in :mod:`curbside.index.base`."""
