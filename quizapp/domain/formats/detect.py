"""Which import format a file is in: its content where that is certain, else its name."""

import re
from pathlib import PurePosixPath

BY_EXTENSION = {"yaml": "yaml", "yml": "yaml", "csv": "csv", "gift": "gift", "txt": "gift",
                "xml": "moodle-xml", "apkg": "apkg"}
ZIP_MAGIC = b"PK\x03\x04"  # an .apkg is a zip archive
_XML = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|quiz[\s>])")
_YAML = re.compile(r"^(?:bank|questions)\s*:", re.M)
_CSV_HEADER = re.compile(r"^\ufeff?\"?key\"?\s*,", re.I)
_GIFT = re.compile(r"^::|\{\s*[=~TF]", re.M)


def detect_format(filename: str, data: bytes) -> str | None:
    """The name of the format of `data`, or None when neither content nor name says."""
    if data.startswith(ZIP_MAGIC):
        return "apkg"
    if _XML.match(data[:512]):
        return "moodle-xml"
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix in BY_EXTENSION:
        return BY_EXTENSION[suffix]
    text = data[:4096].decode("utf-8", "replace")
    if _CSV_HEADER.match(text):
        return "csv"
    if _YAML.search(text):
        return "yaml"
    if _GIFT.search(text):
        return "gift"
    return None
