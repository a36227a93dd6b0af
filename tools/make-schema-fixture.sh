#!/usr/bin/env bash
# Makes Tests/GridStoreTests/Fixtures/replica-v1.sqlite and its export with the gridsync
# binary given as $1. Run once, when a schema is released; the fixture is then frozen, and
# every later GridSync must open it and export the same records.
set -euo pipefail
gridsync=${1:?usage: tools/make-schema-fixture.sh path/to/gridsync}
fixtures="$(cd "$(dirname "$0")/.." && pwd)/Tests/GridStoreTests/Fixtures"
export GRIDSYNC_DATA="$(mktemp -d)/v1"
"$gridsync" init --worker w001 --grid c01/g01 > /dev/null
"$gridsync" demand add --title 楼道堆物清理 --category 消防安全 --backers 12 --tag 消防 --building 3栋2单元 > /dev/null
"$gridsync" visit add --date 2026-11-20 --purpose 收集诉求 --compound k001 --household 3栋2单元401 \
    --observations 楼道堆放纸箱 > /dev/null
"$gridsync" project add --title 楼道微消防站 --category fire-safety --participant 社区居委会 > /dev/null
project=$("$gridsync" project list --json | python3 -c "import json, sys; print(json.load(sys.stdin)[0]['id'][:8])")
"$gridsync" project progress "$project" --month 2026-11 --text 完成选址 --percent 20 > /dev/null
"$gridsync" export > "$fixtures/replica-v1.export.jsonl"
python3 - "$GRIDSYNC_DATA/replica.sqlite" "$fixtures/replica-v1.sqlite" <<'PY'
import shutil, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("PRAGMA journal_mode=DELETE")
db.close()
shutil.copy(sys.argv[1], sys.argv[2])
print(sqlite3.connect(sys.argv[2]).execute("SELECT id FROM replica").fetchone()[0])
PY
