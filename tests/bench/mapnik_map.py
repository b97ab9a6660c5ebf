#!/usr/bin/python3
"""mapnik_map.py - the benchmark's comparison: Mapnik (Debian's
python3-mapnik) drawing layers comparable to bordermap's briefing map:
the same basemap layers from gazetteer/basemap.gpkg (land, shoreline, lakes,
borders, rivers, province lines, towns with labels, country names) and the
incidents as a symbol per type with a "date · type · place" label, in
EPSG:5179, A4 landscape at 300 dpi (3508 x 2480 px). Mapnik has no legend,
scale bar, graticule or inset, so those are not drawn; labels are placed
greedily (allow-overlap off) and dropped when they collide.

usage: mapnik_map.py BASEMAP.gpkg INCIDENTS.csv OUT.png [DPI]
(DPI: default 300; the page stays A4 landscape, sizes scale with it.)
Prints the seconds taken by mapnik.render + saving, and in total.
"""
import csv
import io
import sys
import time
from xml.sax.saxutils import quoteattr

t0 = time.monotonic()
import mapnik  # noqa: E402

basemap, inc_csv, out = sys.argv[1:4]
dpi = float(sys.argv[4]) if len(sys.argv) > 4 else 300.0
W, H = round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)  # A4 landscape: 3508 x 2480 at 300 dpi
k = dpi / 72.0  # px per pt

colours = {"arrest": "#882255", "execution": "#332288", "crackdown": "#cc6677",
           "surveillance": "#44aa99", "inspection": "#117733", "bribery": "#ddcc77",
           "smuggling": "#999933", "defection": "#88ccee", "lecture": "#aa4499"}

# incidents with a label column like bordermap's
rows = list(csv.DictReader(open(inc_csv, encoding="utf-8")))
buf = io.StringIO()
wr = csv.writer(buf)
wr.writerow(["lon", "lat", "type", "label"])
def col(r, *names):  # `bordermap export` CSV (X, Y, event_type, ...) or older names
    for n in names:
        if n in r:
            return r[n]
    raise KeyError(names[0])


for r in rows:
    t = col(r, "event_type", "type")
    wr.writerow([col(r, "X", "lon"), col(r, "Y", "lat"), t,
                 "%s · %s · %s" % (col(r, "event_date", "date"), t, col(r, "place", "place_name"))])
points_csv = out + ".incidents.csv"
open(points_csv, "w", encoding="utf-8").write(buf.getvalue())


def ogr(name):
    return ('<Datasource><Parameter name="type">ogr</Parameter>'
            '<Parameter name="file">%s</Parameter>'
            '<Parameter name="layer">%s</Parameter></Datasource>' % (basemap, name))


def text(field, size, color):
    return ('<TextSymbolizer face-name="Noto Sans Regular" size="%g" fill="%s" '
            'halo-fill="white" halo-radius="%g" allow-overlap="false" '
            'avoid-edges="true" placement-type="simple" placements="E,W,N,S,NE,SE,NW,SW" '
            'dx="%g">[%s]</TextSymbolizer>' % (size * k, color, 2 * k, 6 * k, field))


styles = []
layers = []


def layer(name, ds, rules):
    styles.append('<Style name="%s">%s</Style>' % (name, "".join(rules)))
    layers.append('<Layer name="%s" srs="epsg:4326"><StyleName>%s</StyleName>%s</Layer>'
                  % (name, name, ds))


def rule(body, flt=None):
    return "<Rule>%s%s</Rule>" % ("<Filter>%s</Filter>" % flt if flt else "", body)


layer("land", ogr("gshhg_f_land"), [rule('<PolygonSymbolizer fill="#f3efe4"/>')])
layer("shore", ogr("gshhg_f_shoreline"),
      [rule('<LineSymbolizer stroke="#7f9fc0" stroke-width="%g"/>' % (0.4 * k))])
layer("lakes", ogr("gshhg_f_lakes"),
      [rule('<PolygonSymbolizer fill="#c6dbef"/><LineSymbolizer stroke="#7f9fc0" '
            'stroke-width="%g"/>' % (0.3 * k))])
layer("borders", ogr("wdbii_f_borders"),
      [rule('<LineSymbolizer stroke="#c0504d" stroke-opacity="0.45" stroke-width="%g"/>' % (4.5 * k))])
layer("rivers", ogr("wdbii_f_rivers"),
      [rule('<LineSymbolizer stroke="#5b8fc7" stroke-width="%g"/>' % (0.7 * k), "[level] &lt;= 3")])
layer("admin1", ogr("ne10m_admin1_lines"),
      [rule('<LineSymbolizer stroke="#9a9a9a" stroke-width="%g" stroke-dasharray="%g,%g"/>'
            % (0.5 * k, 3 * k, 2 * k))])
layer("countries", ogr("ne10m_admin0_countries"), [rule(text("name_en", 11, "#8a8a8a"))])
layer("towns", ogr("towns"),
      [rule('<MarkersSymbolizer width="%g" height="%g" fill="#333333" allow-overlap="true"/>'
            % (3 * k, 3 * k) + text("NAME", 8, "#222222"), "[RANK] &lt;= 8")])
rules = []
for t, c in colours.items():
    rules.append(rule('<MarkersSymbolizer width="%g" height="%g" fill="%s" stroke="#222222" '
                      'stroke-width="%g" allow-overlap="true"/>' % (7 * k, 7 * k, c, 1.2 * k)
                      + text("label", 8, "#141414"), "[type] = '%s'" % t))
layer("incidents", '<Datasource><Parameter name="type">csv</Parameter>'
      '<Parameter name="file">%s</Parameter></Datasource>' % points_csv, rules)

xml = ('<?xml version="1.0" encoding="utf-8"?><Map srs="epsg:5179" background-color="#c6dbef">'
       + "".join(styles) + "".join(layers) + "</Map>")
m = mapnik.Map(W, H)
mapnik.load_map_from_string(m, xml)
tr = mapnik.ProjTransform(mapnik.Projection("epsg:4326"), mapnik.Projection("epsg:5179"))
m.zoom_to_box(tr.forward(mapnik.Box2d(123.0, 39.0, 131.6, 43.9)))
t1 = time.monotonic()
img = mapnik.Image(W, H)
mapnik.render(m, img)
img.save(out, "png")
t2 = time.monotonic()
print("mapnik: render+save %.3f s, total %.3f s (%dx%d px)" % (t2 - t1, t2 - t0, W, H))
