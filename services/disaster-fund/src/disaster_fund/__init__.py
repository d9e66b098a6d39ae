"""Disaster Fund (Vlaams Rampenfonds)."""
