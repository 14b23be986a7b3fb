"""Hostile requests for the input sweep: a valid request bent by hypothesis (fields dropped,
repeated, sent as files, given huge, odd or undecodable values; JSON of the wrong shape; ids
out of range), what such a request must get, and the checks of the answer."""

import functools
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.security.fixtures import Probe, path_for

# No shrinking: a failure already shows its request and its (at most four) mutations, and
# shrinking each of a few dozen failures would take minutes.
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

MAX_INT = 2**31 - 1  # the contract: integer fields and URL ids fit a 32-bit INTEGER
# Statuses a known-invalid request may get: refused (400), an id that cannot exist (404),
# a body over MAX_CONTENT_LENGTH (413).
REFUSED = (400, 404, 413)


@dataclass(frozen=True)
class Upload:
    """A field sent as a file part of a multipart body."""
    content: bytes
    filename: str | bytes


Text = str | bytes  # bytes are sent as they are: UTF-8 or not
Pair = tuple[Text, Any]  # (name, value): value is Text, Upload, or any JSON value


@dataclass(frozen=True)
class Base:
    """A valid request to one rule, as pairs, and the encodings the sweep may send it in."""
    endpoint: str
    method: str
    rule: Rule
    objects: dict[str, Any]
    fields: tuple[Pair, ...]
    encodings: tuple[str, ...]  # "query", "form", "multipart", "json"; repeats weigh more
    int_fields: frozenset[str] = frozenset()
    id_fields: frozenset[str] = frozenset()

    @classmethod
    def of(cls, probe: Probe, rule: Rule, objects: dict[str, Any],
           encodings: tuple[str, ...], **kwargs: Any) -> "Base":
        body = probe.json if probe.json is not None else (probe.data or {})
        pairs: list[Pair] = []
        for name, value in body.items():
            if isinstance(value, tuple):
                pairs.append((name, Upload(*value)))
            else:
                pairs += [(name, v) for v in (value if isinstance(value, list) else [value])]
        if any(isinstance(v, Upload) for _, v in pairs):
            encodings = ("multipart",)
        return cls(rule.endpoint, probe.method, rule, objects, tuple(pairs), encodings,
                   **kwargs)


