"""Themes: theme folders, lengths and page sizes, the words of each book language."""
