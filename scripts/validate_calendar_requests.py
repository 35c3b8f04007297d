#!/usr/bin/env python3
"""Check recorded Google Calendar v3 and Microsoft Graph requests against the API descriptions.

    scripts/validate_calendar_requests.py [--contracts DIR] FILE.jsonl|-

FILE holds one recorded request per line (`-` reads standard input; blank lines are skipped):

    {"api": "google"|"graph", "method": "POST", "path": "/calendar/v3/calendars/primary/events",
     "query": {"sendUpdates": "all"}, "body": {...} or null}

`query` and `body` may be left out (meaning none); a query value is a string, or a list of strings
for a parameter given more than once; other members of a record are ignored. DIR (default:
../shared/contracts next to the repository) must hold google-calendar-v3.discovery.json and
msgraph-calendar.openapi.yaml. One line is printed per request, in input order, then a total:

    ok <api> <METHOD> <path>
    invalid <api> <METHOD> <path>: <field>: <problem>[; <field>: <problem> ...]
    N requests, M invalid

<field> is `path`, `method`, `query.<name>` or `body.<member>[<index>]...`. Exit status: 0 if every
request is valid, 1 if any is invalid, 2 on a usage problem or when the contracts cannot be loaded.

Routing. Google: the `flatPath` (or `path`) of every method in the discovery document's resources,
relative to "/" + servicePath ("/calendar/v3/"). Graph: every operation under `paths`, with or
without the server's path prefix ("/v1.0"); an action path ending in `microsoft.graph.<name>` is
also reachable as `<name>` (README note 1). Literal segments win over `{variables}`.

Query parameters must be declared for the operation (Google: the method's and the document's
global parameters with location "query"; Graph: parameters `in: query`). Values are checked as the
strings they are: integers in decimal within minimum/maximum and the int32 range, booleans as
true/false, enums, a value given twice only for `repeated` parameters, Graph arrays
(`explode: false`) comma-separated with unique items. Required query parameters must be present.

Bodies are checked strictly:
* An operation without a request body must get none (null or absent); one with a body (Google:
  `request`; Graph: `requestBody.required`) must get one.
* Every object schema is closed. Google: members not under `properties` are errors unless the
  schema has `additionalProperties` (a map; its value schema applies). Graph: `allOf` branches are
  merged first, because every branch declares `additionalProperties: {type: object}`, which read
  literally rejects the other branches' members; then objects with `properties` accept only those
  plus the OData annotations @odata.type/etag/context/id/nextLink (strings). Objects without
  `properties` accept anything.
* Types: JSON integers for `integer` (1.0 is not one), int32 range, Google `format: int64` strings
  of decimal digits, `date-time` strings in RFC 3339 with a UTC offset, `date` as yyyy-mm-dd,
  Graph `pattern`s and `enum`s. Google `type: any` accepts anything.
* Required members: Google `annotations.required` when it lists the method id (start and end for
  calendar.events.insert/update, not for patch); Graph `required` arrays.
* Null: Google only in PATCH bodies (it clears a field there); Graph where `nullable: true`.

Rules taken from description text or the project's notes rather than from schema keywords:
* Google Event.id on calendar.events.insert must match ^[a-v0-9]{5,1024}$. The Event.id
  description says client-supplied ids use base32hex characters (lowercase a-v, digits 0-9) and
  are 5 to 1024 characters long.
* Google EventDateTime.dateTime may leave out the UTC offset when `timeZone` is given; its
  description says "A time zone offset is required unless a time zone is explicitly specified".
* Graph dateTimeTimeZone needs both `dateTime` and `timeZone` as strings. The contract requires
  neither and declares `timeZone` nullable; a start or end time without its zone is ambiguous.

Needs PyYAML; no network access.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlparse

import strict_json  # noqa: E402 (next to this script)

try:
    import yaml
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"validate_calendar_requests.py needs PyYAML: {exc}", file=sys.stderr)
    sys.exit(2)

DEFAULT_CONTRACTS = Path(__file__).resolve().parents[2] / "shared" / "contracts"
GOOGLE_CONTRACT = "google-calendar-v3.discovery.json"
GRAPH_CONTRACT = "msgraph-calendar.openapi.yaml"

GOOGLE_EVENTS_INSERT = "calendar.events.insert"
GOOGLE_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")
GRAPH_ACTION_NAMESPACE = "microsoft.graph."
GRAPH_DATE_TIME_TIME_ZONE = "microsoft.graph.dateTimeTimeZone"
ODATA_ANNOTATION = re.compile(r"@odata\.(?:type|etag|context|id|nextLink)")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
UNSUPPORTED_KEYWORDS = {"anyOf", "oneOf", "not", "discriminator"}

INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}
INTEGER_TEXT = re.compile(r"-?[0-9]+")
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RFC3339_DATE_TIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.[0-9]+)?"
    r"(?P<offset>[Zz]|[+-](?P<offset_hour>[0-9]{2}):(?P<offset_minute>[0-9]{2}))?"
)
# Internal format name for a date-time whose UTC offset may be left out (see EventDateTime).
OFFSET_OPTIONAL_DATE_TIME = "date-time, offset optional"


class SetupError(Exception):
    """A problem that stops the run before requests can be judged (exit status 2)."""


class ContractError(SetupError):
    """The API descriptions cannot be read or use something this validator does not support."""


class Unroutable(Exception):
    """No operation of the API matches a request's method and path."""


