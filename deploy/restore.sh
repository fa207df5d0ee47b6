#!/usr/bin/env bash
# pingyi: restore a backup.sh dump into a NEW database, then prove the restored log intact.
#
# See usage() below and deploy/README.md ("Backup and restore").
set -euo pipefail

PINGYI=${PINGYI:-pingyi}
PROG=$(basename "$0")

usage() {
    cat <<EOF
usage: $PROG [--create-database] [--checkpoint FILE] BACKUP_FILE TARGET_URL

Restore a pingyi backup (backup.sh) into a new, empty database and check it:

  1. pg_restore BACKUP_FILE into TARGET_URL's database, which must hold no
     tables yet (with --create-database it is created first, through the
     server's 'postgres' database);
  2. 'pingyi verify' of the restored store: every signature, role, hash-chain
     link, Merkle root and stored checkpoint;
  3. the sidecar checkpoint (default BACKUP_FILE.checkpoint, the log's signed
     checkpoint read before the dump) must be stored in the restored log byte
     for byte. Step 2 has checked every stored checkpoint's signature and root
     against the restored entries, so the restored log is consistent with the
     sidecar and holds at least its entries: a dump older than the checkpoint
     (a rolled-back log) or from another log fails here.

  TARGET_URL  postgresql://user[:password]@host[:port]/NEWDB[?schema=NAME]
              (use the schema the store had; a password is better kept in
              ~/.pgpass or PGPASSFILE)

Ownership and grants are not restored (pg_restore --no-owner --no-privileges):
the restoring role owns everything; re-run deploy/sql/app_role.sql and
deploy/sql/projector_role.sql before pointing services at the restored database.
A database that fails the checks is left in place for inspection.

Environment: PINGYI (the pingyi command, default 'pingyi'); pg_restore and psql on PATH.
Exit status: 0 only if the restore succeeded and both checks passed; 1 if a check
failed; 2 on a usage or environment error (other statuses: pg_restore or psql failed).
EOF
}

die() {
    echo "$PROG: error: $*" >&2
    exit 2
}

create_db=false
sidecar=""
args=()
while (($#)); do
    case $1 in
    -h | --help)
        usage
        exit 0
        ;;
    --create-database)
        create_db=true
        shift
        ;;
    --checkpoint)
        (($# >= 2)) || die "--checkpoint needs a file"
        sidecar=$2
        shift 2
        ;;
    --checkpoint=*)
        sidecar=${1#--checkpoint=}
        shift
        ;;
    --)
        shift
        args+=("$@")
        break
        ;;
    -*) die "unknown option $1 (see --help)" ;;
    *)
        args+=("$1")
        shift
        ;;
    esac
done
((${#args[@]} == 2)) || {
    usage >&2
    exit 2
}
backup=${args[0]}
target=${args[1]}
sidecar=${sidecar:-$backup.checkpoint}

for tool in pg_restore psql base64 cmp "$PINGYI"; do
    command -v "$tool" >/dev/null || die "$tool is not on PATH"
done
[[ -r $backup ]] || die "cannot read the backup $backup"
[[ -r $sidecar ]] || die "cannot read the sidecar checkpoint $sidecar"
[[ $target == postgresql://* || $target == postgres://* ]] || die "TARGET_URL must be postgresql://…"

db=${target%%\?*}
schema=public
if [[ $target == *\?* ]]; then
    IFS='&' read -ra params <<<"${target#*\?}"
    for param in "${params[@]}"; do
        case $param in schema=*) schema=${param#schema=} ;; esac
    done
fi
# pingyi opens the restored store read-only in shape: create=no runs no DDL.
store="$db?schema=$schema&create=no"

origin=$(sed -n 1p "$sidecar")
size=$(sed -n 2p "$sidecar")
root=$(sed -n 3p "$sidecar")
[[ $size =~ ^[0-9]+$ && -n $origin && -n $root ]] ||
    die "$sidecar is not a C2SP checkpoint (origin, size and root on its first three lines)"

sql() { # sql VAR=VALUE... < script : run a script on the target, unaligned, tuples only
    local vars=()
    for v in "$@"; do vars+=(-v "$v"); done
    psql "$db" -X -w -A -t -q -v ON_ERROR_STOP=1 -v schema="$schema" "${vars[@]}"
}

# 1. Restore into a new, empty database.
if $create_db; then
    name=${db##*/}
    psql "${db%/*}/postgres" -X -w -q -v ON_ERROR_STOP=1 -v name="$name" <<'SQL'
CREATE DATABASE :"name"
SQL
    echo "created database $name"
fi
relations=$(sql <<'SQL'
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
SQL
)
[[ $relations == 0 ]] ||
    die "the target database is not empty ($relations relations): restore into a new database"
pg_restore --exit-on-error --no-owner --no-privileges --no-password --dbname "$db" "$backup"
echo "恢复 restored $backup into ${db##*@}"

failed=()

# 2. Verify the restored store end to end.
echo "核验 verifying the restored store with '$PINGYI verify'"
if "$PINGYI" verify --store "$store"; then
    echo "verification: PASS"
else
    echo "verification: FAIL (pingyi verify exited non-zero)"
    failed+=("pingyi verify failed")
fi

# 3. The sidecar checkpoint must be one the restored log stores (verified in step 2).
stored=$(sql size="$size" <<'SQL' || true
SELECT encode(convert_to(note, 'UTF8'), 'base64')
  FROM :"schema".pingyi_checkpoints WHERE size = :size
SQL
)
latest=$(sql <<'SQL' || true
SELECT coalesce(max(size), 0) FROM :"schema".pingyi_checkpoints
SQL
)
if [[ -z $stored ]]; then
    echo "checkpoint: FAIL: the restored log stores no checkpoint at size $size (its latest: ${latest:-none});" \
        "the backup is older than $sidecar, or from another log"
    failed+=("sidecar checkpoint missing")
elif base64 -d <<<"$stored" | cmp -s - "$sidecar"; then
    echo "checkpoint: PASS: $origin at size $size (root $root) is stored in the restored log" \
        "byte for byte; its latest checkpoint covers ${latest} entries"
else
    echo "checkpoint: FAIL: the restored log's checkpoint at size $size differs from $sidecar"
    failed+=("sidecar checkpoint differs")
fi

if ((${#failed[@]})); then
    echo "恢复 restore FAILED: $(
        IFS=';'
        echo "${failed[*]}"
    ) (the restored database is left for inspection)"
    exit 1
fi
echo "恢复 restore OK: the restored store verifies and is consistent with $sidecar"
