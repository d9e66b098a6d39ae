"""The kinds of documents a dossier carries, with what each may be and how large."""

from dkbuza_kit.documents.kinds import JPEG
from dkbuza_kit.documents.kinds import PDF
from dkbuza_kit.documents.kinds import PNG
from dkbuza_kit.documents.kinds import TEXT
from dkbuza_kit.documents.kinds import DocumentKind

MB = 1024 * 1024
IMAGES_OR_PDF = frozenset({PDF, JPEG, PNG})

DOSSIER_KINDS = {kind.name: kind for kind in (
    DocumentKind("photo", "foto van de schade", frozenset({JPEG, PNG}), 15 * MB),
    DocumentKind("estimate", "bestek of schatting", IMAGES_OR_PDF, 10 * MB),
    DocumentKind("invoice", "factuur", IMAGES_OR_PDF, 10 * MB),
    DocumentKind("insurer_statement", "verklaring van de verzekeraar", IMAGES_OR_PDF, 10 * MB),
    DocumentKind("other", "ander stuk", IMAGES_OR_PDF | {TEXT}, 10 * MB),
)}
DECISION_LETTER = DocumentKind("decision_letter", "beslissingsbrief", frozenset({PDF}), 5 * MB)