# --------------------------------------------------------------------------- values


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def is_integer(value: Any) -> bool:
    """True for JSON integers (Python bools are ints, JSON booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def full_date_problem(text: str) -> str | None:
    """Why text is not an RFC 3339 full-date (yyyy-mm-dd), or None."""
    try:
        if FULL_DATE.fullmatch(text):
            date.fromisoformat(text)
            return None
    except ValueError:
        pass
    return f"{text!r} is not a yyyy-mm-dd date"


def date_time_problem(text: str, offset_required: bool = True) -> str | None:
    """Why text is not an RFC 3339 date-time (section 5.6), or None."""
    match = RFC3339_DATE_TIME.fullmatch(text)
    if match is None:
        return f"{text!r} is not an RFC 3339 date-time"
    if match["offset"] is None and offset_required:
        return f"{text!r} has no UTC offset (Z or +hh:mm)"
    in_range = (
        full_date_problem(match["date"]) is None
        and int(match["hour"]) <= 23
        and int(match["minute"]) <= 59
        and int(match["second"]) <= 60  # 60: leap second
        and (match["offset_hour"] is None or int(match["offset_hour"]) <= 23)
        and (match["offset_minute"] is None or int(match["offset_minute"]) <= 59)
    )
    return None if in_range else f"{text!r} is not a valid RFC 3339 date-time"


FORMAT_PROBLEMS = {
    "date-time": date_time_problem,
    OFFSET_OPTIONAL_DATE_TIME: functools.partial(date_time_problem, offset_required=False),
    "date": full_date_problem,
}


def _limit(value: Any) -> int | float | None:
    """A minimum/maximum: a number in OpenAPI, a decimal string in the discovery document."""
    if value is None or isinstance(value, (int, float)):
        return value
    return int(value) if INTEGER_TEXT.fullmatch(value) else float(value)


def range_problem(number: int | float, spec: dict) -> str | None:
    """Check a number against the range of its integer format and against minimum/maximum."""
    format_range = INTEGER_RANGES.get(spec.get("format"), (None, None))
    for low, high in (format_range, (_limit(spec.get("minimum")), _limit(spec.get("maximum")))):
        if low is not None and number < low:
            return f"{number} is below the minimum {low}"
        if high is not None and number > high:
            return f"{number} is above the maximum {high}"
    return None


def string_problem(text: str, spec: dict) -> str | None:
    """Enum, format and pattern checks of a string (a body member or a query value)."""
    if "enum" in spec and text not in spec["enum"]:
        return f"{text!r} is not one of {', '.join(map(str, spec['enum']))}"
    fmt = spec.get("format")
    if fmt in INTEGER_RANGES:  # Google sends 64-bit integers as strings
        if not INTEGER_TEXT.fullmatch(text):
            return f"{text!r} is not a decimal {fmt} string"
        return range_problem(int(text), spec)
    if fmt in FORMAT_PROBLEMS and (problem := FORMAT_PROBLEMS[fmt](text)):
        return problem
    if "pattern" in spec and not re.search(spec["pattern"], text):
        return f"{text!r} does not match the pattern {spec['pattern']}"
    return None


def scalar_problem(value: Any, kind: str | None, spec: dict) -> str | None:
    """Check a non-container value against a schema of type string/integer/number/boolean/any."""
    if kind in (None, "any"):
        return None
    if kind == "string":
        return string_problem(value, spec) if isinstance(value, str) else _expected(kind, value)
    if kind == "integer":
        return range_problem(value, spec) if is_integer(value) else _expected(kind, value)
    if kind == "number":
        numeric = is_integer(value) or isinstance(value, float)
        return range_problem(value, spec) if numeric else _expected(kind, value)
    if kind == "boolean":
        return None if isinstance(value, bool) else _expected(kind, value)
    raise ContractError(f"unsupported schema type {kind!r}")


def _expected(kind: str, value: Any) -> str:
    """The message for a value of the wrong JSON type."""
    return f"expected {kind}, got {json_type(value)}"


# --------------------------------------------------------------------------- bodies


class SchemaWalker:
    """Strict recursive check of a decoded JSON body; subclasses supply one dialect's rules."""

    def check(self, value: Any, schema: dict, where: str = "body") -> list[str]:
        """All problems of value against schema, each as '<field>: <problem>'."""
        problems: list[str] = []
        self._value(value, schema, where, problems)
        return problems

    def resolve(self, schema: dict) -> tuple[str | None, dict]:
        """Follow references; returns the name of the schema reached (None if inline)."""
        raise NotImplementedError

    def nullable(self, schema: dict) -> bool:
        """Whether JSON null is acceptable for this (resolved) schema."""
        raise NotImplementedError

    def missing_members(self, schema: dict, value: dict) -> list[str]:
        """Problems for required members that value lacks, as '<member>: <problem>'."""
        raise NotImplementedError

    def undeclared_member(self, key: str, member: Any, name: str | None, schema: dict, where: str,
                          problems: list[str]) -> None:
        """Check a member that is not under the object schema's `properties`."""
        raise NotImplementedError

    def member_schema(self, owner: str | None, value: dict, key: str, schema: dict) -> dict:
        """The schema to check value[key] with; a hook for rules that depend on siblings."""
        return schema

    def object_problems(self, name: str | None, value: dict) -> list[str]:
        """Rules beyond the schema keywords for an object of the named schema."""
        return []

    def _value(self, value: Any, schema: dict, where: str, problems: list[str]) -> None:
        """Check any value; dispatches on the resolved schema's type."""
        name, schema = self.resolve(schema)
        if value is None:
            if not self.nullable(schema):
                problems.append(f"{where}: null is not allowed")
            return
        kind = schema.get("type")
        if kind == "object":
            self._object(value, name, schema, where, problems)
        elif kind == "array":
            self._array(value, schema, where, problems)
        elif problem := scalar_problem(value, kind, schema):
            problems.append(f"{where}: {problem}")

    def _object(self, value: Any, name: str | None, schema: dict, where: str,
                problems: list[str]) -> None:
        """Check an object: required members, declared members, undeclared ones, extra rules."""
        if not isinstance(value, dict):
            problems.append(f"{where}: {_expected('object', value)}")
            return
        properties = schema.get("properties", {})
        problems.extend(f"{where}.{problem}" for problem in self.missing_members(schema, value))
        for key, member in value.items():
            if key in properties:
                member_schema = self.member_schema(name, value, key, properties[key])
                self._value(member, member_schema, f"{where}.{key}", problems)
            else:
                self.undeclared_member(key, member, name, schema, f"{where}.{key}", problems)
        problems.extend(f"{where}.{problem}" for problem in self.object_problems(name, value))

    def _array(self, value: Any, schema: dict, where: str, problems: list[str]) -> None:
        """Check an array and each of its items."""
        if not isinstance(value, list):
            problems.append(f"{where}: {_expected('array', value)}")
            return
        for index, item in enumerate(value):
            self._value(item, schema["items"], f"{where}[{index}]", problems)


