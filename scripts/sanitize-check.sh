#!/usr/bin/env bash
# Runs an AddressSanitizer build of `scheduler` over everything that crosses into libical
# and fails if the sanitizer reports a leak or a memory error.
set -euo pipefail
binary=${1:?usage: sanitize-check.sh SCHEDULER_BINARY}
root=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS=detect_leaks=1
reports=0
check() {
  if ! "$binary" "$@" > /dev/null 2> /tmp/sanitize-check.$$; then :; fi
  if grep -qE 'ERROR: (LeakSanitizer|AddressSanitizer)' /tmp/sanitize-check.$$; then
    echo "sanitizer report for: $*"; grep -m3 SUMMARY /tmp/sanitize-check.$$; reports=$((reports + 1))
  fi
}
runs=0
for file in $(find "$root/../shared/ical-corpus" -name '*.ics' 2>/dev/null) "$root"/ical-samples/*.ics "$root"/ical-samples/feeds/*.ics; do
  check ics busy "$file" --from 1990-01-01T00:00:00Z --to 2030-01-01T00:00:00Z
  check ics check "$file"
  runs=$((runs + 2))
done
interview=$(mktemp)
printf '%s' '{"interviewId":"iv-1","start":"2026-03-10T14:00:00Z","end":"2026-03-10T15:00:00Z","timeZone":"Europe/London","organizer":{"email":"hr@example.com","name":"HR, Team"},"attendees":[{"email":"a@example.com","name":"A\r\nX-EVIL:1"}],"title":"Interview; tech"}' > "$interview"
check ics invite --interview "$interview"
check ics invite --interview "$interview" --method cancel
check slots --request "$root/docs/examples/panel-with-feeds.json"
rm -f "$interview" /tmp/sanitize-check.$$
echo "$((runs + 3)) runs, $reports with sanitizer reports"
[ "$reports" -eq 0 ]
