#!/usr/bin/env python3
"""Validate EnginEdge interview Kafka messages against the JSON Schemas in schemas/.

    scripts/validate_events.py [--schema-dir DIR] [--schema NAME] FILE|- [FILE ...]
    scripts/validate_events.py [--schema-dir DIR] --self-test

A FILE holds one JSON document (a *.jsonl or *.ndjson file holds one per line); `-` reads
JSON lines from standard input, one document per non-blank line. Each document is checked
against the schema whose eventType const matches its `eventType`, or against
DIR/NAME.schema.json when --schema is given (e.g. --schema dlq for DLQ records, which have
no envelope). One line per document, in input order:

    ok <eventType> <eventId>
    ok dlq <topic>:<partition>:<offset>
    invalid <json-path>: <message>

where <json-path> locates the offending value inside the document (`$` is the document
itself; a missing member is reported at the object that lacks it). Exit status: 0 if every
document is valid, 1 if any is invalid, 2 on a usage or schema-loading problem.

--self-test checks the schemas themselves (draft-07 meta-schema, every $ref resolves, no
keywords beside a $ref, eventType consts match file names, the date-time pattern) and every
example: schemas/examples/valid/*.json must pass, schemas/examples/invalid/*.json must fail
with the error named in schemas/examples/expected-errors.json. Examples are named
<schema>--<case>.json. Exits non-zero if anything is off.

Uses jsonschema's Draft7Validator with its format checker, and the `referencing` library
for $ref resolution: every *.schema.json in the schema directory is registered under its
$id, so relative references such as "envelope.schema.json#/definitions/metadata" resolve
locally without network access.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import strict_json  # noqa: E402 (next to this script)

try:
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError, best_match
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT7
except ImportError as exc:  # pragma: no cover - depends on the machine
    sys.exit(f"validate_events.py needs the jsonschema (>= 4.18) and referencing packages: {exc}")

SCHEMA_SUFFIX = ".schema.json"
ENVELOPE = "envelope"
DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
MAX_MESSAGE = 300

# Keywords that only annotate; anything else beside a "$ref" is ignored by draft-07
# validators and therefore a mistake.
ANNOTATIONS = {"$ref", "description", "title", "$comment", "examples", "default"}


class SetupError(Exception):
    """A problem with the schemas or the command line (exit status 2)."""


# --------------------------------------------------------------------------- schemas


@dataclass
class Schema:
    name: str
    path: Path
    contents: dict
    uri: str
    event_type: str | None  # the eventType const, for envelope events


class SchemaSet:
    def __init__(self, directory: Path):
        self.directory = directory
        if not directory.is_dir():
            raise SetupError(f"schema directory {directory} does not exist")
        self.schemas: dict[str, Schema] = {}
        resources = []
        for path in sorted(directory.glob("*" + SCHEMA_SUFFIX)):
            name = path.name[: -len(SCHEMA_SUFFIX)]
            try:
                contents = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise SetupError(f"{path}: cannot read schema: {exc}") from exc
            if not isinstance(contents, dict):
                raise SetupError(f"{path}: a schema must be a JSON object")
            file_uri = path.resolve().as_uri()
            uri = contents.get("$id") or file_uri
            resource = Resource.from_contents(contents, default_specification=DRAFT7)
            resources.append((uri, resource))
            if uri != file_uri:
                resources.append((file_uri, resource))
            self.schemas[name] = Schema(name, path, contents, uri, declared_event_type(contents))
        if not self.schemas:
            raise SetupError(f"no *{SCHEMA_SUFFIX} files in {directory}")
        self.registry = Registry().with_resources(resources)
        self.format_checker = Draft7Validator.FORMAT_CHECKER
        self._validators: dict[str, Draft7Validator] = {}
        self.by_event_type: dict[str, str] = {}
        for schema in self.schemas.values():
            if schema.event_type is not None:
                self.by_event_type.setdefault(schema.event_type, schema.name)

    def validator(self, name: str) -> Draft7Validator:
        if name not in self.schemas:
            known = ", ".join(sorted(self.schemas))
            raise SetupError(f"no schema {name!r} in {self.directory} (known: {known})")
        if name not in self._validators:
            self._validators[name] = Draft7Validator(
                self.schemas[name].contents,
                registry=self.registry,
                format_checker=self.format_checker,
            )
        return self._validators[name]

    def definition(self, pointer: str) -> Any:
        """A subschema of the envelope schema, e.g. 'definitions/dateTime'."""
        node: Any = self.schemas[ENVELOPE].contents if ENVELOPE in self.schemas else {}
        for part in pointer.split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node


def declared_event_type(schema: dict) -> str | None:
    """The const an event schema pins eventType to (directly or in an allOf branch)."""
    candidates = [schema] + [s for s in schema.get("allOf", []) if isinstance(s, dict)]
    for candidate in candidates:
        event_type = candidate.get("properties", {}).get("eventType", {})
        if isinstance(event_type, dict) and isinstance(event_type.get("const"), str):
            return event_type["const"]
    return None


# --------------------------------------------------------------------------- documents


def parse_json(text: str) -> Any:
    """Strict JSON: no NaN/Infinity, no duplicate member names."""
    return strict_json.loads(text)


@dataclass
class Document:
    source: str  # file name, or <stdin>:LINE
    value: Any = None
    parse_error: str | None = None


def read_documents(argument: str) -> Iterator[Document]:
    if argument == "-":
        yield from _json_lines(sys.stdin, "<stdin>")
        return
    path = Path(argument)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read {argument}: {exc}") from exc
    if path.suffix in (".jsonl", ".ndjson"):
        yield from _json_lines(text.splitlines(), argument)
    else:
        yield _parse(text, argument)


def _json_lines(lines: Iterable[str], name: str) -> Iterator[Document]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield _parse(line, f"{name}:{number}")


def _parse(text: str, source: str) -> Document:
    try:
        return Document(source, parse_json(text.lstrip("\ufeff")))
    except strict_json.DuplicateKey as exc:
        return Document(source, parse_error=f"ambiguous JSON: {exc}")
    except ValueError as exc:
        return Document(source, parse_error=f"not valid JSON: {exc}")


# --------------------------------------------------------------------------- validation


@dataclass
class Outcome:
    valid: bool
    line: str
    errors: list[ValidationError]


def one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def token(value: Any) -> str:
    """A value for an ok line: as is, or JSON-quoted if it would not read as one word."""
    text = str(value)
    if isinstance(value, str) and text and not any(c.isspace() or not c.isprintable() for c in text):
        return text
    return text if isinstance(value, int) and not isinstance(value, bool) else json.dumps(value, ensure_ascii=False)


def explain(error: ValidationError, schemas: SchemaSet) -> str:
    """The error's message, with friendlier wording for the shared string shapes."""
    if error.validator in ("pattern", "format"):
        subschema = error.schema if isinstance(error.schema, dict) else {}
        if subschema == schemas.definition("definitions/dateTime"):
            if (error.validator == "format" and isinstance(error.instance, str)
                    and re.search(subschema.get("pattern", "$^"), error.instance)):
                return f"{short(error.instance)} is not a real date and time (RFC 3339 shape, impossible value)"
            return (f"{short(error.instance)} is not an RFC 3339 date-time with seconds and "
                    "an offset (e.g. 2024-01-15T09:00:00Z or 2024-01-15T09:00:00+05:30)")
        if subschema == schemas.definition("definitions/ianaTimeZone"):
            return f"{short(error.instance)} is not an IANA time-zone name (e.g. America/New_York)"
        if subschema == schemas.definition("definitions/identifier"):
            return f"{short(error.instance)} is blank"
    if error.validator == "minLength" and error.instance == "":
        return "empty string where a non-empty one is required"
    if error.validator == "const":
        return f"{short(error.instance)} is not {short(error.validator_value)}"
    return error.message


