# Unit tests of the geoparse module (src/geoparse): reports, dates,
# sentences, place mentions and incidents. Reads the committed gazetteer/
# data through BM_TEST_DATA_DIR / BORDERMAP_DATA; writes scratch reports
# to BM_TEST_TMP.
bm_unit_test(test_geoparse unit/test_geoparse.c bm_geoparse)
# The geoparser's shortcuts (the gazetteer's scan filter, one-read report
# loading, month words) answer as the slow paths they stand for.
bm_unit_test(test_fastpaths unit/test_fastpaths.c bm_geoparse)
# The incident extractor's rooms against the event codebook: zones of a
# page, date expressions, triggers with modality and role, whole reports
# (main incident, merging, places, dates). Uses the module's internal
# header.
bm_unit_test(test_extract unit/test_extract.c bm_geoparse)
target_include_directories(test_extract PRIVATE ${PROJECT_SOURCE_DIR}/src/geoparse)
