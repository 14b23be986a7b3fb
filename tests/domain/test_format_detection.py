"""An import's format from its content (zip and XML are certain) and else its name."""

import pytest

from quizapp.domain.formats.detect import detect_format


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("bank.apkg", b"PK\x03\x04rest", "apkg"),
    ("bank.yaml", b"PK\x03\x04rest", "apkg"),  # the content is certain: a zip
    ("export", b"PK\x03\x04rest", "apkg"),
    ("bank.txt", b'\xef\xbb\xbf<?xml version="1.0"?><quiz/>', "moodle-xml"),
    ("moodle", b"<quiz>\n</quiz>", "moodle-xml"),
    ("bank.yml", b"bank:\n  slug: x\n", "yaml"),
    ("bank.YAML", b"anything", "yaml"),
    ("bank.csv", b"key,type\n", "csv"),
    ("C:\\exports\\bank.gift", b"::q1:: A? {=yes ~no}", "gift"),
    ("bank.txt", b"::q1:: A? {T}", "gift"),
    ("bank.xml", b"not xml at all", "moodle-xml"),  # the parser then says what is wrong
    ("upload", b"key,type,prompt\n", "csv"),
    ("upload", b"# a bank\nbank:\n  slug: x\n", "yaml"),
    ("upload", b"::q1:: Minsk? {=yes ~no}", "gift"),
    ("upload", b"just words", None),
    ("", b"", None),
])
def test_detect_format(name, data, expected):
    assert detect_format(name, data) == expected
