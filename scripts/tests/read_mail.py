#!/usr/bin/env python3
"""Reads an e-mail with Python's own parsers and prints what a mail client would see, as
JSON: the MIME tree, the headers, the text and HTML bodies, and the calendar part as the
`icalendar` package reads it (method, UID, SEQUENCE, times, organizer, attendees)."""
import email
import email.policy
import json
import sys

import icalendar


def tree(part):
    if part.is_multipart():
        return {"type": part.get_content_type(), "parts": [tree(child) for child in part.iter_parts()]}
    node = {"type": part.get_content_type()}
    method = part.get_param("method")
    if method:
        node["method"] = method
    return node


def main():
    with open(sys.argv[1], "rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    result = {
        "tree": tree(message),
        "headers": {name: str(message[name]) for name in ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted"] if message[name]},
        "defects": [str(defect) for defect in message.defects],
    }
    for part in message.walk():
        kind = part.get_content_type()
        result["defects"] += [str(defect) for defect in part.defects]
        if kind == "text/plain":
            result["text"] = part.get_content()
        elif kind == "text/html":
            result["html"] = part.get_content()
        elif kind == "text/calendar":
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            event = next(component for component in calendar.walk() if component.name == "VEVENT")
            result["calendar"] = {
                "method": str(calendar.get("METHOD")),
                "partMethod": part.get_param("method"),
                "uid": str(event.get("UID")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "status": str(event.get("STATUS", "")),
                "start": event.decoded("DTSTART").isoformat(),
                "end": event.decoded("DTEND").isoformat(),
                "organizer": str(event.get("ORGANIZER")),
                "attendees": [str(attendee) for attendee in (event.get("ATTENDEE") if isinstance(event.get("ATTENDEE"), list) else [event.get("ATTENDEE")])],
                "url": str(event.get("URL", "")),
                "location": str(event.get("LOCATION", "")),
            }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