def all_errors(errors: Iterable[ValidationError]) -> Iterator[ValidationError]:
    """Errors together with the nested errors of anyOf/oneOf branches."""
    for error in errors:
        yield error
        yield from all_errors(error.context or [])


def check(document: Document, schemas: SchemaSet, forced: str | None) -> Outcome:
    if document.parse_error is not None:
        return Outcome(False, f"invalid $: {one_line(document.parse_error)}", [])
    value = document.value
    name = forced
    if name is None:
        event_type = value.get("eventType") if isinstance(value, dict) else None
        name = schemas.by_event_type.get(event_type) if isinstance(event_type, str) else None
        if name is None:
            # Let the envelope say what is wrong; if the envelope is fine the type is unknown.
            errors = list(schemas.validator(ENVELOPE).iter_errors(value))
            if errors:
                outcome = failure(errors, schemas)
                if isinstance(value, dict) and "originalMessage" in value and "eventType" not in value:
                    outcome.line += " (a DLQ record? use --schema dlq)"
                return outcome
            known = ", ".join(sorted(schemas.by_event_type))
            return Outcome(False, f"invalid $.eventType: no schema for eventType "
                                  f"{short(event_type)} (known: {known})", [])
    try:
        errors = list(schemas.validator(name).iter_errors(value))
    except Unresolvable as exc:
        raise SetupError(f"{name}{SCHEMA_SUFFIX}: unresolvable reference: {one_line(exc)}") from exc
    if errors:
        return failure(errors, schemas)
    if isinstance(value, dict) and "eventType" in value:
        return Outcome(True, f"ok {token(value['eventType'])} {token(value.get('eventId'))}", [])
    if isinstance(value, dict):
        where = ":".join(token(value.get(k)) for k in ("topic", "partition", "offset"))
        return Outcome(True, f"ok {name} {where}", [])
    return Outcome(True, f"ok {name}", [])


