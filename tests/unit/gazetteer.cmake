# Unit tests of the gazetteer module (src/gazetteer). Reads the committed
# gazetteer/ data through BM_TEST_DATA_DIR / BORDERMAP_DATA.
bm_unit_test(test_gazetteer unit/test_gazetteer.c bm_gazetteer)
# The spelling table (tests/data/spellings.tsv): >= 150 spellings, each to
# its expected place within a tolerance in km.
bm_unit_test(test_spellings unit/test_spellings.c bm_gazetteer)
