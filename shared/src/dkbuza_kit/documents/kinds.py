"""Kinds of documents: which media types and how large, and detection from the bytes.

The declared type is never trusted: the first bytes are inspected (the `filetype` package for
binary formats; UTF-8 text without NUL bytes for text/plain and text/csv).
"""

from dataclasses import dataclass

import filetype

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT, CSV = "text/plain", "text/csv"
GENERIC = "application/octet-stream"
# Office Open XML files are zip archives: the detector names them by their zip structure.
_ZIP_BASED = {DOCX, XLSX}


@dataclass(frozen=True)
class DocumentKind:
    """A kind (e.g. `end_user_certificate`), with its Dutch label for the API docs."""

    name: str
    label_nl: str
    media_types: frozenset[str]
    max_bytes: int = 10 * 1024 * 1024


def detect_media_type(head: bytes) -> str | None:
    """The media type the bytes show, None when unknown."""
    guess = filetype.guess(head)
    if guess is not None:
        return guess.mime
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not a character cut at the end of the sample
                return None
        return TEXT
    return None


def matches(kind: DocumentKind, declared: str | None, detected: str | None) -> str | None:
    """The media type to store, or None when the bytes do not fit the kind or the declaration."""
    if detected is None:
        return None
    candidates = {detected}
    if detected == TEXT:
        candidates.add(CSV)
    if detected == "application/zip":
        candidates |= _ZIP_BASED
    allowed = candidates & kind.media_types
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared != GENERIC:  # a generic declaration says nothing
        if declared not in allowed:
            return None
        return declared
    return next(iter(sorted(allowed)), None)
