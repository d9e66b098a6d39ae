"""Domain tables of the gateway app: none (the kit's tables live in `dkbuza_kit`)."""

from sqlalchemy.orm import DeclarativeBase

from dkbuza_kit.db import new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()
