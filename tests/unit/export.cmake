# Unit tests of the export (GDAL/OGR) and style (YAML) modules.
bm_unit_test(test_export unit/test_export.c bm_export bm_store GDAL::GDAL)
bm_unit_test(test_style unit/test_style.c bm_style)
