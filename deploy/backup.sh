#!/usr/bin/env bash
# pingyi: back up a PostgreSQL store with pg_dump, plus the log's latest signed checkpoint.
#
# See usage() below and deploy/README.md ("Backup and restore").
set -euo pipefail

PINGYI=${PINGYI:-pingyi}
PROG=$(basename "$0")

usage() {
    cat <<EOF
usage: $PROG [--log-key FILE] STORE_URL BACKUP_FILE

Back up a pingyi PostgreSQL store:

  BACKUP_FILE             pg_dump --format=custom of the store's database (only the
                          store's schema when STORE_URL names one with ?schema=NAME)
  BACKUP_FILE.checkpoint  the log's latest signed checkpoint (C2SP signed note),
                          read BEFORE the dump starts, so the dump always covers it

restore.sh restores the dump into a new database, verifies it with
'pingyi verify', and checks that the restored log holds this checkpoint.

  STORE_URL      postgresql://user[:password]@host[:port]/dbname[?schema=NAME]
                 (pingyi's store URL; the role needs SELECT on every table of the
                 store, e.g. the owner, or a role granted pg_read_all_data).
                 A password is better kept in ~/.pgpass or PGPASSFILE.
  --log-key FILE sign a fresh checkpoint at the current size first
                 ('pingyi checkpoint', passphrase from PINGYI_KEY_PASSPHRASE);
                 without it the latest stored checkpoint is used.

Environment: PINGYI (the pingyi command, default 'pingyi'); pg_dump and psql on PATH.
Exit status: 0 when both files are written, 2 on a usage or environment error,
another non-zero status when pg_dump, psql or pingyi fails.
EOF
}

die() {
    echo "$PROG: error: $*" >&2
    exit 2
}

log_key=""
args=()
while (($#)); do
    case $1 in
    -h | --help)
        usage
        exit 0
        ;;
    --log-key)
        (($# >= 2)) || die "--log-key needs a file"
        log_key=$2
        shift 2
        ;;
    --log-key=*)
        log_key=${1#--log-key=}
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
store=${args[0]}
backup=${args[1]}

for tool in pg_dump psql base64; do
    command -v "$tool" >/dev/null || die "$tool is not on PATH"
done
[[ -z $log_key ]] || command -v "$PINGYI" >/dev/null || die "the pingyi command ($PINGYI) is not on PATH"
[[ $store == postgresql://* || $store == postgres://* ]] || die "STORE_URL must be postgresql://… (got ${store%%:*}://…)"
[[ -z $log_key || -r $log_key ]] || die "cannot read the log key $log_key"

# The libpq URL is the store URL without pingyi's own query parameters.
db=${store%%\?*}
schema=public
if [[ $store == *\?* ]]; then
    IFS='&' read -ra params <<<"${store#*\?}"
    for param in "${params[@]}"; do
        case $param in schema=*) schema=${param#schema=} ;; esac
    done
fi

sidecar=$backup.checkpoint
tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/pingyi-backup.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT
umask 077

# 1. The checkpoint first: the dump, taken after it, covers at least its entries.
if [[ -n $log_key ]]; then
    "$PINGYI" checkpoint --log-key "$log_key" --store "$store" >"$tmpdir/checkpoint"
else
    logs=$(psql "$db" -X -w -A -t -q -v ON_ERROR_STOP=1 -v schema="$schema" <<'SQL'
SELECT count(DISTINCT log_id) FROM :"schema".pingyi_checkpoints
SQL
    )
    case $logs in
    0) die "the store holds no signed checkpoint yet: sign one ('pingyi checkpoint') or pass --log-key" ;;
    1) ;;
    *) die "the store holds $logs logs; this script backs up stores of one log (docs/decisions/0001)" ;;
    esac
    # base64 keeps the note's bytes exact (psql would add a newline of its own).
    psql "$db" -X -w -A -t -q -v ON_ERROR_STOP=1 -v schema="$schema" >"$tmpdir/checkpoint.b64" <<'SQL'
SELECT encode(convert_to(note, 'UTF8'), 'base64')
  FROM :"schema".pingyi_checkpoints ORDER BY size DESC LIMIT 1
SQL
    base64 -d "$tmpdir/checkpoint.b64" >"$tmpdir/checkpoint"
fi
size=$(sed -n 2p "$tmpdir/checkpoint")
[[ $size =~ ^[0-9]+$ ]] || die "the checkpoint is not a C2SP checkpoint (second line: ${size@Q})"

# 2. The dump (one consistent snapshot).
dump_args=(--format=custom --no-password --file "$tmpdir/dump")
[[ $schema == public ]] || dump_args+=(--schema "$schema")
pg_dump "${dump_args[@]}" "$db"

mkdir -p "$(dirname "$backup")"
mv "$tmpdir/dump" "$backup"
mv "$tmpdir/checkpoint" "$sidecar"
echo "备份 backup written: $backup ($(wc -c <"$backup") bytes)"
echo "checkpoint: $sidecar ($(sed -n 1p "$sidecar"), size $size, root $(sed -n 3p "$sidecar"))"
