"""Windows, docks and panels."""
