"""Editorial review: accounts, the article workflow and its append-only audit log."""