@dataclass(repr=False)
class Hostile:
    """One request as sent: fields go to the query string (GET) or the body."""
    method: str
    path: str
    encoding: str = "form"  # "query", "form", "multipart", "json" or "raw"
    fields: list[Pair] = field(default_factory=list)
    query: list[Pair] = field(default_factory=list)
    raw_tail: bytes = b""  # appended unescaped to a form body
    raw_query: bytes = b""  # appended unescaped to the query string
    raw_body: bytes = b""  # encoding "raw": the whole body
    content_type: str = "application/json"  # of a raw body
    int_fields: frozenset[str] = frozenset()
    id_fields: frozenset[str] = frozenset()
    bad_path: str = ""  # a URL argument that names nothing: why a 404 is due
    notes: list[str] = field(default_factory=list)

    # --- encoding ---------------------------------------------------------------------------

    def query_string(self) -> bytes:
        pairs = self.query + (self.fields if self.encoding == "query" else [])
        return _urlencode(pairs) + self.raw_query

    def body(self) -> tuple[bytes | None, str | None]:
        if self.encoding == "query":
            return None, None
        if self.encoding == "raw":
            return self.raw_body, self.content_type
        if self.encoding == "json":
            items = b", ".join(_json(k) + b": " + _json(v) for k, v in self.fields)
            return b"{" + items + b"}", self.content_type
        if self.encoding == "multipart":
            return _multipart(self.fields), f"multipart/form-data; boundary={BOUNDARY}"
        return _urlencode(self.fields) + self.raw_tail, "application/x-www-form-urlencoded"

    def send(self, client) -> TestResponse:
        data, content_type = self.body()
        # QUERY_STRING is a WSGI string: bytes as latin-1, so undecodable bytes go through
        response = client.open(self.path, method=self.method, data=data,
                               content_type=content_type, environ_overrides={
                                   "QUERY_STRING": self.query_string().decode("latin-1")})
        response.get_data()
        response.close()
        return response

    def __str__(self) -> str:
        data, content_type = self.body()
        query = self.query_string()
        shown = query.decode("ascii", "backslashreplace")
        text = f"{self.method} {self.path}" + (f"?{shown[:200]}" if query else "")
        if data is not None:
            text += f"\n  body ({content_type}, {len(data)} bytes): {_short(data)}"
        return text + "\n  mutations: " + ("; ".join(self.notes) or "none")

    __repr__ = __str__  # hypothesis shows the drawn request: short, not 100k characters

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

    # --- what it must get -------------------------------------------------------------------

    def known_invalid(self) -> str | None:
        """Why no application may accept this request (it must answer 400, or 404 for an
        id that cannot exist), or None if it might be fine."""
        reasons = [self.bad_path] if self.bad_path else []
        reasons += [f"query string: {r}" for r in [_urlencoded_problem(self.query_string())]
                    if r]
        data, content_type = self.body()
        fields: dict[Text, Any] = {}
        if self.encoding == "form":
            problem = _urlencoded_problem(data)
            reasons += [f"form body: {problem}"] if problem else []
            fields = _first(self.fields)
        elif self.encoding == "multipart":
            reasons += [f"multipart {what}: {problem}" for what, text in _multipart_texts(
                self.fields) if (problem := unsafe(text))]
            fields = _first([(k, v) for k, v in self.fields if not isinstance(v, Upload)])
        elif self.encoding in ("json", "raw"):
            parsed, problem = _json_problem(data)
            reasons += [problem] if problem else []
            fields = parsed if isinstance(parsed, dict) else {}
        elif self.encoding == "query":
            fields = _first(self.fields)
        if self.encoding != "query":  # GET forms read their numbers leniently
            reasons += [problem for name, value in fields.items()
                        if (problem := self._number_problem(name, value))]
        return "; ".join(dict.fromkeys(reasons)) or None

    def _number_problem(self, name: Text, value: Any) -> str | None:
        if name not in self.int_fields or isinstance(value, bool):
            return None
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                return None  # reported as not UTF-8
        if not isinstance(value, str):
            return None
        text = value.strip()
        if any(c.isdigit() and not c.isascii() for c in text):
            return f"{name}={_short(text)}: digits other than ASCII 0-9"
        if re.fullmatch(r"[+-]?[0-9]+", text):
            number = int(text) if len(text) < 4000 else 10**4000
            if not -MAX_INT - 1 <= number <= MAX_INT:
                return f"{name}={_short(text)}: beyond a 32-bit integer"
            if name in self.id_fields and number <= 0:
                return f"{name}={text}: no such id"
        return None


