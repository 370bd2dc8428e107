"""Author tools that write the sources: ``publish init``, ``publish fix`` and ``publish new``."""