class GoogleSchemaWalker(SchemaWalker):
    """Discovery-document schemas, as seen by one method (its id decides what is required)."""

    def __init__(self, schemas: dict, method_id: str, allow_null: bool):
        self.schemas = schemas
        self.method_id = method_id
        self.allow_null = allow_null

    def resolve(self, schema: dict) -> tuple[str | None, dict]:
        ref = schema.get("$ref")
        if ref is None:
            return None, schema
        if ref not in self.schemas:
            raise ContractError(f"discovery schema {ref!r} is referenced but not defined")
        return ref, self.schemas[ref]

    def nullable(self, schema: dict) -> bool:
        return self.allow_null or schema.get("type") == "any"

    def missing_members(self, schema: dict, value: dict) -> list[str]:
        # annotations.required sits on the referencing property, next to its $ref.
        return [
            f"{key}: missing; required for {self.method_id}"
            for key, spec in schema.get("properties", {}).items()
            if self.method_id in spec.get("annotations", {}).get("required", []) and key not in value
        ]

    def undeclared_member(self, key: str, member: Any, name: str | None, schema: dict, where: str,
                          problems: list[str]) -> None:
        map_values = schema.get("additionalProperties")
        if map_values is None:
            problems.append(f"{where}: unknown property (not in {name or 'the schema'})")
        else:
            self._value(member, map_values, where, problems)

    def member_schema(self, owner: str | None, value: dict, key: str, schema: dict) -> dict:
        if owner == "EventDateTime" and key == "dateTime" and isinstance(value.get("timeZone"), str):
            return {**schema, "format": OFFSET_OPTIONAL_DATE_TIME}
        return schema

    def object_problems(self, name: str | None, value: dict) -> list[str]:
        event_id = value.get("id")
        if (name == "Event" and self.method_id == GOOGLE_EVENTS_INSERT and isinstance(event_id, str)
                and not GOOGLE_EVENT_ID.fullmatch(event_id)):
            return [f"id: {event_id!r} is not a valid client-supplied event id "
                    "(5-1024 characters, lowercase a-v and digits 0-9)"]
        return []


