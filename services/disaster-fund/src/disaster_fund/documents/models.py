from disaster_fund.base import Base
from dkbuza_kit.documents.models import DocumentMixin


class Document(DocumentMixin, Base):
    """A document of a damage report (`owner_type` damage_report) or an application
    (`application`); decision letters are generated documents of the application."""

    __tablename__ = "documents"
