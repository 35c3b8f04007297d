"""Tests of scripts/validate_calendar_requests.py against the real contracts in ../shared/contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "validate_calendar_requests.py"
sys.path.insert(0, str(SCRIPT.parent))

import validate_calendar_requests as vcr  # noqa: E402

EVENTS = "/calendar/v3/calendars/primary/events"
EVENT = EVENTS + "/0123456789abcdef"
FREEBUSY = "/calendar/v3/freeBusy"
GRAPH_EVENTS = "/v1.0/users/interviewer%40example.com/events"
GRAPH_EVENT = GRAPH_EVENTS + "/AAMkAGI2TG93AAA="


@pytest.fixture(scope="module")
def apis():
    return vcr.load_contracts(vcr.DEFAULT_CONTRACTS)


def google(method, path, query=None, body=None):
    return {"api": "google", "method": method, "path": path, "query": query or {}, "body": body}


def graph(method, path, query=None, body=None):
    return {"api": "graph", "method": method, "path": path, "query": query or {}, "body": body}


def assert_valid(apis, record):
    assert vcr.validate_record(record, apis) == []


def assert_invalid(apis, record, field):
    """The record is invalid and some problem names `field` (e.g. 'body.start')."""
    problems = vcr.validate_record(record, apis)
    assert any(p.startswith(field + ":") for p in problems), problems
    return problems


def google_event(**overrides):
    event = {
        "id": "6f1c1a4e0b7d4f3c9a2e5d8b7c6a5f40",  # hex of a UUID: within base32hex
        "summary": "Interview: backend engineer",
        "description": "<b>Panel</b> interview",
        "start": {"dateTime": "2026-12-01T09:00:00+01:00", "timeZone": "Europe/Zurich"},
        "end": {"dateTime": "2026-12-01T10:00:00+01:00", "timeZone": "Europe/Zurich"},
        "attendees": [
            {"email": "candidate@example.com", "displayName": "Candidate", "responseStatus": "needsAction"},
            {"email": "interviewer@example.com", "optional": False},
        ],
        "extendedProperties": {"private": {"bookingId": "b-42"}},
        "reminders": {"useDefault": False, "overrides": [{"method": "email", "minutes": 30}]},
    }
    event.update(overrides)
    return event


def graph_event(**overrides):
    event = {
        "transactionId": "7d1f5a52-4f0e-5c1b-9a53-2f1de0c3a001",
        "subject": "Interview: backend engineer",
        "body": {"contentType": "html", "content": "<b>Panel</b> interview"},
        "start": {"dateTime": "2026-12-01T09:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"},
        "attendees": [
            {"emailAddress": {"address": "candidate@example.com", "name": "Candidate"}, "type": "required"},
            {"emailAddress": {"address": "room@example.com", "name": "Room"}, "type": "resource"},
        ],
        "location": {"displayName": "Room 1"},
        "isOnlineMeeting": True,
        "allowNewTimeProposals": False,
    }
    event.update(overrides)
    return event


def get_schedule_body(**overrides):
    body = {
        "Schedules": ["interviewer@example.com", "room@example.com"],
        "StartTime": {"dateTime": "2026-12-01T00:00:00", "timeZone": "UTC"},
        "EndTime": {"dateTime": "2026-12-08T00:00:00", "timeZone": "UTC"},
        "AvailabilityViewInterval": 30,
    }
    body.update(overrides)
    return body


# --------------------------------------------------------------------------- Google events.insert


def test_google_insert_valid_with_client_id_attendees_and_time_zones(apis):
    assert_valid(apis, google("POST", EVENTS, {"sendUpdates": "all"}, google_event()))


def test_google_insert_valid_with_encoded_calendar_id_and_more_parameters(apis):
    query = {"sendUpdates": "externalOnly", "conferenceDataVersion": "1", "maxAttendees": "5",
             "supportsAttachments": "true", "prettyPrint": "false", "fields": "id,etag"}
    body = google_event(conferenceData={"createRequest": {
        "requestId": "req-1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}})
    assert_valid(apis, google("POST", "/calendar/v3/calendars/interviewer%40example.com/events", query, body))


def test_google_insert_without_id_is_valid(apis):
    body = google_event()
    del body["id"]
    assert_valid(apis, google("POST", EVENTS, None, body))


def test_google_insert_unknown_property(apis):
    assert_invalid(apis, google("POST", EVENTS, None, google_event(colour="red")), "body.colour")


def test_google_insert_unknown_nested_property(apis):
    body = google_event(attendees=[{"email": "a@example.com", "mail": "a@example.com"}])
    assert_invalid(apis, google("POST", EVENTS, None, body), "body.attendees[0].mail")


@pytest.mark.parametrize("event_id", [
    "ABCDEF12345",          # upper case
    "abcdefwxyz",           # w-z are outside base32hex
    "abc-def-123",          # punctuation (e.g. a UUID with dashes)
    "abc_20261201",         # underscore (as in recurring-instance ids)
    "abcd",                 # shorter than 5
    "a" * 1025,             # longer than 1024
])
def test_google_insert_bad_client_event_id(apis, event_id):
    problems = assert_invalid(apis, google("POST", EVENTS, None, google_event(id=event_id)), "body.id")
    assert "lowercase a-v and digits 0-9" in problems[0]


def test_google_event_id_rule_applies_to_insert_only(apis):
    # Ids the server generated for recurring instances contain '_'; patch bodies may echo them.
    body = {"id": "abcdef0123_20261201T090000Z", "summary": "x"}
    assert_valid(apis, google("PATCH", EVENT, None, body))


def test_google_event_id_wrong_type(apis):
    assert_invalid(apis, google("POST", EVENTS, None, google_event(id=12345)), "body.id")


def test_google_insert_missing_start(apis):
    body = google_event()
    del body["start"]
    problems = assert_invalid(apis, google("POST", EVENTS, None, body), "body.start")
    assert "calendar.events.insert" in problems[0]


def test_google_insert_send_updates_bogus(apis):
    problems = assert_invalid(apis, google("POST", EVENTS, {"sendUpdates": "bogus"}, google_event()),
                              "query.sendUpdates")
    assert "all, externalOnly, none" in problems[0]


@pytest.mark.parametrize("query, field", [
    ({"conferenceDataVersion": "2"}, "query.conferenceDataVersion"),      # maximum "1"
    ({"conferenceDataVersion": "one"}, "query.conferenceDataVersion"),
    ({"maxAttendees": "0"}, "query.maxAttendees"),                        # minimum "1"
    ({"sendNotifications": "yes"}, "query.sendNotifications"),            # boolean
    ({"sendUpdates": ["all", "none"]}, "query.sendUpdates"),              # not repeated
    ({"timeZone": "UTC"}, "query.timeZone"),                              # a get parameter only
    ({"calendarId": "primary"}, "query.calendarId"),                      # a path parameter
    ({"alt": "media"}, "query.alt"),                                      # global, enum ["json"]
])
def test_google_insert_bad_query(apis, query, field):
    assert_invalid(apis, google("POST", EVENTS, query, google_event()), field)


@pytest.mark.parametrize("start, field", [
    ({"dateTime": "2026-12-01T09:00:00"}, "body.start.dateTime"),            # no offset, no timeZone
    ({"dateTime": "2026-12-01 09:00:00Z", "timeZone": "UTC"}, "body.start.dateTime"),
    ({"dateTime": "2026-13-01T09:00:00Z"}, "body.start.dateTime"),           # month 13
    ({"dateTime": "2026-12-01T24:00:00Z"}, "body.start.dateTime"),
    ({"date": "2026-12-1"}, "body.start.date"),
    ({"dateTime": "2026-12-01T09:00:00Z", "tz": "UTC"}, "body.start.tz"),
    ("2026-12-01T09:00:00Z", "body.start"),
])
def test_google_insert_bad_start(apis, start, field):
    assert_invalid(apis, google("POST", EVENTS, None, google_event(start=start)), field)


@pytest.mark.parametrize("start", [
    {"dateTime": "2026-12-01T09:00:00", "timeZone": "Europe/Zurich"},  # offset optional with timeZone
    {"dateTime": "2026-12-01T08:00:00.123Z"},
    {"date": "2026-12-01"},
])
def test_google_insert_good_start(apis, start):
    end = {"date": "2026-12-02"} if "date" in start else {"dateTime": "2026-12-01T10:00:00Z"}
    assert_valid(apis, google("POST", EVENTS, None, google_event(start=start, end=end)))


@pytest.mark.parametrize("body, field", [
    (google_event(sequence="1"), "body.sequence"),
    (google_event(sequence=1.5), "body.sequence"),
    (google_event(sequence=2**31), "body.sequence"),                      # int32
    (google_event(attendees={"email": "a@example.com"}), "body.attendees"),
    (google_event(attendees=[{"email": "a@example.com", "optional": "false"}]), "body.attendees[0].optional"),
    (google_event(extendedProperties={"private": {"n": 1}}), "body.extendedProperties.private.n"),
    (google_event(summary=None), "body.summary"),                         # null only in PATCH
])
def test_google_insert_wrong_types(apis, body, field):
    assert_invalid(apis, google("POST", EVENTS, None, body), field)


def test_google_insert_without_body(apis):
    assert_invalid(apis, google("POST", EVENTS), "body")


# --------------------------------------------------------------------------- Google get/patch/update/delete


def test_google_delete_valid(apis):
    assert_valid(apis, google("DELETE", EVENT, {"sendUpdates": "all"}))
    assert_valid(apis, {"api": "google", "method": "DELETE", "path": EVENT})


@pytest.mark.parametrize("body", [{}, {"id": "0123456789abcdef"}, [], ""])
def test_google_delete_with_body(apis, body):
    problems = assert_invalid(apis, google("DELETE", EVENT, None, body), "body")
    assert "calendar.events.delete" in problems[0]


def test_google_delete_rejects_insert_only_parameter(apis):
    assert_invalid(apis, google("DELETE", EVENT, {"conferenceDataVersion": "1"}), "query.conferenceDataVersion")


def test_google_get_valid(apis):
    assert_valid(apis, google("GET", EVENT, {"timeZone": "Europe/Zurich", "maxAttendees": "10"}))


def test_google_get_invalid(apis):
    assert_invalid(apis, google("GET", EVENT, {"sendUpdates": "all"}), "query.sendUpdates")
    assert_invalid(apis, google("GET", EVENT, None, {"summary": "x"}), "body")


def test_google_patch_valid_partial_body_and_null_clears(apis):
    body = {"summary": "Rescheduled", "location": None,
            "start": {"dateTime": "2026-12-02T09:00:00Z"}, "end": {"dateTime": "2026-12-02T10:00:00Z"}}
    assert_valid(apis, google("PATCH", EVENT, {"sendUpdates": "all", "conferenceDataVersion": "1"}, body))


def test_google_patch_invalid(apis):
    assert_invalid(apis, google("PATCH", EVENT, None, {"summary": "x", "attendee": []}), "body.attendee")
    assert_invalid(apis, google("PATCH", EVENT, None, {"status": 3}), "body.status")
    assert_invalid(apis, google("PATCH", EVENT), "body")


def test_google_update_requires_start_and_end(apis):
    problems = vcr.validate_record(google("PUT", EVENT, None, {"summary": "x"}), apis)
    assert sorted(p.split(":")[0] for p in problems) == ["body.end", "body.start"]


# --------------------------------------------------------------------------- Google freebusy and others


def freebusy_body(**overrides):
    body = {"timeMin": "2026-12-01T00:00:00Z", "timeMax": "2026-12-08T00:00:00Z", "timeZone": "UTC",
            "items": [{"id": "interviewer@example.com"}, {"id": "room@resource.calendar.google.com"}],
            "calendarExpansionMax": 50}
    body.update(overrides)
    return body


def test_google_freebusy_valid(apis):
    assert_valid(apis, google("POST", FREEBUSY, None, freebusy_body()))


@pytest.mark.parametrize("items, field", [
    (["interviewer@example.com"], "body.items[0]"),
    ([{"email": "interviewer@example.com"}], "body.items[0].email"),
    ([{"id": 42}], "body.items[0].id"),
    ({"id": "interviewer@example.com"}, "body.items"),
])
def test_google_freebusy_bad_items(apis, items, field):
    assert_invalid(apis, google("POST", FREEBUSY, None, freebusy_body(items=items)), field)


def test_google_freebusy_other_problems(apis):
    assert_invalid(apis, google("POST", FREEBUSY, None, freebusy_body(timeMin="2026-12-01")), "body.timeMin")
    assert_invalid(apis, google("POST", FREEBUSY, {"sendUpdates": "all"}, freebusy_body()), "query.sendUpdates")
    assert_invalid(apis, google("GET", FREEBUSY), "method")


def test_google_int64_is_a_string(apis):
    channel = {"id": "chan-1", "type": "web_hook", "address": "https://example.com/hook"}
    watch = "/calendar/v3/calendars/primary/events/watch"
    assert_valid(apis, google("POST", watch, None, dict(channel, expiration="1767225600000")))
    assert_invalid(apis, google("POST", watch, None, dict(channel, expiration=1767225600000)), "body.expiration")
    assert_invalid(apis, google("POST", watch, None, dict(channel, expiration="soon")), "body.expiration")


def test_google_required_query_parameter(apis):
    quick_add = "/calendar/v3/calendars/primary/events/quickAdd"
    assert_valid(apis, google("POST", quick_add, {"text": "Lunch tomorrow"}))
    assert_invalid(apis, google("POST", quick_add), "query.text")


@pytest.mark.parametrize("method, path, field", [
    ("POST", "/calendar/v3/calendars/primary/event", "path"),
    ("POST", "/calendar/v2/calendars/primary/events", "path"),
    ("POST", "/calendars/primary/events", "path"),
    ("POST", "/calendar/v3/calendars//events", "path"),
    ("POST", EVENTS + "/", "path"),
    ("POST", EVENT, "method"),
])
def test_google_unknown_routes(apis, method, path, field):
    assert_invalid(apis, google(method, path, None, google_event()), field)


def test_google_route_precedence(apis):
    # POST .../events/import is calendar.events.import (a literal segment beats {eventId}),
    # so iCalUID is required there.
    problems = assert_invalid(apis, google("POST", EVENTS + "/import", None, google_event()), "body.iCalUID")
    assert "calendar.events.import" in problems[0]
    # Literals win only among operations of the request's method: GET .../events/import is
    # calendar.events.get of the event whose id is "import" (valid base32hex).
    assert_valid(apis, google("GET", EVENTS + "/import"))


# --------------------------------------------------------------------------- Graph events


@pytest.mark.parametrize("path", [GRAPH_EVENTS, "/users/0f2c5a4e-1111-2222-3333-444455556666/events"])
def test_graph_create_valid(apis, path):
    assert_valid(apis, graph("POST", path, None, graph_event()))


def test_graph_create_valid_with_odata_annotation_and_nullable_members(apis):
    body = graph_event(**{"@odata.type": "#microsoft.graph.event", "categories": ["Interview", None],
                          "reminderMinutesBeforeStart": 15, "showAs": "busy", "importance": "high"})
    assert_valid(apis, graph("POST", GRAPH_EVENTS, None, body))


def test_graph_create_unknown_property(apis):
    assert_invalid(apis, graph("POST", GRAPH_EVENTS, None, graph_event(sendUpdates="all")), "body.sendUpdates")
    assert_invalid(apis, graph("POST", GRAPH_EVENTS, None, graph_event(**{"@odata.foo": "x"})), "body.@odata.foo")


def test_graph_create_is_online_meeting_wrong_type(apis):
    problems = assert_invalid(apis, graph("POST", GRAPH_EVENTS, None, graph_event(isOnlineMeeting="true")),
                              "body.isOnlineMeeting")
    assert "expected boolean" in problems[0]


@pytest.mark.parametrize("attendee_type", ["Required", "chair", "req", 1])
def test_graph_create_bad_attendee_type(apis, attendee_type):
    attendees = [{"emailAddress": {"address": "a@example.com"}, "type": attendee_type}]
    assert_invalid(apis, graph("POST", GRAPH_EVENTS, None, graph_event(attendees=attendees)),
                   "body.attendees[0].type")


@pytest.mark.parametrize("overrides, field", [
    ({"body": {"contentType": "HTML", "content": "x"}}, "body.body.contentType"),   # enum is lower case
    ({"attendees": [{"emailAddress": {"adress": "a@example.com"}}]}, "body.attendees[0].emailAddress.adress"),
    ({"attendees": [{"email": "a@example.com"}]}, "body.attendees[0].email"),
    ({"location": "Room 1"}, "body.location"),
    ({"start": {"dateTime": "2026-12-01T09:00:00"}}, "body.start.timeZone"),
    ({"start": {"dateTime": "2026-12-01T09:00:00", "timeZone": None}}, "body.start.timeZone"),
    ({"start": {"timeZone": "UTC"}}, "body.start.dateTime"),
    ({"end": {"dateTime": 20261201, "timeZone": "UTC"}}, "body.end.dateTime"),
    ({"end": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC", "zone": "UTC"}}, "body.end.zone"),
    ({"importance": None}, "body.importance"),                  # $ref enums are not nullable
    ({"reminderMinutesBeforeStart": 2**31}, "body.reminderMinutesBeforeStart"),
    ({"originalStart": "2026-12-01T09:00:00"}, "body.originalStart"),  # date-time needs an offset
])
def test_graph_create_other_problems(apis, overrides, field):
    assert_invalid(apis, graph("POST", GRAPH_EVENTS, None, graph_event(**overrides)), field)


def test_graph_create_requires_a_body(apis):
    assert_invalid(apis, graph("POST", GRAPH_EVENTS), "body")


def test_graph_get_patch_delete(apis):
    assert_valid(apis, graph("GET", GRAPH_EVENT, {"$select": "subject,start,end"}))
    assert_valid(apis, graph("PATCH", GRAPH_EVENT, None, {"subject": "Moved", "start": graph_event()["start"]}))
    assert_valid(apis, graph("DELETE", GRAPH_EVENT))
    assert_valid(apis, graph("DELETE", GRAPH_EVENT.removeprefix("/v1.0")))


def test_graph_delete_with_body(apis):
    problems = assert_invalid(apis, graph("DELETE", GRAPH_EVENT, None, {"Comment": "x"}), "body")
    assert "user_DeleteEvent" in problems[0]


@pytest.mark.parametrize("method, path, query, field", [
    ("GET", GRAPH_EVENT, {"$select": "subject,subject"}, "query.$select"),     # uniqueItems
    ("GET", GRAPH_EVENT, {"$top": "5"}, "query.$top"),
    ("DELETE", GRAPH_EVENT, {"$select": "subject"}, "query.$select"),
    ("GET", "/v1.0/me/events/AAMk", None, "path"),            # the contract has /users/{user-id} only
    ("GET", "/beta/users/u/events/AAMk", None, "path"),
    ("PUT", GRAPH_EVENT, None, "method"),
])
def test_graph_bad_requests(apis, method, path, query, field):
    assert_invalid(apis, graph(method, path, query), field)


# --------------------------------------------------------------------------- Graph cancel


@pytest.mark.parametrize("action", ["microsoft.graph.cancel", "cancel"])
@pytest.mark.parametrize("prefix", ["/v1.0", ""])
def test_graph_cancel_valid_both_path_forms(apis, action, prefix):
    path = f"{prefix}/users/u1/events/AAMkAGI2/{action}"
    assert_valid(apis, graph("POST", path, None, {"Comment": "The position has been filled."}))
    assert_valid(apis, graph("POST", path, None, {"Comment": None}))  # nullable
    assert_valid(apis, graph("POST", path, None, {}))


@pytest.mark.parametrize("action", ["microsoft.graph.cancel", "cancel"])
def test_graph_cancel_invalid(apis, action):
    path = f"{GRAPH_EVENT}/{action}"
    assert_invalid(apis, graph("POST", path, None, {"comment": "lower case"}), "body.comment")
    assert_invalid(apis, graph("POST", path, None, {"Comment": 5}), "body.Comment")
    assert_invalid(apis, graph("POST", path), "body")  # requestBody.required
    assert_invalid(apis, graph("POST", f"{GRAPH_EVENT}/graph.cancel", None, {}), "path")


# --------------------------------------------------------------------------- Graph getSchedule


@pytest.mark.parametrize("action", ["microsoft.graph.getSchedule", "getSchedule"])
def test_graph_get_schedule_valid(apis, action):
    path = f"/v1.0/users/scheduler%40example.com/calendar/{action}"
    assert_valid(apis, graph("POST", path, None, get_schedule_body()))


@pytest.mark.parametrize("overrides, field", [
    ({"AvailabilityViewInterval": "15"}, "body.AvailabilityViewInterval"),
    ({"AvailabilityViewInterval": 15.5}, "body.AvailabilityViewInterval"),
    ({"StartTime": "2026-12-01T00:00:00Z"}, "body.StartTime"),
    ({"EndTime": {"dateTime": "2026-12-08T00:00:00"}}, "body.EndTime.timeZone"),
    ({"EndTime": {"dateTime": "2026-12-08T00:00:00", "timeZone": 0}}, "body.EndTime.timeZone"),
    ({"Schedules": "a@example.com"}, "body.Schedules"),
    ({"Schedules": [{"address": "a@example.com"}]}, "body.Schedules[0]"),
    ({"schedules": ["a@example.com"]}, "body.schedules"),     # the contract is PascalCase
    ({"startTime": {"dateTime": "2026-12-01T00:00:00", "timeZone": "UTC"}}, "body.startTime"),
])
def test_graph_get_schedule_invalid(apis, overrides, field):
    path = "/v1.0/users/u1/calendar/getSchedule"
    assert_invalid(apis, graph("POST", path, None, get_schedule_body(**overrides)), field)


# --------------------------------------------------------------------------- records and units


@pytest.mark.parametrize("record, field", [
    ([], "record"),
    ({"api": "outlook", "method": "GET", "path": "/x"}, "api"),
    ({"api": "google", "path": EVENT}, "method"),
    ({"api": "google", "method": "GET", "path": EVENT + "?timeZone=UTC"}, "path"),
    ({"api": "google", "method": "GET", "path": EVENT, "query": "timeZone=UTC"}, "query"),
    ({"api": "google", "method": "GET", "path": EVENT, "query": {"maxAttendees": 5}}, "query.maxAttendees"),
])
def test_malformed_records(apis, record, field):
    assert_invalid(apis, record, field)


@pytest.mark.parametrize("text, offset_required, ok", [
    ("2026-12-01T09:00:00Z", True, True),
    ("2026-12-01t09:00:00.5+05:30", True, True),
    ("2026-12-31T23:59:60Z", True, True),           # leap second
    ("2026-12-01T09:00:00", True, False),
    ("2026-12-01T09:00:00", False, True),
    ("2026-02-29T09:00:00Z", True, False),
    ("2026-12-01T09:00Z", True, False),
    ("2026-12-01T09:00:00+0100", True, False),
    ("2026-12-01T09:00:00+24:00", True, False),
])
def test_date_time_problem(text, offset_required, ok):
    assert (vcr.date_time_problem(text, offset_required) is None) is ok


# --------------------------------------------------------------------------- command line


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, str(SCRIPT), *args], input=stdin,
                          capture_output=True, text=True, check=False)


def test_cli_reports_each_request_and_exits_1(tmp_path):
    records = [
        google("POST", EVENTS, {"sendUpdates": "all"}, google_event()),
        google("DELETE", EVENT, None, {"oops": True}),
        graph("POST", GRAPH_EVENT + "/cancel", None, {"Comment": "x"}),
    ]
    requests = tmp_path / "requests.jsonl"
    requests.write_text("\n".join(json.dumps(r) for r in records) + "\n\n", encoding="utf-8")
    result = run_cli(str(requests))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"ok google POST {EVENTS}",
        f"invalid google DELETE {EVENT}: body: calendar.events.delete takes no request body",
        f"ok graph POST {GRAPH_EVENT}/cancel",
        "3 requests, 1 invalid",
    ]


def test_cli_stdin_all_valid_exits_0():
    line = json.dumps(graph("DELETE", GRAPH_EVENT))
    result = run_cli("-", stdin=line + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"ok graph DELETE {GRAPH_EVENT}", "1 requests, 0 invalid"]


def test_cli_bad_json_lines_are_invalid():
    result = run_cli("-", stdin='{"api": "google", "api": "graph"}\nnot json\n')
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("invalid ? ? ?: line 1: not valid JSON: duplicate member 'api'")
    assert lines[1].startswith("invalid ? ? ?: line 2: not valid JSON")
    assert lines[2] == "2 requests, 2 invalid"


def test_cli_exit_2_on_missing_contracts(tmp_path):
    result = run_cli("--contracts", str(tmp_path), "-", stdin="")
    assert result.returncode == 2
    assert "cannot read the contracts" in result.stderr
    assert result.stdout == ""


def test_cli_exit_2_on_usage_problems(tmp_path):
    assert run_cli().returncode == 2
    assert run_cli(str(tmp_path / "missing.jsonl")).returncode == 2
