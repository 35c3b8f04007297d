#!/usr/bin/env python3
"""Busy intervals of an .ics file by the independent Python peers (icalendar,
recurring-ical-events), with the rules the service uses: transparent and cancelled events
are not busy; floating times and all-day events are read in the owner's zone (default UTC).

    python3 scripts/ical_busy_reference.py FILE FROM TO [OWNER]  ->  JSON {"busy": [[start, end], ...]}

With --batch, one job per input line (JSON {"file", "from", "to", "owner"}) and one answer per
output line, in order: {"busy": [...]} or, where the peers fail on that file, {"error": "..."}.
One process for a whole corpus instead of one per file (the imports take most of a run).
"""
import datetime
import json
import sys
import zoneinfo

import icalendar
import recurring_ical_events

UTC = datetime.timezone.utc


def first(prop):
    """A property that appears more than once comes back as a list: take the first."""
    return prop[0] if isinstance(prop, list) else prop


def instant(value, owner):
    """UTC and zoned times as they are; floating times and dates in the owner's zone."""
    if isinstance(value, datetime.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=owner)).astimezone(UTC)
    return datetime.datetime(value.year, value.month, value.day, tzinfo=owner).astimezone(UTC)


def busy_time(path, start, end, owner_name="UTC"):
    """The sorted busy intervals of the file at `path` inside the window."""
    owner = zoneinfo.ZoneInfo(owner_name)
    with open(path, "rb") as handle:
        calendars = icalendar.Calendar.from_ical(handle.read(), multiple=True)
    window = (datetime.datetime.fromisoformat(start.replace("Z", "+00:00")), datetime.datetime.fromisoformat(end.replace("Z", "+00:00")))
    busy = []
    for calendar in calendars:
        for event in recurring_ical_events.of(calendar).between(*window):
            if "DTSTART" not in event:
                continue  # not a scheduled event: nothing to be busy with
            if str(event.get("TRANSP", "")).upper() == "TRANSPARENT" or str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            begin = instant(first(event["DTSTART"]).dt, owner)
            finish = instant(first(event["DTEND"]).dt, owner) if "DTEND" in event else begin
            if finish > begin and begin < window[1] and finish > window[0]:
                busy.append([begin.strftime("%Y-%m-%dT%H:%M:%SZ"), finish.strftime("%Y-%m-%dT%H:%M:%SZ")])
        for component in calendar.walk("VFREEBUSY"):
            periods = component.get("FREEBUSY", [])
            for prop in periods if isinstance(periods, list) else [periods]:
                if str(prop.params.get("FBTYPE", "BUSY")).upper() not in ("BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"):
                    continue
                for period in prop.dt if isinstance(prop.dt, list) else [prop.dt]:
                    begin, rest = period
                    finish = rest if isinstance(rest, datetime.datetime) else begin + rest
                    begin, finish = instant(begin, owner), instant(finish, owner)
                    if finish > begin and begin < window[1] and finish > window[0]:
                        busy.append([begin.strftime("%Y-%m-%dT%H:%M:%SZ"), finish.strftime("%Y-%m-%dT%H:%M:%SZ")])
    return sorted(busy)


def batch(lines, out):
    """Answers each job line on its own line; a failing file does not stop the others."""
    for line in lines:
        job = json.loads(line)
        try:
            answer = {"busy": busy_time(job["file"], job["from"], job["to"], job.get("owner", "UTC"))}
        except Exception as error:  # the peers' failure on one file is that file's answer
            answer = {"error": f"{type(error).__name__}: {error}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--batch"]:
        batch(sys.stdin, sys.stdout)
    else:
        print(json.dumps({"busy": busy_time(*sys.argv[1:5])}))
