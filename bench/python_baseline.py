#!/usr/bin/env python3
"""The competitor of `npm run bench`: events-match-raw's group-by in Python.

Reads a dump's countly/apps.bson and countly_drill/drill_events.bson with pymongo's bson
and its C extension (Debian: `apt-get install python3-bson`), and groups the raw
`[CLY]_custom` events by app, event key and app-local day exactly as countly-check's
rawEvents fact does (count `c or 1`, sums of `s` and `dur`, ts in ms or seconds), with the
zone offset cached per app and 15 minutes, as a careful Python author would write it.
Prints one JSON line: documents read and groups built.

    python3 bench/python_baseline.py <dump dir containing countly/ and countly_drill/>
"""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import bson
from bson import decode_file_iter

DAY_MS = 86_400_000
BLOCK_MS = 900_000


def main() -> None:
    dump = sys.argv[1]
    if not bson.has_c():
        print("pymongo's bson C extension is not available: the baseline would be unfair", file=sys.stderr)
        sys.exit(2)
    zones = {}
    with open(f"{dump}/countly/apps.bson", "rb") as f:
        for app in decode_file_iter(f):
            zones[str(app["_id"])] = ZoneInfo(app.get("timezone") or "UTC")
    offsets = {}
    groups = {}
    documents = 0
    with open(f"{dump}/countly_drill/drill_events.bson", "rb") as f:
        for doc in decode_file_iter(f):
            documents += 1
            a = doc.get("a")
            zone = zones.get(a)
            if zone is None or doc.get("e") != "[CLY]_custom":
                continue
            ts = doc.get("ts")
            if isinstance(ts, datetime):
                ts = int(ts.replace(tzinfo=timezone.utc).timestamp() * 1000)
            if not isinstance(ts, (int, float)):
                continue
            if ts < 1e11:
                ts *= 1000
            block = (a, ts // BLOCK_MS)
            off = offsets.get(block)
            if off is None:
                off = zone.utcoffset(datetime.fromtimestamp(ts / 1000, tz=timezone.utc)).total_seconds() * 1000
                offsets[block] = off
            key = (a, doc.get("n") or "[CLY]_custom", (ts + off) // DAY_MS)
            g = groups.get(key)
            if g is None:
                g = groups[key] = [0, 0.0, 0.0, 0]
            c = doc.get("c")
            g[0] += int(c) if isinstance(c, (int, float)) and c else 1
            s = doc.get("s")
            if isinstance(s, (int, float)):
                g[1] += s
            dur = doc.get("dur")
            if isinstance(dur, (int, float)):
                g[2] += dur
            g[3] += 1
    print(json.dumps({"documents": documents, "groups": len(groups)}))


if __name__ == "__main__":
    main()
