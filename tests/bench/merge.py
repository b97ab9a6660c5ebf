#!/usr/bin/python3
"""merge.py - tests/bench/run's last step: the per-area results (one line
per side and measurement, tab-separated: area size side runs min p50 p95
count unit, written by bench_geoparse.sh, store.sh, export.sh and
bench_render.sh) become out/bench.md, a table of ratios bordermap / peer,
and a gnuplot script for out/bench-size.png.

usage: merge.py RESULTS.tsv META.tsv NOTES.txt WORKDIR OUT.md
Writes WORKDIR/plot/*.dat and WORKDIR/plot.gp (run it with
gnuplot -e "out='FILE.png'" WORKDIR/plot.gp). Standard library only.
"""
import os
import sys

res_path, meta_path, notes_path, work, out_md = sys.argv[1:6]

rows = {}   # (area, size, side) -> dict
for line in open(res_path, encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    if len(f) != 9:
        continue
    area, size, side, runs, mn, p50, p95, count, unit = f
    rows[(area, int(size), side)] = dict(runs=int(runs), min=float(mn), p50=float(p50),
                                         p95=None if p95 == "-" else float(p95),
                                         count=count, unit=unit)
meta = [l.rstrip("\n").split("\t", 1) for l in open(meta_path, encoding="utf-8") if "\t" in l]
notes = [l.strip() for l in open(notes_path, encoding="utf-8") if l.strip()]
mode = dict(meta).get("mode", "?")


def sizes(area):
    return sorted({k[1] for k in rows if k[0] == area})


def fmt_n(n):
    for e in range(9, 2, -1):
        if n == 10 ** e:
            return "1e%d" % e
    return "{:,}".format(n)


def fmt_t(v, unit):
    if v is None:
        return "-"
    if unit == "ms":
        return "%.3g ms" % v if v < 100 else "%.0f ms" % v
    return "%.3g s" % v if v < 100 else "%.0f s" % v


def cell(r):
    s = "%s / %s" % (fmt_t(r["min"], r["unit"]), fmt_t(r["p50"], r["unit"]))
    if r["p95"] is not None:
        s += " (p95 %s)" % fmt_t(r["p95"], r["unit"])
    return s


def ratio(a, b):
    if b <= 0:
        return "-"
    r = a / b
    return "%.2f" % r if r >= 0.1 else "%.2g" % r


table = []


def pair(area, size, bm_side, peer_side, what, bm_label, peer_label, same=None):
    a, b = rows.get((area, size, bm_side)), rows.get((area, size, peer_side))
    if not a or not b:
        return
    if same is None:
        same = "%s = %s" % (a["count"], b["count"]) if a["count"] == b["count"] else \
            "**%s ≠ %s**" % (a["count"], b["count"])
    table.append("| %s | %s | %s | %s | %d / %d | %s | %s | **%s** | **%s** | %s |" % (
        what, fmt_n(size), bm_label, peer_label, a["runs"], b["runs"], cell(a), cell(b),
        ratio(a["min"], b["min"]), ratio(a["p50"], b["p50"]), same))


# geoparse: measured here; peers quoted (words per second), not run
LIT = [
    ("Mordecai v2, `batch_geoparse` (quoted: 1,085 documents, 430,253 words in 1 min 40 s)",
     430253 / 100.0),
    ("CLAVIN (quoted: WikToR, 5,000 pages of ~374 words in about 2 min)", 5000 * 374 / 120.0),
]
for size in sizes("geoparse"):
    r = rows[("geoparse", size, "bordermap")]
    words = int(r["count"])
    wps_min, wps_med = words / r["min"], words / r["p50"]
    for label, wps in LIT:
        table.append(
            "| geoparse | %.0f MB (%s words) | `bordermap geoparse`, one core: %.1f MB/s, %s words/s (median) "
            "| %s: %s words/s | %d / - | %s / %s | %s per MB of text | **%s** | **%s** | quoted, not run |" % (
                size / 1e6, "{:,}".format(words), size / 1e6 / r["p50"], "{:,.0f}".format(wps_med),
                label, "{:,.0f}".format(wps), r["runs"], fmt_t(r["min"], "s"), fmt_t(r["p50"], "s"),
                fmt_t(1e6 / (wps * size / words), "s"), ratio(wps, wps_min), ratio(wps, wps_med)))

for size in sizes("ingest"):
    pair("ingest", size, "bordermap", "ogr2ogr", "ingest (CSV → SpatiaLite)",
         "store API, batch", "`ogr2ogr -f SQLite -dsco SPATIALITE=YES`")
    b = rows.get(("ingest", size, "bordermap"))
    if b and not rows.get(("ingest", size, "ogr2ogr")):
        table.append("| ingest (CSV → SpatiaLite) | %s | store API, batch | ogr2ogr not run at this size | %d / - | %s | - | - | - | %s rows |"
                     % (fmt_n(size), b["runs"], cell(b), b["count"]))
for size in sizes("query"):
    w = "25 km query"
    pair("query", size, "bordermap.inproc", "sqlite.rtree.session", w, "in process (`bm_query_near`)",
         "hand-written R*Tree SQL, one sqlite3 session")
    pair("query", size, "bordermap.inproc", "postgis.session", w, "in process",
         "PostGIS `ST_DWithin` geography + GiST, one psql session")
    pair("query", size, "bordermap.cmd", "spatialite.full.cmd", w, "`bordermap near` command",
         "spatialite shell, full scan")
    pair("query", size, "bordermap.cmd", "spatialite.rtree.cmd", w, "`bordermap near` command",
         "spatialite shell, R*Tree SQL")
    pair("query", size, "bordermap.cmd", "postgis.cmd", w, "`bordermap near` command",
         "`psql -c` PostGIS")
for size in sizes("export"):
    pair("export", size, "bordermap", "ogr2ogr", "export to GeoJSON", "`bordermap export`",
         "`ogr2ogr -sql` on the same database", same="identical files, %s features" %
         rows[("export", size, "bordermap")]["count"])
for size in sizes("render"):
    for side, label in (("mapnik", "Mapnik (python3-mapnik)"), ("gmt", "GMT (psxy/pstext + psconvert)")):
        pair("render", size, "bordermap", side, "A4 map, %s dpi" % dict(meta).get("render dpi", "?"),
             "`bordermap render`", label)
for size in sizes("heatmap"):
    pair("heatmap", size, "bordermap", "gmt", "heatmap, 15 km kernel, A4 150 dpi",
         "`bordermap render --heatmap` from its database",
         "GMT from the CSV (xyz2grd, grdfilter, grdimage)")
for size in sizes("heatmap_render"):
    r = rows[("heatmap_render", size, "bordermap.render_only")]
    table.append("| heatmap, drawing only | %s | `bm_render_map` on incidents in memory | (no peer) | 1 / - | %s | - | - | - | - |"
                 % (fmt_n(size), fmt_t(r["p50"], "s")))

with open(out_md, "w", encoding="utf-8") as o:
    w = lambda s="": o.write(s + "\n")
    w("# bordermap beside its peers")
    w()
    w("Written by `%s` (%s run) on %s. %s" % (dict(meta).get("command", "tests/bench/run"), mode,
      dict(meta).get("date", "?"),
      "**Quick mode: small sizes and single runs; it checks the harness, the figures mean little.**"
      if mode == "quick" else ""))
    w()
    w("**Ratio = bordermap's time ÷ the peer's time for the same work on the same data**: "
      "below 1 bordermap is faster (0.25 = four times as fast), above 1 it is slower. "
      "*at min* divides the fastest timed runs, *at median* the medians. "
      "Times are wall clock, shown as min / median (and p95 for the queries) over the timed runs; "
      "warm-up runs are left out. Runs: bordermap / peer.")
    w()
    w("| what | size | bordermap | peer | runs | bordermap min / median | peer min / median | ratio at min | ratio at median | same result |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for t in table:
        w(t)
    w()
    w("![time against size](bench-size.png)")
    w()
    w("## How it is measured")
    w()
    for s in [
        "Data: seeded synthetic incidents (`bench_store gen`: clustered at 20 border towns, 60% at the town's point; "
        "the same rows on every machine) as one CSV per size; every side reads the same rows. "
        "The render map uses `make_synthetic` (10,000 incidents at 283 gazetteer towns), exported once as CSV for Mapnik and GMT. "
        "Geoparse reads the five sample reports replicated to the size shown.",
        "Ingest: bordermap through its store API in batch mode (reports of 100 incidents, R*Tree kept by the store) "
        "against `ogr2ogr` writing a SpatiaLite table from the same CSV; both from start to closed file.",
        "Query: every incident within 25 km (geodesic, WGS 84) of Hoeryong, nearest first. "
        "The hit counts of all sides are compared and must be equal (store.sh stops otherwise). "
        "*In process* is `bm_query_near` on a store opened once; it is set against peers that also keep one session open "
        "(sqlite3 with mod_spatialite running the hand-written R*Tree SQL, `.timer` at ms resolution; psql with `\\timing`). "
        "*Command* is the whole `bordermap near --format csv` process, set against whole `spatialite` and `psql -c` processes. "
        "Nothing is cached between runs beyond what every side gets: the OS page cache (warmed by the warm-up runs), "
        "PostgreSQL's shared buffers, and bordermap's read-only mmap of its file.",
        "PostGIS: a throwaway cluster (initdb, Unix socket only, fsync off) in the work folder, "
        "loaded with `\\copy` of the same CSV into a table with a generated geography column, GiST index and `VACUUM ANALYZE` "
        "before timing; stopped and removed afterwards.",
        "Export: `bordermap export` of every incident against `ogr2ogr` reading the same database with SQL for the same fields; "
        "both write through GDAL's GeoJSON driver (RFC 7946, 7 decimals) and the files are checked to be byte for byte identical.",
        "Render: one A4 landscape PNG (%s), extent 123–131.6 E, 39–43.9 N, the same basemap layers; "
        "whole process each time. bordermap also draws a legend, scale bar, inset and a list of the labels that did not fit; "
        "Mapnik places labels greedily and drops those that collide; GMT has no collision handling, so it gets one label per place. "
        "GMT reads the basemap as OGR/GMT files converted once from basemap.gpkg (not timed)." % dict(meta).get("render page", "A4"),
        "Heatmap: the same 1e6 rows, 15 km Gaussian kernel on 5 km cells, cells under 2% of the peak left clear, over the basemap, "
        "A4 at 150 dpi; bordermap reads its database, GMT the CSV.",
        "Geoparse: one process on one core (`taskset -c 0`), jsonl to /dev/null, one untimed warm-up run. "
        "The peers' figures are quoted from their own reports on other machines and other text (not run here): "
        "Mordecai v2 in openeventdata/mordecai issue #30 (2017-12-13; 1 min 57 s without batching); "
        "CLAVIN in Gritta et al., *What's missing in geographical parsing?*, Lang. Resources & Evaluation 2017, §6.2 "
        "(\"about 2 min\" for WikToR). They are compared per word (whitespace-separated words of the replicated samples); "
        "the ratio is only an order of magnitude.",
        "The machine was shared: other jobs ran during the measurements (see the load averages below), which makes every "
        "figure noisier and slower than on an idle machine. Each side's runs follow one another, so a change of load between "
        "two sides moves their ratio; the min column is the least disturbed.",
    ]:
        w("- " + s)
    for n in notes:
        w("- " + n)
    w()
    w("## Machine and versions")
    w()
    w("| | |")
    w("|---|---|")
    for k, v in meta:
        if k not in ("mode", "command", "section", "render dpi", "render page"):
            w("| %s | %s |" % (k, v))
    w("| time per part | %s |" % "; ".join(v for k, v in meta if k == "section"))
    w()
    w("## Details")
    w()
    for name, title in (("geoparse.log", "Geoparse"), ("export.log", "Export"), ("render.log", "Render and heatmap")):
        p = os.path.join(work, name)
        if os.path.exists(p):
            w("%s:" % title)
            w()
            w("```")
            for l in open(p, encoding="utf-8"):
                w(l.rstrip())
            w("```")
            w()
    w("Store (store.sh's tables, also in out/bench-store.md):")
    w()
    for name in sorted(os.listdir(work)):
        if name.startswith("store-") and name.endswith(".md"):
            for l in open(os.path.join(work, name), encoding="utf-8"):
                if not l.startswith("# "):
                    w(l.rstrip())
            w()

# ---- plot data and script ---------------------------------------------------------
pdir = os.path.join(work, "plot")
os.makedirs(pdir, exist_ok=True)
series_q = [
    ("bordermap.inproc", "bordermap, in process", "#b2182b", 1, 7, 3),
    ("sqlite.rtree.session", "R*Tree SQL, sqlite3 session", "#2166ac", 1, 5, 2),
    ("postgis.session", "PostGIS ST_DWithin, psql session", "#1b7837", 1, 9, 2),
    ("bordermap.cmd", "bordermap near (whole command)", "#b2182b", 2, 7, 3),
    ("spatialite.rtree.cmd", "spatialite shell, R*Tree SQL", "#2166ac", 2, 5, 2),
    ("postgis.cmd", "psql -c, PostGIS", "#1b7837", 2, 9, 2),
    ("spatialite.full.cmd", "spatialite shell, full scan", "#762a83", 2, 11, 2),
]
series_i = [("bordermap", "bordermap ingest", "#b2182b", 1, 7, 3), ("ogr2ogr", "ogr2ogr ingest", "#e08214", 1, 5, 2)]


def dat(area, side, scale=1.0):
    pts = sorted((k[1], v["p50"] * scale) for k, v in rows.items() if k[0] == area and k[2] == side)
    if not pts:
        return None
    p = os.path.join(pdir, "%s_%s.dat" % (area, side.replace(".", "_")))
    with open(p, "w") as f:
        for s, t in pts:
            f.write("%d %g\n" % (s, t))
    return p


def plots(area, series, scale=1.0):
    parts = []
    for side, title, colour, dt, pt, lw in series:
        p = dat(area, side, scale)
        if p:
            parts.append("'%s' using 1:2 with linespoints lw %d dt %d pt %d ps 1.6 lc rgb '%s' title '%s'"
                         % (p, lw, dt, pt, colour, title))
    return ", \\\n  ".join(parts)


qs = sizes("query")
q = plots("query", series_q, 0.001)  # ms -> s
hits = {k[1]: v["count"] for k, v in rows.items() if k[0] == "query" and k[2] == "bordermap.inproc"}
xt = ", ".join('"%s\\n%s hits" %d' % (fmt_n(n), "{:,}".format(int(hits[n])), n) for n in sorted(hits))
i = plots("ingest", series_i)
date = dict(meta).get("date", "")
cpu = dict(meta).get("cpu", "")
with open(os.path.join(work, "plot.gp"), "w") as g:
    g.write("""set terminal pngcairo size 1800,950 font 'DejaVu Sans,13' noenhanced
set output out
set multiplot layout 1,2 title "bordermap beside its peers: time against size (%s run, %s; %s)\\nsolid: one open session or in process;  dashed: whole command (process start included);  lower is faster" font ',15'
set logscale xy
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set format x '1e%%L'
set xlabel 'incidents stored'
set key below box maxrows 4 width -2 spacing 1.2
set bmargin 11
set xlabel offset 0,0.3
set xrange [%g:%g]
set title '25 km radius query around Hoeryong: median (p50) time' font ',14'
set ylabel 'seconds (log scale)'
set format y '%%g'
set xtics (%s)
set xlabel 'incidents stored / incidents found' offset 0,-0.9
plot %s
set xtics auto
set xlabel 'incidents stored' offset 0,0.3
set title 'Ingest of the same CSV into SpatiaLite: median time' font ',14'
set ylabel 'seconds (log scale)'
plot %s
unset multiplot
""" % (mode, date, cpu, (qs[0] / 2.0) if qs else 1e3, (qs[-1] * 2.0) if qs else 1e7, xt, q or "NaN notitle",
       i or "NaN notitle"))