def failure(errors: list[ValidationError], schemas: SchemaSet) -> Outcome:
    best = best_match(errors)
    # A value that breaks both the pattern and the format of date-time counts once.
    others = sum(1 for e in errors if e.json_path != best.json_path)
    more = f" (+{others} more)" if others else ""
    return Outcome(False, f"invalid {best.json_path}: {one_line(explain(best, schemas))}{more}", errors)


# --------------------------------------------------------------------------- self-test


DATE_TIMES_VALID = [
    "2024-01-01T00:00:00Z",
    "2024-01-15T09:00:00.250+05:30",
    "2024-01-15T09:00:00.123456789-03:00",
    "2024-01-15T09:00:00-00:00",
    "2016-12-31T23:59:60Z",
]
DATE_TIMES_INVALID = [
    "2024-01-01T00:00:00",  # no offset
    "2024-01-01 00:00:00Z",  # space instead of T
    "2024-01-01",
    "2024-01-01T00:00Z",  # no seconds
    "2024-13-01T00:00:00Z",
    "2024-01-32T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T00:00:00+0530",
    "2024-01-01T00:00:00+05",
    "2024-01-01t00:00:00z",  # RFC 3339 permits lower case; rfc3339-validator and we do not
    "2024-01-01T00:00:00.Z",
    " 2024-01-01T00:00:00Z",
    "1704067200000",
]


