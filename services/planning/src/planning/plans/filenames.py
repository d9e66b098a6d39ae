"""What a plan keeps of the file it came from: the base name only. A CLI or demo import passes
a server path, an upload may carry a client's (`C:\\Users\\...`); neither belongs in the API."""

import re

MAX_CHARS = 300  # the column's length


def base_name(filename: str | None) -> str | None:
    """The last segment of a POSIX or Windows path (pure); None when nothing is left."""
    if filename is None:
        return None
    name = re.split(r"[\\/]", filename)[-1].strip()
    return name[:MAX_CHARS] or None
