#!/usr/bin/env python3
"""Consistency check of the bordermap evaluation corpus (tests/data/reports).

Checks the hand annotations in gold/ against the report files; it does not
run bordermap. Usage:  python3 check_gold.py [DIR]   (default: this folder)
Exit status 0 when everything passes, 1 otherwise.
"""
import datetime
import os
import re
import sys

MENTION_COLS = ("doc surface start_char kind referent country admin1 lat lon "
                "tol_km in_region coord_source note").split()
INCIDENT_COLS = ("doc primary_referent lat lon geo_precision event_date "
                 "time_precision event_type actors note").split()
EVENT_TYPES = {"arrest", "detention", "bribery", "crackdown", "inspection",
               "surveillance", "lecture", "execution", "smuggling", "defection",
               "repatriation", "killing", "meeting", "other"}
KINDS = {"city", "town", "county", "province", "country", "river", "region",
         "district", "village", "port/crossing/facility", "island", "mountain",
         "prefecture"}
REPORT_RE = re.compile(r"^p\d{3}\.(txt|md|html)$")

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def read_text(path):
    with open(path, "rb") as f:
        raw = f.read()
    if b"\r" in raw:
        err(path, "has CR characters (files must use LF)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        err(path, f"not UTF-8: {e}")
        return raw.decode("utf-8", "replace")


def txt_header_and_body(text, path):
    """Header fields and body of a .txt report (body = after the first blank line)."""
    head, sep, body = text.partition("\n\n")
    if not sep:
        err(path, "no blank line after the header")
    fields = {}
    lines = head.split("\n")
    want = ["Title", "Source", "URL", "Date"]
    if [ln.split(":", 1)[0] for ln in lines] != want:
        err(path, f"header lines must be exactly {want}, got {lines}")
    for ln in lines:
        k, _, v = ln.partition(":")
        fields[k.strip().lower()] = v.strip()
    return fields, body


def md_header(text, path):
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not m:
        err(path, "no YAML front matter")
        return {}
    fields = {}
    for ln in m.group(1).split("\n"):
        k, _, v = ln.partition(":")
        fields[k.strip().lower()] = v.strip().strip('"')
    for k in ("title", "source", "url", "date"):
        if k not in fields:
            err(path, f"front matter lacks {k}:")
    return fields


def html_header(text, path):
    fields = {}
    m = re.search(r"<title>(.*?)</title>", text, re.S)
    fields["title"] = m.group(1).strip() if m else ""
    m = re.search(r'<meta property="article:published_time" content="([^"]+)"', text)
    fields["date"] = m.group(1)[:10] if m else ""
    for tag in ("<title>", "<article>", "<nav>", "<aside>", "<footer>", "<p>"):
        if tag not in text:
            err(path, f"HTML page lacks {tag}")
    if not fields["date"]:
        err(path, "HTML page lacks article:published_time")
    return fields


def parse_date(s):
    """Header or event date -> (date of its last possible day, granularity) or None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            return datetime.date.fromisoformat(s), "day"
        if re.fullmatch(r"\d{4}-\d{2}", s):
            y, m = map(int, s.split("-"))
            nxt = datetime.date(y + (m == 12), m % 12 + 1, 1)
            return nxt - datetime.timedelta(days=1), "month"
        if re.fullmatch(r"\d{4}", s):
            return datetime.date(int(s), 12, 31), "year"
    except ValueError:
        return None
    return None


def read_tsv(path, cols):
    text = read_text(path)
    if not text.endswith("\n"):
        err(path, "last line lacks a newline")
    lines = text.rstrip("\n").split("\n")
    if lines[0].split("\t") != cols:
        err(path, f"header row must be {cols}")
    rows = []
    for i, ln in enumerate(lines[1:], start=2):
        parts = ln.split("\t")
        if len(parts) != len(cols):
            err(f"{path}:{i}", f"{len(parts)} columns, want {len(cols)}")
            continue
        rows.append((i, dict(zip(cols, parts))))
    return rows


def check_point(where, r, need=True):
    lat, lon = r["lat"], r["lon"]
    if lat == "" and lon == "" and not need:
        return None
    try:
        la, lo = float(lat), float(lon)
    except ValueError:
        err(where, f"lat/lon do not parse: {lat!r} {lon!r}")
        return None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        err(where, f"lat/lon out of range: {la} {lo}")
    return la, lo


def main():
    base = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(__file__))
    reports = {}
    for name in sorted(os.listdir(base)):
        if not REPORT_RE.match(name):
            continue
        path = os.path.join(base, name)
        text = read_text(path)
        ext = name.rsplit(".", 1)[1]
        body = None
        if ext == "txt":
            fields, body = txt_header_and_body(text, path)
        elif ext == "md":
            fields = md_header(text, path)
            # the body bordermap reads: the text after the line that closes
            # the front matter
            m = re.match(r"---\n.*?\n---\n", text, re.S)
            body = text[m.end():] if m else None
        else:
            fields = html_header(text, path)
        date = fields.get("date", "")
        if date != "unknown" and not parse_date(date):
            err(path, f"header date {date!r} is neither YYYY-MM-DD, YYYY-MM nor unknown")
        doc = name[:4]
        if doc in reports:
            err(path, "two report files with the same stem")
        reports[doc] = {"ext": ext, "body": body, "date": date}

    # mentions
    mrows = read_tsv(os.path.join(base, "gold", "mentions.tsv"), MENTION_COLS)
    seen = set()
    for i, r in mrows:
        where = f"mentions.tsv:{i} ({r['doc']} {r['surface']!r})"
        rep = reports.get(r["doc"])
        if rep is None:
            err(where, "doc has no report file")
            continue
        if rep["ext"] == "html":
            err(where, "mention rows are given for .txt and .md reports only")
            continue
        key = (r["doc"], r["referent"])
        if key in seen:
            err(where, "duplicate (doc, referent)")
        seen.add(key)
        try:
            start = int(r["start_char"])
        except ValueError:
            err(where, f"start_char {r['start_char']!r} is not an integer")
            continue
        body = rep["body"]
        if body[start:start + len(r["surface"])] != r["surface"]:
            err(where, f"surface not at offset {start}: found {body[start:start + len(r['surface'])]!r}")
        else:
            # the same surface as a whole word earlier in the body ("North Korea" inside
            # "North Koreans" is a demonym, not an occurrence)
            m = re.search(r"(?<!\w)" + re.escape(r["surface"]) + r"(?!\w)", body)
            if m and m.start() < start:
                err(where, f"the same surface occurs earlier, at {m.start()}")
        if r["kind"] not in KINDS:
            err(where, f"unknown kind {r['kind']!r}")
        pt = check_point(where, r, need=False)
        try:
            float(r["tol_km"])
        except ValueError:
            err(where, f"tol_km {r['tol_km']!r} is not a number")
        if r["in_region"] not in ("0", "1"):
            err(where, f"in_region must be 0 or 1, got {r['in_region']!r}")
        elif pt:
            inside = 123 <= pt[1] <= 134 and 38 <= pt[0] <= 46
            if int(inside) != int(r["in_region"]):
                err(where, f"in_region {r['in_region']} disagrees with the point {pt}")

    # incidents
    irows = read_tsv(os.path.join(base, "gold", "incidents.tsv"), INCIDENT_COLS)
    per_doc = {}
    for i, r in irows:
        where = f"incidents.tsv:{i} ({r['doc']})"
        rep = reports.get(r["doc"])
        if rep is None:
            err(where, "doc has no report file")
            continue
        n = per_doc.setdefault(r["doc"], [])
        n.append(r)
        check_point(where, r)
        if r["geo_precision"] not in ("1", "2", "3"):
            err(where, f"geo_precision {r['geo_precision']!r} not in 1/2/3")
        if r["event_type"] not in EVENT_TYPES:
            err(where, f"unknown event_type {r['event_type']!r}")
        if r["event_type"] == "other" and len(n) > 1:
            err(where, "type 'other' is allowed for the main incident only")
        d, tp = r["event_date"], r["time_precision"]
        if d:
            parsed = parse_date(d)
            if not parsed:
                err(where, f"event_date {d!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
            else:
                want = {"day": {"1"}, "month": {"2", "3"}, "year": {""}}[parsed[1]]
                if tp not in want:
                    err(where, f"time_precision {tp!r} does not fit event_date {d!r}")
                hdr = parse_date(rep["date"]) if rep["date"] != "unknown" else None
                if hdr is None:
                    err(where, "dated incident in a report whose header date is unknown")
                else:
                    first = datetime.date(int(d[:4]), int(d[5:7] or 1) if len(d) > 4 else 1,
                                          int(d[8:10]) if len(d) == 10 else 1)
                    if first - datetime.timedelta(days=3) > hdr[0]:
                        err(where, f"event_date {d} is after the report date {rep['date']}")
        elif tp:
            err(where, "time_precision given without event_date")
    for doc in sorted(reports):
        if doc not in per_doc:
            err(doc, "report has no incident row")
        elif len(per_doc[doc]) > 3:
            err(doc, f"{len(per_doc[doc])} incident rows (at most 3)")
        elif len({(r['lat'], r['lon']) for r in per_doc[doc]}) != len(per_doc[doc]):
            err(doc, "two incident rows at the same place (extra rows are for other places)")

    if errors:
        print(f"check_gold: {len(errors)} problem(s)")
        for e in errors:
            print("  " + e)
        return 1
    types = {}
    for doc, rows in per_doc.items():
        types[rows[0]["event_type"]] = types.get(rows[0]["event_type"], 0) + 1
    print(f"check_gold: OK - {len(reports)} reports, {len(mrows)} mention rows, "
          f"{len(irows)} incident rows")
    print("main types: " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
