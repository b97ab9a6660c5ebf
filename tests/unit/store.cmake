# Store and query modules. The store test also opens the database with
# SQLite/SpatiaLite directly, to check what other GIS tools will see.
bm_unit_test(test_store unit/test_store.c bm_store bm_core
             PkgConfig::SPATIALITE PkgConfig::SQLITE3)
bm_unit_test(test_query unit/test_query.c bm_query bm_store bm_core
             PkgConfig::PROJ PkgConfig::SQLITE3)
# Schema version 4: migration from versions 1, 2 and 3, review and audit,
# the date range, main incident and further evidence on every path,
# re-ingest, filters by date range, stats, two writers at once.
bm_unit_test(test_store_review unit/test_store_review.c bm_store bm_core
             PkgConfig::SPATIALITE PkgConfig::SQLITE3)
# The packed R*Tree and the checkpointing thread of large batches, on plain
# SQLite files (internal headers of the store module).
bm_unit_test(test_store_bulk unit/test_store_bulk.c bm_store bm_core
             PkgConfig::SQLITE3)
