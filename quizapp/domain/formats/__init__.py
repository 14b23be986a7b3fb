"""Import and export formats for question banks: a registry of `Format`s by name.

    fmt = FORMATS["gift"]
    data = fmt.export(header, questions)      # bytes; fmt.unsupported(questions) lists,
                                              # with reasons, what the file leaves out
    result = fmt.parse(data, "upload.gift")   # ImportResult, or FormatError for a whole
                                              # file that cannot be read

| name       | import | export | carries                                                   |
|------------|--------|--------|-----------------------------------------------------------|
| yaml       | yes    | yes    | everything (the question_bank/*.yaml format)              |
| csv        | yes    | yes    | every question field; not the bank header                 |
| gift       | yes    | yes    | all but ordering and cloze; header in a // comment        |
| moodle-xml | yes    | yes    | all but ordering and cloze; header minus article, topics  |
| apkg       | yes    | yes    | every question field (a hidden Quizapp field holds the    |
|            |        |        | question as JSON); header: the deck's title and           |
|            |        |        | description; Front/Back notes of any deck: short answers  |

Importing enforces the limits in `base`: at most 2 MB, UTF-8 text (but .apkg, which is binary),
YAML through the safe loader only, XML without DOCTYPE or entities (defusedxml); an .apkg is
read in memory within the limits of `anki_package` (unpacked sizes, safe names, SQLite
tables not views, a time limit). Pure: no Flask, no database.
"""

from .apkg import TYPES as APKG_TYPES
from .apkg import export_apkg, parse_apkg
from .base import (
    MAX_IMPORT_BYTES,
    Format,
    FormatError,
    ImportResult,
    Rejection,
)
from .csv_table import export_csv, parse_csv
from .gift import TYPES as GIFT_TYPES
from .gift import export_gift, parse_gift
from .moodle_xml import TYPES as MOODLE_TYPES
from .moodle_xml import carries as moodle_carries
from .moodle_xml import export_moodle_xml, parse_moodle_xml
from .yaml_bank import export_yaml, parse_yaml

ALL_TYPES = APKG_TYPES

FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("yaml", "YAML", "yaml", "application/yaml", ALL_TYPES, export_yaml, parse_yaml),
        Format("csv", "CSV", "csv", "text/csv", ALL_TYPES, export_csv, parse_csv),
        Format("gift", "GIFT", "gift", "text/plain", GIFT_TYPES, export_gift, parse_gift),
        Format("moodle-xml", "Moodle XML", "xml", "application/xml", MOODLE_TYPES,
               export_moodle_xml, parse_moodle_xml, moodle_carries),
        Format("apkg", "Anki", "apkg", "application/apkg", APKG_TYPES, export_apkg, parse_apkg,
               binary=True),
    )
}

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "Format",
    "FormatError",
    "ImportResult",
    "Rejection",
]
