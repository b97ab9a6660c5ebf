#!/usr/bin/env bash
# gmt_map.sh - the benchmark's GMT side (Debian's gmt, classic mode,
# PostScript rasterised by psconvert/Ghostscript). Not a test; driven by
# tests/bench/bench_render.sh.
#
#   gmt_map.sh prepare BASEMAP.gpkg DIR
#       Writes the basemap layers the map draws as OGR/GMT files (GMT's own
#       vector format) into DIR: land, shoreline and lakes (GSHHG full),
#       borders and rivers of level <= 3 (WDBII full), province lines and
#       towns (Natural Earth, SCALERANK <= 8, with names). Done once, not
#       timed: GMT reads its own format, as PostGIS gets its rows loaded
#       before its queries are timed.
#
#   gmt_map.sh map DIR INCIDENTS.csv OUT.png [DPI]
#       An A4 landscape page (3508 x 2480 px at 300 dpi) with the same
#       layers and extent as tests/bench/mapnik_map.py, in a transverse
#       Mercator on 127.5 E (the map's EPSG:5179 without its false origin),
#       and every incident of INCIDENTS.csv (`bordermap export` CSV: X, Y,
#       event_type, place) as a symbol coloured and shaped by type.
#       GMT has no label collision handling, so each place gets one label
#       "place (count)" to the right of its point, overlaps and all.
#
#   gmt_map.sh heat DIR INCIDENTS.csv OUT.png KM W,S,E,N [DPI]
#       A kernel-density map: the incidents (any CSV with lon and lat
#       columns, e.g. bench_store's) counted on a 5 km grid (xyz2grd -An),
#       smoothed with a Gaussian of sigma KM (grdfilter -Fg, width 6 sigma,
#       -D2), cells under 2% of the peak left clear, drawn over the same
#       basemap on the A4 page at DPI (default 150), as bordermap's
#       --heatmap does (5 km cells for a 15 km kernel, 2% cut-off).
#
# Prints one line: "gmt: map|heat of N incidents, S s".
set -euo pipefail

cmd=${1:-}
case $cmd in
prepare)
    gpkg=$2 dir=$3
    mkdir -p "$dir"
    ogr() { rm -f "$dir/$1.gmt"; ogr2ogr -f OGR_GMT "$dir/$1.gmt" "$gpkg" "${@:2}"; }
    ogr land gshhg_f_land
    ogr shore gshhg_f_shoreline
    ogr lakes gshhg_f_lakes
    ogr borders wdbii_f_borders
    ogr rivers wdbii_f_rivers -where 'level <= 3'
    ogr admin1 ne10m_admin1_lines
    ogr2ogr -f CSV /vsistdout/ "$gpkg" towns -where 'RANK <= 8' \
        -lco GEOMETRY=AS_XY -select NAME | tail -n +2 |
        awk -F, '{n = $3; gsub(/"/, "", n); printf "%s %s %s\n", $1, $2, n}' |
        iconv -f UTF-8 -t ISO-8859-1//TRANSLIT >"$dir/towns.txt"
    exit 0 ;;
map|heat) ;;
*) sed -n '2,32p' "$0" >&2; exit 2 ;;
esac

t0=$EPOCHREALTIME
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
dir=$(abs "$2") csv=$(abs "$3") out=$(abs "$4")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export GMT_TMPDIR=$work
ps=$work/map.ps

# A4 landscape (29.7 x 21 cm): the map 25 cm wide at 1.2 cm from the left.
if [ "$cmd" = map ]; then
    R=-R123/39/131.6/43.9+r dpi=${5:-300}
else
    IFS=, read -r W S E N <<<"$6"
    R=-R$W/$S/$E/$N+r dpi=${7:-150}
fi
J=-JT127.5/38/25c
common=(--PS_MEDIA=842x595 --PS_PAGE_ORIENTATION=portrait --MAP_FRAME_TYPE=plain
        --FONT_ANNOT_PRIMARY=9p --PS_CHAR_ENCODING=ISOLatin1+ --MAP_ORIGIN_X=1.2c --MAP_ORIGIN_Y=1.2c)

