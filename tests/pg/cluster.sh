#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests.
#
#   tests/pg/cluster.sh start DIR   initdb in DIR/data, start a server that listens on a
#                                   unix socket in DIR only (no TCP port to collide on),
#                                   and print its libpq conninfo on stdout.
#   tests/pg/cluster.sh stop DIR    stop it (fast) and remove DIR.
#
# The server trades durability for speed (fsync, synchronous_commit and
# full_page_writes off): it holds test data only. As root, the cluster runs as
# the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1
dir=$(realpath -m "$2")

bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [[ -z "$bindir" || ! -x "$bindir/initdb" ]]; then
  echo "PostgreSQL のサーバーが見つかりません / PostgreSQL server binaries not found (install postgresql-15)" >&2
  exit 1
fi

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    if ! as_owner test -x "$dir" -a -w "$dir"; then
      echo "$dir に書き込めません（サーバーは postgres として動きます） / the server's user cannot write to $dir; use a directory whose parents it can enter, e.g. mktemp -d under /tmp" >&2
      exit 1
    fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "$bindir/initdb" -D "$dir/data" -U ichigen --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # A unix socket only: no port is taken on the machine; the port number
    # merely names the socket file.
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses='' -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "host=$dir port=5432 user=ichigen dbname=postgres"
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
