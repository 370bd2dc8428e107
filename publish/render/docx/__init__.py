"""DOCX through pandoc: the model as Pandoc JSON, the pinned pandoc, the reference document."""