class GraphSchemaWalker(SchemaWalker):
    """OpenAPI 3.0 schemas as written by the Graph generator (allOf inheritance, nullable)."""

    def __init__(self, document: dict):
        self.document = document

    def resolve(self, schema: dict) -> tuple[str | None, dict]:
        name = None
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self._pointer(schema["$ref"])
        unsupported = UNSUPPORTED_KEYWORDS & schema.keys()
        if unsupported:
            raise ContractError(f"schema {name or '(inline)'} uses unsupported {sorted(unsupported)}")
        if "allOf" in schema:
            schema = self._merged(schema)
        return name, schema

    def nullable(self, schema: dict) -> bool:
        return bool(schema.get("nullable"))

    def missing_members(self, schema: dict, value: dict) -> list[str]:
        return [f"{key}: missing; required" for key in schema.get("required", []) if key not in value]

    def undeclared_member(self, key: str, member: Any, name: str | None, schema: dict, where: str,
                          problems: list[str]) -> None:
        if ODATA_ANNOTATION.fullmatch(key):
            if not isinstance(member, str):
                problems.append(f"{where}: {_expected('string', member)}")
        elif "properties" in schema:
            problems.append(f"{where}: unknown property (not in {name or 'the schema'})")

    def object_problems(self, name: str | None, value: dict) -> list[str]:
        if name != GRAPH_DATE_TIME_TIME_ZONE:
            return []
        return [f"{key}: missing or null; Graph needs both dateTime and timeZone"
                for key in ("dateTime", "timeZone") if value.get(key) is None]

    def _merged(self, schema: dict) -> dict:
        """One object schema with the properties and required members of all allOf branches."""
        own = {key: part for key, part in schema.items() if key != "allOf"}
        properties: dict = {}
        required: list = []
        for branch in [*schema["allOf"], own]:
            _, branch = self.resolve(branch)
            properties.update(branch.get("properties", {}))
            required.extend(branch.get("required", []))
        return {"type": "object", "properties": properties, "required": required}

    def _pointer(self, ref: str) -> dict:
        """The node a local JSON pointer reference (#/...) names."""
        if not ref.startswith("#/"):
            raise ContractError(f"only local references are supported, not {ref!r}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise ContractError(f"reference {ref!r} does not resolve")
            node = node[part]
        return node


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class QueryParameter:
    """A declared query parameter; `spec` holds type/enum/format/minimum/maximum of one value."""

    spec: dict
    required: bool = False
    repeated: bool = False  # may be given more than once
    comma_separated: bool = False  # an OpenAPI array with style form, explode false
    unique: bool = False


@dataclass(frozen=True)
class Operation:
    """One method+path template of an API and what its requests may carry."""

    operation_id: str
    method: str
    segments: tuple[str, ...]
    parameters: dict[str, QueryParameter]
    body_schema: dict | None
    body_required: bool
    walker: SchemaWalker

    def matches(self, segments: list[str]) -> bool:
        """Whether a request path (split on '/') fits this template."""
        return len(segments) == len(self.segments) and all(
            (bool(actual) if _is_variable(expected) else actual == expected)
            for expected, actual in zip(self.segments, segments)
        )

    def specificity(self) -> tuple[bool, ...]:
        """Sort key: literal segments beat variables, earlier segments first."""
        return tuple(not _is_variable(segment) for segment in self.segments)

    def query_problems(self, query: dict) -> list[str]:
        """Undeclared, mistyped, repeated or missing query parameters."""
        problems = []
        for name, raw in query.items():
            parameter = self.parameters.get(name)
            if parameter is None:
                problems.append(f"query.{name}: not a query parameter of {self.operation_id}")
                continue
            values = raw if isinstance(raw, list) else [raw]
            if not all(isinstance(value, str) for value in values):
                problems.append(f"query.{name}: values must be strings")
            elif len(values) > 1 and not parameter.repeated:
                problems.append(f"query.{name}: given {len(values)} times")
            else:
                problems.extend(f"query.{name}: {p}" for p in _query_value_problems(parameter, values))
        problems.extend(
            f"query.{name}: missing; required for {self.operation_id}"
            for name, parameter in self.parameters.items()
            if parameter.required and name not in query
        )
        return problems

    def body_problems(self, body: Any) -> list[str]:
        """A body where none is allowed, a missing body, or a body that breaks the schema."""
        if self.body_schema is None:
            return [] if body is None else [f"body: {self.operation_id} takes no request body"]
        if body is None:
            return [f"body: missing; {self.operation_id} requires one"] if self.body_required else []
        return self.walker.check(body, self.body_schema)


def _is_variable(segment: str) -> bool:
    """Whether a template segment is a {variable}."""
    return segment.startswith("{") and segment.endswith("}")


def _query_value_problems(parameter: QueryParameter, values: list[str]) -> Iterator[str]:
    """Problems of the values given for one declared query parameter."""
    for value in values:
        items = value.split(",") if parameter.comma_separated else [value]
        if parameter.unique and len(set(items)) != len(items):
            yield f"{value!r} repeats an item"
        for item in items:
            if problem := _query_scalar_problem(item, parameter.spec):
                yield problem


def _query_scalar_problem(text: str, spec: dict) -> str | None:
    """Check one query value, which arrives as a string, against its declared type."""
    kind = spec.get("type", "string")
    if kind == "integer":
        if not INTEGER_TEXT.fullmatch(text):
            return f"{text!r} is not an integer"
        return range_problem(int(text), spec)
    if kind == "boolean":
        return None if text in ("true", "false") else f"{text!r} is not true or false"
    if kind == "number":
        try:
            return range_problem(float(text), spec)
        except ValueError:
            return f"{text!r} is not a number"
    if kind == "string":
        return string_problem(text, spec)
    raise ContractError(f"unsupported query parameter type {kind!r}")


class Api:
    """The operations of one API and the path prefix its requests are written under."""

    def __init__(self, name: str, prefix: str, prefix_optional: bool, operations: list[Operation]):
        self.name = name
        self.prefix = prefix.rstrip("/")
        self.prefix_optional = prefix_optional
        self.operations = operations

    def route(self, method: str, path: str) -> Operation:
        """The operation a request is for; raises Unroutable naming `path` or `method`."""
        segments = self._relative_segments(path)
        if segments is None:
            raise Unroutable(f"path: {self.name} paths start with {self.prefix}/")
        candidates = [operation for operation in self.operations if operation.matches(segments)]
        if not candidates:
            raise Unroutable(f"path: no {self.name} operation has this path")
        same_method = [operation for operation in candidates if operation.method == method]
        if not same_method:
            allowed = ", ".join(sorted({operation.method for operation in candidates}))
            raise Unroutable(f"method: {method} is not allowed on this path (allowed: {allowed})")
        return max(same_method, key=Operation.specificity)

    def _relative_segments(self, path: str) -> list[str] | None:
        """The path's segments after the prefix; None if a required prefix is missing."""
        if path.startswith(self.prefix + "/"):
            path = path[len(self.prefix):]
        elif not self.prefix_optional:
            return None
        return path.split("/")[1:]


def google_api(discovery: dict) -> Api:
    """Operations of every method in a Google discovery document."""
    schemas = discovery["schemas"]
    global_parameters = discovery.get("parameters", {})
    operations = []
    for method in _discovery_methods(discovery["resources"]):
        template = method.get("flatPath", method["path"])
        if "{+" in template:
            raise ContractError(f"{method['id']}: reserved expansion in {template!r} is not supported")
        declared = {**global_parameters, **method.get("parameters", {})}
        parameters = {
            name: QueryParameter(spec, spec.get("required", False), spec.get("repeated", False))
            for name, spec in declared.items()
            if spec.get("location") == "query"
        }
        request = method.get("request")
        walker = GoogleSchemaWalker(schemas, method["id"], allow_null=method["httpMethod"] == "PATCH")
        operations.append(Operation(method["id"], method["httpMethod"], tuple(template.split("/")),
                                    parameters, request, request is not None, walker))
    return Api("google", "/" + discovery["servicePath"], False, operations)


def _discovery_methods(resources: dict) -> Iterator[dict]:
    """Every method of the resources, nested resources included."""
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _discovery_methods(resource.get("resources", {}))


def graph_api(document: dict) -> Api:
    """Operations of every path item in a Graph OpenAPI document (action paths twice)."""
    walker = GraphSchemaWalker(document)
    operations = []
    for path, item in document["paths"].items():
        for verb, operation in item.items():
            if verb not in HTTP_METHODS:
                continue
            declared = [*item.get("parameters", []), *operation.get("parameters", [])]
            parameters = {p["name"]: _openapi_query_parameter(p) for p in declared if p["in"] == "query"}
            request_body = operation.get("requestBody")
            schema = request_body["content"]["application/json"]["schema"] if request_body else None
            for segments in _graph_path_forms(path):
                operations.append(Operation(operation["operationId"], verb.upper(), segments, parameters,
                                            schema, bool(request_body and request_body.get("required")),
                                            walker))
    prefix = urlparse(document["servers"][0]["url"]).path
    return Api("graph", prefix, True, operations)


def _graph_path_forms(path: str) -> list[tuple[str, ...]]:
    """The path's segments, plus the unqualified form of a microsoft.graph.<action> path."""
    segments = tuple(path.split("/")[1:])
    if segments[-1].startswith(GRAPH_ACTION_NAMESPACE):
        return [segments, (*segments[:-1], segments[-1][len(GRAPH_ACTION_NAMESPACE):])]
    return [segments]


def _openapi_query_parameter(parameter: dict) -> QueryParameter:
    """An OpenAPI `in: query` parameter; arrays are comma-separated unless exploded."""
    schema = parameter["schema"]
    required = parameter.get("required", False)
    if schema.get("type") != "array":
        return QueryParameter(schema, required)
    explode = parameter.get("explode", parameter.get("style", "form") == "form")
    return QueryParameter(schema["items"], required, repeated=explode,
                          comma_separated=not explode, unique=schema.get("uniqueItems", False))


def load_contracts(directory: Path) -> dict[str, Api]:
    """Both APIs, keyed by the record's `api` value; raises ContractError."""
    try:
        discovery = json.loads((directory / GOOGLE_CONTRACT).read_text(encoding="utf-8"))
        openapi = yaml.safe_load((directory / GRAPH_CONTRACT).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ContractError(f"cannot read the contracts in {directory}: {exc}") from exc
    try:
        return {"google": google_api(discovery), "graph": graph_api(openapi)}
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ContractError(f"unexpected structure in the contracts in {directory}: {exc!r}") from exc


# --------------------------------------------------------------------------- records


def validate_record(record: Any, apis: dict[str, Api]) -> list[str]:
    """Problems with one recorded request; empty when it is valid."""
    problems = _record_shape_problems(record, apis)
    if problems:
        return problems
    try:
        operation = apis[record["api"]].route(record["method"], record["path"])
    except Unroutable as exc:
        return [str(exc)]
    return operation.query_problems(record.get("query") or {}) + operation.body_problems(record.get("body"))


def _record_shape_problems(record: Any, apis: dict[str, Api]) -> list[str]:
    """Problems with the record itself (members missing or of the wrong type)."""
    if not isinstance(record, dict):
        return [f"record: expected object, got {json_type(record)}"]
    problems = []
    if record.get("api") not in apis:
        problems.append(f"api: must be one of {', '.join(sorted(apis))}")
    if not isinstance(record.get("method"), str):
        problems.append("method: expected string")
    path = record.get("path")
    if not isinstance(path, str) or not path.startswith("/") or "?" in path or "#" in path:
        problems.append("path: expected an absolute path without query or fragment")
    if not isinstance(record.get("query"), (dict, type(None))):
        problems.append(f"query: expected object, got {json_type(record.get('query'))}")
    return problems


def describe(record: Any) -> str:
    """'<api> <METHOD> <path>' of a record, with '?' for whatever is missing."""
    fields = record if isinstance(record, dict) else {}
    return " ".join(str(fields[key]) if isinstance(fields.get(key), str) else "?"
                    for key in ("api", "method", "path"))


def parse_record(line: str) -> Any:
    """Strict JSON: no NaN/Infinity, no duplicate member names."""
    return strict_json.loads(line)


def check_lines(lines: Iterable[str], apis: dict[str, Api]) -> Iterator[tuple[bool, str]]:
    """(valid, output line) for every non-blank input line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_record(line.lstrip("\ufeff"))
        except ValueError as exc:
            yield False, f"invalid ? ? ?: line {number}: not valid JSON: {exc}"
            continue
        problems = validate_record(record, apis)
        if problems:
            yield False, f"invalid {describe(record)}: {'; '.join(problems)}"
        else:
            yield True, f"ok {describe(record)}"


def read_lines(argument: str) -> list[str]:
    """The lines of FILE, or of standard input for '-'."""
    if argument == "-":
        return sys.stdin.read().splitlines()
    try:
        return Path(argument).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"cannot read {argument}: {exc}") from exc


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        description="Validate recorded Google Calendar / Microsoft Graph requests (JSON lines) "
                    "against the API descriptions.")
    parser.add_argument("--contracts", type=Path, default=DEFAULT_CONTRACTS,
                        help=f"directory with {GOOGLE_CONTRACT} and {GRAPH_CONTRACT} "
                             f"(default: {DEFAULT_CONTRACTS})")
    parser.add_argument("file", metavar="FILE", help="JSON lines file, or - for standard input")
    args = parser.parse_args(argv)
    try:
        apis = load_contracts(args.contracts)
        results = list(check_lines(read_lines(args.file), apis))
    except SetupError as exc:
        print(f"validate_calendar_requests.py: {exc}", file=sys.stderr)
        return 2
    for _, line in results:
        print(line)
    invalid = sum(1 for valid, _ in results if not valid)
    print(f"{len(results)} requests, {invalid} invalid")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
