"""Question types as plugins: one package per type (like Moodle's question/type/<name>/).

- `base.py`: the `QuestionType` class every type subclasses (pure).
- `common/`: what types share (graded `Result`, text matching, number parsing, format
  helpers); it imports no type.
- `<name>/__init__.py`: the pure part of a type (schema, grader, texts, card faces, format
  hooks). `<name>/web.py`: its answer form and editor rows (WTForms); its templates are in
  `templates/qtypes/<name>/`.
- `registry.py`: the one place types are listed (pure, used by domain/ and formats);
  `web.py`: the web-facing lookup of each type's `web` module.

No type module imports the registry. Adding a type: a folder here with `TYPE`, its `web.py`,
its templates, one line in `registry.py`, and tests.
"""
