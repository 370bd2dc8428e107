"""Author tools: a first book.toml (``publish init``) and the edits suggestions propose (``publish fix``)."""
