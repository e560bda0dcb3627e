#!/usr/bin/env python3
"""The competitor of `npm run bench`: events-match-raw's group-by in Python.

Reads a dump's countly/apps.bson and countly_drill/drill_events.bson with pymongo's bson
and its C extension (Debian: `apt-get install python3-bson`), and groups the raw
`[CLY]_custom` events by app, event key and app-local day exactly as countly-check's
rawEvents fact does (count `c || 1` truncated, sums of finite `s` and `dur`, ts in ms or
seconds), with the zone offset cached per app and 15 minutes, as a careful Python author
would write it.
Prints one JSON line: documents read and groups built.

    python3 bench/python_baseline.py <dump dir containing countly/ and countly_drill/>
"""
import json
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import bson
from bson import decode_file_iter
from bson.decimal128 import Decimal128

DAY_MS = 86_400_000
BLOCK_MS = 900_000


def count_of(c) -> int:
    """countly-check's rawCount (Countly's `c || 1` then parseInt): a number, or a numeric
    string, truncated; missing, zero, NaN, infinite, non-numeric (booleans too): 1."""
    if isinstance(c, bool):
        return 1
    try:
        n = float(str(c)) if isinstance(c, (str, Decimal128)) else float(c) if isinstance(c, (int, float)) else 0.0
    except ValueError:
        return 1
    return int(n) if n and n - n == 0 else 1


def is_number(v) -> bool:
    """A finite number (countly-check's num(): NaN, infinities, strings and booleans add nothing)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v - v == 0


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
            g[0] += c if type(c) is int and c else count_of(c)
            s = doc.get("s")
            if s is not None and is_number(s):
                g[1] += s
            dur = doc.get("dur")
            if dur is not None and is_number(dur):
                g[2] += dur
            g[3] += 1
    print(json.dumps({"documents": documents, "groups": len(groups)}))


if __name__ == "__main__":
    main()
