"""The declarative base of the disaster-fund domain tables."""

from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
