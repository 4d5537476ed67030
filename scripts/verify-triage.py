#!/usr/bin/env python3
"""Checks that `beian triage --format csv` answered every line of a ticket file, in input order.

Usage: beian triage FILE --format csv | scripts/verify-triage.py FILE

Each CSV row must carry the id of the input line at the same position: the ticket's own id when the
line is a JSON object with one, else the line number. A line that is not UTF-8 may show either (beian
reads the id of such a line when it can). Prints what the file held and exits 1 at the first row out
of place.
"""

import csv
import io
import json
import sys


def shown_id(value):
    """The ticket's id as a CSV cell: a string as it is, anything else as JSON."""
    ticket = value["id"]
    return ticket if isinstance(ticket, str) else json.dumps(ticket, ensure_ascii=False)


def expected_ids(path):
    """(ids the CSV may show, what the line is) for every line of the file."""
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                yield [str(number)], "empty line"
                continue
            try:
                value = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                try:
                    value = json.loads(raw.decode("utf-8", errors="replace"))
                    recovered = [shown_id(value)] if isinstance(value, dict) and "id" in value else []
                except ValueError:
                    recovered = []
                yield [str(number)] + recovered, "not UTF-8"
                continue
            except ValueError:
                yield [str(number)], "not JSON"
                continue
            if not isinstance(value, dict) or "id" not in value:
                yield [str(number)], "no id"
                continue
            shown = [shown_id(value)]
            if not isinstance(value.get("text"), str):
                yield shown, "no text"
            elif len(raw) > 1 << 20:
                yield shown, "huge"
            elif not value["text"].strip():
                yield shown, "empty text"
            else:
                yield shown, "ticket"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    rows = csv.reader(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline=""))
    header = next(rows, None)
    if not header or header[0] != "id":
        sys.exit("verify-triage: no CSV header on standard input")
    kinds = {}
    count = 0
    for count, (expected, kind) in enumerate(expected_ids(sys.argv[1]), start=1):
        row = next(rows, None)
        if row is None:
            sys.exit(f"verify-triage: line {count} ({kind}) has no record")
        if row[0] not in expected:
            sys.exit(f"verify-triage: record {count} has id {row[0]!r}, expected {expected[0]!r}")
        kinds[kind] = kinds.get(kind, 0) + 1
    extra = sum(1 for _ in rows)
    if extra:
        sys.exit(f"verify-triage: {extra} records more than the {count} input lines")
    held = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    print(f"{count} lines, {count} records in input order ({held})")


if __name__ == "__main__":
    main()
