"""DKBUZA API gateway."""