class SelfTest:
    def __init__(self, schemas: SchemaSet):
        self.schemas = schemas
        self.failures: list[str] = []
        self.passes = 0

    def expect(self, condition: bool, what: str) -> bool:
        if condition:
            self.passes += 1
        else:
            self.failures.append(what)
            print(f"FAIL {what}")
        return condition

    def run(self) -> int:
        self.check_schemas()
        self.check_date_times()
        self.check_examples()
        print(f"self-test: {self.passes} checks passed, {len(self.failures)} failed")
        return 1 if self.failures else 0

    # -- the schemas themselves

    def check_schemas(self) -> None:
        s = self.schemas
        self.expect(ENVELOPE in s.schemas, f"{ENVELOPE}{SCHEMA_SUFFIX} exists")
        for schema in s.schemas.values():
            label = schema.path.name
            try:
                Draft7Validator.check_schema(schema.contents)
                self.expect(True, "")
            except Exception as exc:  # jsonschema.SchemaError
                self.expect(False, f"{label}: not a valid draft-07 schema: {one_line(exc)}")
            self.expect(schema.contents.get("$schema") == "http://json-schema.org/draft-07/schema#",
                        f"{label}: $schema is draft-07")
            self.expect(str(schema.contents.get("$id", "")).endswith("/" + schema.path.name),
                        f"{label}: $id ends with /{schema.path.name}")
            for pointer, node in walk(schema.contents):
                if "$ref" not in node:
                    continue
                extra = set(node) - ANNOTATIONS
                self.expect(not extra, f"{label}#{pointer}: {sorted(extra)} beside $ref are ignored in draft-07")
                try:
                    s.registry.resolver(base_uri=schema.uri).lookup(node["$ref"])
                    self.expect(True, "")
                except Unresolvable as exc:
                    self.expect(False, f"{label}#{pointer}: $ref {node['$ref']!r} does not resolve: {one_line(exc)}")
            if schema.name not in (ENVELOPE, "dlq"):
                self.expect(schema.event_type == schema.name,
                            f"{label}: eventType const {schema.event_type!r} matches the file name")
                self.expect(s.by_event_type.get(schema.name) == schema.name,
                            f"{label}: only schema for eventType {schema.name!r}")

    def check_date_times(self) -> None:
        date_time = self.schemas.definition("definitions/dateTime")
        pattern = date_time.get("pattern")
        if not self.expect(isinstance(pattern, str), "envelope definitions/dateTime has a pattern"):
            return
        for text in DATE_TIMES_VALID:
            self.expect(re.search(pattern, text) is not None, f"date-time pattern accepts {text!r}")
        for text in DATE_TIMES_INVALID:
            self.expect(re.search(pattern, text) is None, f"date-time pattern rejects {text!r}")
        if "date-time" in self.schemas.format_checker.checkers:
            errors = list(Draft7Validator(date_time, format_checker=self.schemas.format_checker)
                          .iter_errors("2024-02-30T00:00:00Z"))
            self.expect(bool(errors), "format date-time rejects 2024-02-30T00:00:00Z")
        else:
            print("note: format 'date-time' is not checked here (install rfc3339-validator); "
                  "the pattern still enforces the RFC 3339 shape")

    # -- the examples

    def check_examples(self) -> None:
        root = self.schemas.directory / "examples"
        manifest_path = root / "expected-errors.json"
        try:
            expected = parse_json(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self.expect(False, f"{manifest_path}: {exc}")
            expected = {}
        covered: dict[str, set[str]] = {name: set() for name in self.schemas.schemas}
        invalid_names = set()
        for kind in ("valid", "invalid"):
            files = sorted((root / kind).glob("*.json"))
            self.expect(bool(files), f"examples/{kind} has examples")
            for path in files:
                label = f"examples/{kind}/{path.name}"
                name = path.name.split("--", 1)[0]
                if not self.expect("--" in path.name and name in self.schemas.schemas,
                                   f"{label}: named <schema>--<case>.json after an existing schema"):
                    continue
                covered[name].add(kind)
                if kind == "invalid":
                    invalid_names.add(path.name)
                document = _parse(path.read_text(encoding="utf-8"), label)
                try:
                    outcome = check(document, self.schemas, name)
                except SetupError as exc:
                    self.expect(False, f"{label}: {exc}")
                    continue
                if kind == "valid":
                    self.check_valid(label, document, name, outcome)
                else:
                    self.check_invalid(label, path.name, outcome, expected.get(path.name))
        for name in sorted(covered):
            for kind in ("valid", "invalid"):
                self.expect(kind in covered[name], f"{name}{SCHEMA_SUFFIX} has an example in examples/{kind}")
        for stale in sorted(set(expected) - invalid_names):
            self.expect(False, f"expected-errors.json names {stale}, which is not in examples/invalid")

    def check_valid(self, label: str, document: Document, name: str, outcome: Outcome) -> None:
        if not self.expect(outcome.valid, f"{label} is valid: got {outcome.line}"):
            for error in outcome.errors:
                print(f"     {error.json_path}: {one_line(error.message)}")
            return
        if name == ENVELOPE or self.schemas.schemas[name].event_type is None:
            return
        # Chosen by eventType, as the CLI does without --schema, it must pass as well.
        chosen = check(document, self.schemas, None)
        self.expect(chosen.valid and chosen.line == outcome.line,
                    f"{label} is valid when the schema is chosen by eventType: got {chosen.line}")

    def check_invalid(self, label: str, file_name: str, outcome: Outcome, expectation: Any) -> None:
        if not self.expect(not outcome.valid, f"{label} is invalid: got {outcome.line}"):
            return
        if not self.expect(isinstance(expectation, dict) and "path" in expectation,
                           f"{label}: expected-errors.json gives its expected error {{path, keyword?, message?}}"):
            return
        if not outcome.errors:  # not JSON, or unknown eventType: judged on the printed line
            self.expect(outcome.line.startswith(f"invalid {expectation['path']}:")
                        and expectation.get("message", "") in outcome.line,
                        f"{label}: fails with {expectation}; got {outcome.line}")
            return
        found = [
            e for e in all_errors(outcome.errors)
            if e.json_path == expectation["path"]
            and expectation.get("keyword", e.validator) == e.validator
            and expectation.get("message", "") in e.message
        ]
        got = "; ".join(f"{e.json_path} {e.validator}: {one_line(e.message)}" for e in all_errors(outcome.errors))
        self.expect(bool(found), f"{label}: fails with {expectation}; got {got}")


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        yield pointer or "/", node
        for key, value in node.items():
            yield from walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Validate EnginEdge interview Kafka messages against schemas/*.schema.json.",
        epilog="Prints 'ok <eventType> <eventId>' or 'invalid <json-path>: <message>' per document; "
               "exits 1 if any document is invalid, 2 on usage or schema problems.",
    )
    parser.add_argument("inputs", nargs="*", metavar="FILE_OR_-",
                        help="a file with one JSON document (*.jsonl/*.ndjson: one per line), "
                             "or - for JSON lines on standard input")
    parser.add_argument("--schema-dir", type=Path, default=DEFAULT_SCHEMA_DIR,
                        help="directory with the *.schema.json files (default: %(default)s)")
    parser.add_argument("--schema", metavar="NAME",
                        help="validate against NAME.schema.json instead of choosing by eventType (e.g. dlq)")
    parser.add_argument("--self-test", action="store_true",
                        help="check the schemas and that every example passes or fails as it should")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list every error of an invalid document on standard error")
    args = parser.parse_args(argv)

    if not args.self_test and not args.inputs:
        parser.error("give a FILE, - for standard input, or --self-test")
    try:
        schemas = SchemaSet(args.schema_dir)
        if args.self_test:
            if args.inputs:
                parser.error("--self-test takes no FILE")
            return SelfTest(schemas).run()
        if args.schema is not None:
            schemas.validator(args.schema)  # fail early on an unknown name
        any_invalid = False
        for argument in args.inputs:
            for document in read_documents(argument):
                outcome = check(document, schemas, args.schema)
                print(outcome.line, flush=True)
                any_invalid |= not outcome.valid
                if args.verbose and not outcome.valid:
                    for error in all_errors(outcome.errors):
                        print(f"  {document.source}: {error.json_path} [{error.validator}] "
                              f"{one_line(error.message)}", file=sys.stderr)
        return 1 if any_invalid else 0
    except SetupError as exc:
        print(f"validate_events.py: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
