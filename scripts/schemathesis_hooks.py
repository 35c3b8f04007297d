"""Schemathesis hooks for scripts/schemathesis.sh.

docs/openapi.yaml states every limit JSON Schema can say; the rules it can only state in
prose relate fields to each other or to the world (a zone must exist, a window must lie
ahead and hold the interview, e-mail addresses must differ, a working-hours range must not
be empty). Data generated as valid would break them nearly every time, and the service
would rightly answer 400, so a positive body is moved onto them here: dates of a window are
set a few days ahead (keeping the generated time, fraction, offset and letter case), zone
names are drawn from real ones, clashing addresses are renamed and empty working-hours
ranges widened. Every other generated value reaches the service untouched, and negative
cases are never changed.

The stateful phase starts from operations likely to succeed; schemathesis takes `jobId` (the
recruiting system's job) for a reference to a resource no operation creates, and would never
start a scenario with POST /api/v1/scheduling-requests. Such references are dropped from its
dependency graph, so that POST -> GET -> cancel is followed.
"""
import datetime
import hashlib
import re

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# Real IANA names, with odd offsets and DST rules among them.
ZONES = (
    "UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/St_Johns", "Asia/Kolkata",
    "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago",
)
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?=[Tt])")
TIME = re.compile(r"^([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$")
WINDOWED = {
    ("POST", "/api/v1/scheduling-requests"),
    ("POST", "/api/v1/interviews/{id}/reschedule"),
}


def _number(value) -> int:
    """A stable number drawn from a generated value, so that a seed gives the same run."""
    return int.from_bytes(hashlib.sha256(repr(value).encode("utf-8", "surrogatepass")).digest()[:4], "big")


def _zone(value):
    return ZONES[_number(value) % len(ZONES)] if isinstance(value, str) else value


def _dated(text, day: datetime.date):
    if not isinstance(text, str) or not DATE.match(text):
        return text
    return DATE.sub(day.isoformat(), text, count=1)


def _range(value, first: datetime.date, last: datetime.date):
    """A range from `first` to `last`: with offsets of up to ±24 h at both ends and any time
    of day it still spans a day or more, so any duration fits, and never a year."""
    if not isinstance(value, dict):
        return value
    value = dict(value)
    value["start"] = _dated(value.get("start"), first)
    value["end"] = _dated(value.get("end"), last)
    if "timeZone" in value:
        value["timeZone"] = _zone(value["timeZone"])
    return value


def _seconds(text):
    match = TIME.match(text) if isinstance(text, str) else None
    return None if match is None else int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3] or 0)


def _working_hours(hours):
    if not isinstance(hours, dict):
        return hours
    widened = {}
    for day, ranges in hours.items():
        if isinstance(ranges, list):
            ranges = [dict(r) if isinstance(r, dict) else r for r in ranges]
            for r in ranges:
                start = _seconds(r.get("start")) if isinstance(r, dict) else None
                if start is not None and start == _seconds(r.get("end")):
                    end = (start + 3600) % 86400
                    r["end"] = f"{end // 3600:02d}:{end // 60 % 60:02d}:{end % 60:02d}"
        widened[day] = ranges
    return widened


def _person(person):
    if not isinstance(person, dict):
        return person
    person = dict(person)
    person["timeZone"] = _zone(person.get("timeZone"))
    if "workingHours" in person:
        person["workingHours"] = _working_hours(person["workingHours"])
    return person


def _distinct_addresses(body):
    seen = set()
    candidate = body.get("candidate")
    if isinstance(candidate, dict) and isinstance(candidate.get("email"), str):
        seen.add(candidate["email"].lower())
    for index, interviewer in enumerate(body.get("interviewers") or []):
        if not isinstance(interviewer, dict) or not isinstance(interviewer.get("email"), str):
            continue
        email = interviewer["email"]
        if email.lower() in seen:
            renamed = f"i{index}.{email}"
            email = renamed if len(renamed) <= 254 and renamed.lower() not in seen else f"interviewer-{index}@example.com"
            interviewer["email"] = email
        seen.add(email.lower())


def _body(body):
    if not isinstance(body, dict):
        return body
    body = dict(body)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    first = today + datetime.timedelta(days=3 + _number(body.get("window")) % 30)
    last = first + datetime.timedelta(days=5 + _number(body.get("durationMinutes")) % 60)
    body["window"] = _range(body.get("window"), first, last)
    if isinstance(body.get("preferredTimes"), list):
        body["preferredTimes"] = [_range(r, first, last) for r in body["preferredTimes"]]
    if "candidate" in body:
        body["candidate"] = _person(body["candidate"])
    if isinstance(body.get("interviewers"), list):
        body["interviewers"] = [_person(p) for p in body["interviewers"]]
        _distinct_addresses(body)
    return body


@schemathesis.hook
def map_case(context, case):
    """Moves a positive body onto the rules the document states only in prose."""
    meta = case.meta
    body = meta.components.get(ParameterLocation.BODY) if meta is not None else None
    if body is None or not body.mode.is_positive or (case.method.upper(), case.operation.path) not in WINDOWED:
        return case
    case.body = _body(case.body)
    return case


@schemathesis.hook
def after_load_schema(context, schema):
    """Drops inputs that reference resources no operation produces (`jobId`)."""
    try:
        graph = schema.analysis.dependency_graph
        produced = {output.resource.name for node in graph.operations.values() for output in node.outputs}
        for node in graph.operations.values():
            node.inputs = [slot for slot in node.inputs if slot.resource_field is None or slot.resource.name in produced]
    except AttributeError as error:  # another schemathesis than the pinned one
        # Fatal: without this the stateful phase silently loses the POST -> GET -> cancel path.
        raise RuntimeError(f"schemathesis_hooks: cannot adjust the dependency graph ({error}); "
                           "bootstrap pins the schemathesis version these hooks were written for") from error
