"""Domain tables of the gateway app (the kit's own tables live in `dkbuza_kit.models`)."""

from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