gmt psbasemap $R $J -Bxa2f1 -Bya1f1 -BWSne+g#c6dbef "${common[@]}" -K >"$ps"
gmt psxy "$dir/land.gmt" $R $J -G#f3efe4 -O -K >>"$ps"
gmt psxy "$dir/shore.gmt" $R $J -W0.4p,#7f9fc0 -O -K >>"$ps"
gmt psxy "$dir/lakes.gmt" $R $J -G#c6dbef -W0.3p,#7f9fc0 -O -K >>"$ps"
gmt psxy "$dir/borders.gmt" $R $J -W4.5p,#c0504d -t55 -O -K >>"$ps"
gmt psxy "$dir/rivers.gmt" $R $J -W0.7p,#5b8fc7 -O -K >>"$ps"
gmt psxy "$dir/admin1.gmt" $R $J -W0.5p,#9a9a9a,3_2:0 -O -K >>"$ps"

# column numbers of the CSV's header names (first match wins)
col() { head -1 "$csv" | tr -d '\r' | awk -F, -v want="$1" '{for (i = 1; i <= NF; i++) {
    split(want, w, "|"); for (k in w) if ($i == w[k]) {print i; exit}}}'; }
cx=$(col 'X|lon') cy=$(col 'Y|lat')

if [ "$cmd" = map ]; then
    ct=$(col 'event_type|type') cp=$(col 'place|place_name')
    # symbol per type as in the briefing style (fill, shape): one file each
    awk -F, -v cx="$cx" -v cy="$cy" -v ct="$ct" 'NR > 1 {
        f["arrest"] = "882255_c"; f["execution"] = "332288_s"; f["crackdown"] = "cc6677_s"
        f["surveillance"] = "44aa99_d"; f["inspection"] = "117733_d"; f["bribery"] = "ddcc77_t"
        f["smuggling"] = "999933_t"; f["defection"] = "88ccee_c"; f["lecture"] = "aa4499_s"
        s = ($ct in f) ? f[$ct] : "bbbbbb_c"; print $cx, $cy > ("sym_" s ".txt") }' "$csv"
    for f in sym_*.txt; do
        [ -f "$f" ] || continue
        s=${f%.txt} s=${s#sym_}
        gmt psxy "$f" $R $J -S${s#*_}7p -G#${s%_*} -W1.2p,#222222 -O -K >>"$ps"
    done
    cat sym_*.txt | wc -l >count
    gmt psxy "$dir/towns.txt" $R $J -Sc3p -G#333333 -O -K >>"$ps"
    gmt pstext "$dir/towns.txt" $R $J -F+f8p,Helvetica,#222222+jLM -D4p/0 -Gwhite@30 -O -K >>"$ps"
    awk -F, -v cx="$cx" -v cy="$cy" -v cp="$cp" 'NR > 1 {k = $cx " " $cy; n[k]++; name[k] = $cp}
        END {for (k in n) printf "%s %s (%d)\n", k, name[k], n[k]}' "$csv" |
        iconv -f UTF-8 -t ISO-8859-1//TRANSLIT >labels.txt
    gmt pstext labels.txt $R $J -F+f8p,Helvetica,#141414+jLM -D8p/0 -Gwhite@30 -O -K >>"$ps"
else
    km=$5
    awk -F, -v cx="$cx" -v cy="$cy" 'NR > 1 {print $cx, $cy} END {print NR - 1 >"count"}' "$csv" |
        gmt xyz2grd $R -I5k -An -r -fg -Gcount.nc
    gmt grdfilter count.nc -Fg$(awk -v k="$km" 'BEGIN {print 6 * k}') -D2 -Gkde.nc
    peak=$(gmt grdinfo -C kde.nc | awk '{print $7}')
    gmt grdclip kde.nc -Sb$(awk -v p="$peak" 'BEGIN {print 0.02 * p}')/NaN -Gclip.nc
    gmt makecpt -C#ffff66,#fd8d3c,#99000d -T0/$peak >heat.cpt
    gmt grdimage clip.nc $R $J -Cheat.cpt -Q -t25 -O -K >>"$ps"
    gmt psxy "$dir/towns.txt" $R $J -Sc3p -G#333333 -O -K >>"$ps"
    gmt pstext "$dir/towns.txt" $R $J -F+f8p,Helvetica,#222222+jLM -D4p/0 -O -K >>"$ps"
fi
gmt psbasemap $R $J -B0 -O >>"$ps"
gmt psconvert "$ps" -Tg -E"$dpi" -F"$work/out"
mv "$work/out.png" "$out"
awk -v a="$t0" -v b="$EPOCHREALTIME" -v c="$cmd" -v n="$(cat count)" \
    'BEGIN {printf "gmt: %s of %d incidents, %.3f s\n", c, n, b - a}'
