from dkbuza_kit.documents.models import DocumentMixin
from export_control.base import Base


class Document(DocumentMixin, Base):
    """A document of an application (`owner_type` application) or a licence (`licence`)."""

    __tablename__ = "documents"
