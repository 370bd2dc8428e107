"""Author tools: edits to the sources that suggestions propose (``publish fix``)."""
