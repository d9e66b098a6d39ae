"""The declarative base of the planning tables (kit tables live on `dkbuza_kit.db.KitBase`)."""

from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
