"""Resolving: one id registry, every link resolved once, the index and German collation."""
