"""Reading: source files and book.toml into entries (Markdown → the model)."""