def unsafe(text: Text) -> str | None:
    """What makes a piece of request text unacceptable anywhere, if anything."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return "not valid UTF-8"
    if "\x00" in text:
        return "a NUL character"
    if re.search("[\ud800-\udfff]", text):
        return "a lone surrogate"
    return None


def _first(pairs: list[Pair]) -> dict[Text, Any]:
    """The value a form reader takes for each name: the first."""
    found: dict[Text, Any] = {}
    for name, value in pairs:
        found.setdefault(name, value)
    return found


def _urlencoded_problem(raw: bytes | None) -> str | None:
    for pair in (raw or b"").split(b"&"):
        for part in pair.split(b"=", 1):
            problem = unsafe(unquote_to_bytes(part.replace(b"+", b" ")))
            if problem:
                return f"{_short(part)} is {problem}"
    return None


def _multipart_texts(pairs: list[Pair]) -> list[tuple[str, Text]]:
    texts: list[tuple[str, Text]] = []
    for name, value in pairs:
        texts.append(("field name", name))
        if isinstance(value, Upload):
            texts.append(("file name", value.filename))
        else:
            texts.append((f"{_short(name)} value", _text(value)))
    return texts


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _json_problem(data: bytes | None) -> tuple[Any, str | None]:
    """The parsed body (as Python reads it: the last of repeated keys) and why it is not a
    JSON object of text and whole numbers, if it is not."""
    try:
        parsed = json.loads((data or b"").decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        return None, "JSON body: not valid UTF-8"
    except (ValueError, RecursionError) as e:
        return None, f"invalid JSON ({type(e).__name__})"
    if not isinstance(parsed, dict):
        return parsed, f"JSON body is {type(parsed).__name__}, not an object"
    for key, value in parsed.items():
        if isinstance(value, bool | float | list | dict) or value is None:
            return parsed, f"JSON {key}: {_short(json.dumps(value))}, not text or a number"
        for text in (key, value) if isinstance(value, str) else (key,):
            if problem := unsafe(text):
                return parsed, f"JSON text {_short(text)}: {problem}"
    return parsed, None


# --- encoders ---------------------------------------------------------------------------------

BOUNDARY = "hostile-7f3a9c"


def _bytes(text: Text) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")


def _text(value: Any) -> Text:
    return value if isinstance(value, str | bytes) else str(value)


def _urlencode(pairs: list[Pair]) -> bytes:
    return "&".join(f"{quote_from_bytes(_bytes(k), safe='')}="
                    f"{quote_from_bytes(_bytes(_text(v)), safe='')}" for k, v in pairs).encode()


def _json(value: Any) -> bytes:
    if isinstance(value, bytes):
        return b'"' + value + b'"'  # undecodable bytes inside a JSON string
    return json.dumps(value).encode()  # lone surrogates escaped; NaN as the literal


def _header(text: Text) -> bytes:
    return _bytes(text).replace(b'"', b"%22").replace(b"\r", b"%0D").replace(b"\n", b"%0A")


def _multipart(pairs: list[Pair]) -> bytes:
    parts = []
    for name, value in pairs:
        head = b'Content-Disposition: form-data; name="' + _header(name) + b'"'
        if isinstance(value, Upload):
            head += b'; filename="' + _header(value.filename) + \
                b'"\r\nContent-Type: application/octet-stream'
            content = value.content
        else:
            content = _bytes(_text(value))
        parts.append(b"--" + BOUNDARY.encode() + b"\r\n" + head + b"\r\n\r\n" + content)
    return b"\r\n".join([*parts, b"--" + BOUNDARY.encode() + b"--\r\n"])


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


# --- strategies -------------------------------------------------------------------------------

NUMBERISH = ["9" * 400, "9" * 5000, "1e309", "-99999999999999999999", str(2**31), str(2**63),
             "NaN", "sNaN", "Infinity", "-0", "0x10", "²", "٣", "𝟗", "3.7"]
ODD_TEXT = ["", " ", " \t\n ", "x" * 100_000, "a\x00b", "\x00", "\ud800", "a\udfffb"]
NOT_UTF8 = [b"\xff\xfe", b"\xc3(", b"\xed\xa0\x80", b"caf\xe9", b"\x80"]
ID_VALUES = [str(2**31), str(2**63), str(10**30), "-1", "0"]
JSON_IDS = [2**31, 2**63, 10**30, -1, 0]
JSON_VALUES = [True, False, None, 3.7, [3], [], {"a": 1}, float("nan"), float("inf"), 12345678]
PATH_IDS = [2**31, 2**31 - 1, 2**63 - 1, 0]

TEXT_VALUES = st.one_of(st.sampled_from(NUMBERISH + ODD_TEXT), st.sampled_from(NOT_UTF8),
                        st.text(max_size=30))
NAMES = st.one_of(st.sampled_from(["zzz", "card_id[]", "__proto__", "submit", "", "a\x00b",
                                   "\ud800", b"\xff\xfe"]), st.text(min_size=1, max_size=12))
FILENAMES = st.one_of(st.sampled_from(["f.txt", "bank.yaml", "", "a\x00b.txt", b"\xff\xfe.txt",
                                       "\ud800.txt", "../../etc/passwd", "x" * 300]),
                      st.text(max_size=20))
RAW_TAILS = st.sampled_from([b"&raw=\xff\xfe", b"&\xff=1", b"&x=\xed\xa0\x80", b"&x=%FF%FE",
                             b"&x=a%00b", b"&%00=1", b"&x=%ED%A0%80", b"&x=caf%E9"])
DEEP = 5000
JSON_BODIES = st.sampled_from([
    b"[]", b"[1, 2]", b'"text"', b"3", b"true", b"false", b"null", b"[" * DEEP + b"]" * DEEP,
    b'{"a": ' * DEEP + b"1" + b"}" * DEEP, b"NaN", b"Infinity", b"-Infinity", b"1e999",
    b'{"card_id": NaN}', b'{"card_id": Infinity}', b'{"card_id": 1e999}', b'{"card_id": 1',
    b"{'card_id': 1}", b"\xff\xfe", b'{"answer": "\xff"}', b'{"answer": "a\\u0000b"}',
    b'{"answer": "\\ud800"}', b'{"a\\u0000": "1"}', b'{"submission_id": 12345678}', b"{}"])


@functools.cache
def _values(is_id: bool, encoding: str) -> st.SearchStrategy:
    options = [TEXT_VALUES]
    if is_id:
        options.append(st.sampled_from(ID_VALUES + (JSON_IDS if encoding == "json" else [])))
    if encoding == "json":
        options.append(st.sampled_from(JSON_VALUES + JSON_IDS))
    return st.one_of(options)


@functools.cache
def _mutations(names: tuple[Text, ...], encoding: str,
               id_fields: frozenset[str]) -> st.SearchStrategy:
    """One to four mutations, each (kind, what). Built once per field set: hypothesis is
    much slower with strategies made afresh for every example."""
    kinds = [st.tuples(st.just("extra"), st.tuples(NAMES, _values(False, encoding))),
             st.tuples(st.just("query"), st.tuples(NAMES, TEXT_VALUES))]
    if names:
        named = st.sampled_from(names)
        valued = st.one_of([st.tuples(st.just(n), _values(n in id_fields, encoding))
                            for n in names])
        kinds += [st.tuples(st.just("drop"), st.sets(named, min_size=1, max_size=len(names))),
                  st.tuples(st.just("set"), valued), st.tuples(st.just("set"), valued),
                  st.tuples(st.just("repeat"), valued)]
        if encoding in ("form", "multipart"):
            kinds.append(st.tuples(st.just("file"), st.tuples(named, FILENAMES)))
    kinds.append(st.tuples(st.just("raw query"), RAW_TAILS))
    if encoding == "form":
        kinds.append(st.tuples(st.just("raw"), RAW_TAILS))
    return st.lists(st.one_of(kinds), min_size=1, max_size=4)


def _mutate(request: Hostile, mutations: list[tuple[str, Any]]) -> None:
    for kind, what in mutations:
        if kind == "drop":
            request.fields = [(k, v) for k, v in request.fields if k not in what]
            request.notes.append(f"drop {sorted(map(repr, what))}")
        elif kind in ("set", "repeat", "file"):
            name, value = what
            if kind == "file":
                old = dict(request.fields).get(name, "x")
                content = old.content if isinstance(old, Upload) else _bytes(_text(old))
                value = Upload(content, value)
                request.encoding = "multipart"
            if kind == "repeat":
                request.fields.append((name, value))
            else:
                request.fields = [(k, value if k == name else v) for k, v in request.fields] \
                    or [(name, value)]
            request.notes.append(f"{kind} {name!r} = {_short(value)}")
        elif kind == "extra":
            request.fields.append(what)
            request.notes.append(f"extra {_short(what[0])} = {_short(what[1])}")
        elif kind == "query":
            request.query.append(what)
            request.notes.append(f"query {_short(what[0])} = {_short(what[1])}")
        elif kind == "raw":
            request.raw_tail += what
            request.notes.append(f"raw bytes in the body {_short(what)}")
        else:
            request.raw_query += what
            request.notes.append(f"raw bytes in the query {_short(what)}")


@functools.cache
def _path_change(ids: tuple[str, ...]) -> st.SearchStrategy:
    """A URL argument and a value that no object of the world has."""
    return st.tuples(st.sampled_from(ids), st.sampled_from(PATH_IDS))


@functools.cache
def _choice(options: tuple[str, ...]) -> st.SearchStrategy:
    return st.sampled_from(options)


JSON_TYPES = st.sampled_from(["application/json", "application/json; charset=utf-8"])
ONE_IN_EIGHT = st.integers(0, 7).map(lambda n: n == 0)
ONE_IN_FOUR = st.integers(0, 3).map(lambda n: n == 0)


@st.composite
def hostile_requests(draw, base: Base) -> Hostile:
    """The valid request of `base`, bent."""
    objects = dict(base.objects)
    ids = tuple(sorted(base.rule.arguments & {k for k, v in objects.items()
                                              if isinstance(v, int)}))
    change = draw(_path_change(ids)) if ids and draw(ONE_IN_EIGHT) else None
    bad_path, notes = "", []
    if change is not None:
        arg, value = change
        objects[arg] = value
        notes.append(f"URL {arg}={value}")
        if value >= MAX_INT or (value == 0 and arg != "position"):
            bad_path = f"URL {arg}={value}: cannot exist"
    encoding = draw(_choice(base.encodings))
    request = Hostile(base.method, path_for(base.rule, objects), encoding=encoding,
                      fields=list(base.fields), int_fields=base.int_fields,
                      id_fields=base.id_fields, bad_path=bad_path, notes=notes)
    if encoding == "json":
        if draw(ONE_IN_FOUR):
            request = replace(request, encoding="raw", raw_body=draw(JSON_BODIES))
            request.notes.append(f"JSON body {_short(request.raw_body)}")
            return request
        request.content_type = draw(JSON_TYPES)
    names = tuple(sorted({k for k, _ in request.fields}, key=repr))
    _mutate(request, draw(_mutations(names, encoding, base.id_fields)))
    return request


# --- checks of the answer ---------------------------------------------------------------------

# A <p> whose class list has "error" (a field's error, the form's, the error page's message).
ERROR_P = re.compile(r"""<p\s[^>]*\bclass=["']?(?:[^"'>]*\s)?error(?=[\s"'>])[^>]*>(.*?)</p>""",
                     re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")


def message_problem(response: TestResponse) -> str | None:
    """Why a 400 answer does not tell the user what was wrong, or None if it does."""
    body = response.get_data()
    if response.mimetype == "application/json":
        try:
            parsed = json.loads(body)
        except ValueError:
            return "the JSON answer does not parse"
        error = parsed.get("error") if isinstance(parsed, dict) else None
        if not isinstance(error, str) or not error.strip():
            return 'the JSON answer has no non-empty "error" string'
        return None
    if response.mimetype == "text/html":
        page = body.decode("utf-8", "replace")
        if not any(TAG.sub("", text).strip() for text in ERROR_P.findall(page)):
            return 'the page has no <p class="error"> with a message'
        return None
    return f"a {response.mimetype or 'typeless'} answer: neither JSON nor an HTML page"


def answer(response: TestResponse) -> str:
    body = response.get_data().decode("utf-8", "replace")
    return f"-> {response.status} {response.mimetype} {response.location or ''}\n" \
           f"  {body[:300]!r}"
