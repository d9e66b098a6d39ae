"""The declarative base of the export-control domain tables (imported by every domain `models.py`)."""

from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
