"""Qt item models: thin adapters over core objects."""
