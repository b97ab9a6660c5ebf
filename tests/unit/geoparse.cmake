# Unit tests of the geoparse module (src/geoparse): reports, dates,
# sentences, place mentions and incidents. Reads the committed gazetteer/
# data through BM_TEST_DATA_DIR / BORDERMAP_DATA; writes scratch reports
# to BM_TEST_TMP.
bm_unit_test(test_geoparse unit/test_geoparse.c bm_geoparse)
