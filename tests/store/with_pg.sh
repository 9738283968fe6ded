#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#   tests/store/with_pg.sh CMD [ARGS...]
# initdb + pg_ctl as an unprivileged user (postgres when run as root), the
# Unix socket and the data in a fresh temporary folder, fsync off, a free
# port; exports WALLTRACK_TEST_PG_URL and WALLTRACK_TEST_PG_CTL (a script:
# `$WALLTRACK_TEST_PG_CTL stop` stops the server as `pg_ctl -m immediate`
# does, `... start` starts it again on the same socket and data, for tests
# of a server restart), runs CMD, then stops the server and removes the
# folder, even when CMD fails. Skips (exit 0, with a message)
# only when the PostgreSQL server binaries are not installed.
set -euo pipefail

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && PGBIN=$d
  done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]; then
  echo "with_pg.sh: skipped: no PostgreSQL server binaries (initdb, pg_ctl) installed"
  exit 0
fi

# Commits are acknowledged before their WAL is written unless a test
# that restarts the server (and counts acknowledged rows) asks for on.
SYNC=${WALLTRACK_TEST_PG_SYNCHRONOUS_COMMIT:-off}
case "$SYNC" in on|off) ;; *) echo "with_pg.sh: WALLTRACK_TEST_PG_SYNCHRONOUS_COMMIT is on or off" >&2; exit 2 ;; esac

RUN=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { echo "with_pg.sh: running as root and no 'postgres' user" >&2; exit 1; }
  RUN=(runuser -u postgres --)
fi

DIR=$(mktemp -d /tmp/wt_pg.XXXXXX)
chmod 755 "$DIR"
[ ${#RUN[@]} -gt 0 ] && chown postgres "$DIR"
started=0
cleanup() {
  if [ $started -eq 1 ]; then
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT INT TERM

# A port nobody listens on (the socket is in $DIR, so only the lock name
# depends on it).
PORT=$(( 20000 + RANDOM % 20000 ))
while [ -e "/tmp/.s.PGSQL.$PORT" ] || (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do
  PORT=$(( 20000 + RANDOM % 20000 ))
done

"${RUN[@]}" "$PGBIN/initdb" -D "$DIR/data" -U walltrack --auth=trust --no-sync \
  --locale=C --encoding=UTF8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
  -o "-k $DIR -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=$SYNC -c full_page_writes=off" \
  start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
started=1

# stop|start for tests that restart the server under load.
cat >"$DIR/pgctl" <<EOS
#!/usr/bin/env bash
case "\$1" in
  stop) exec ${RUN[*]} "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null ;;
  start) exec ${RUN[*]} "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \\
    -o "-k $DIR -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=$SYNC -c full_page_writes=off" \\
    start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
EOS
chmod 755 "$DIR/pgctl"
export WALLTRACK_TEST_PG_CTL="$DIR/pgctl"

export WALLTRACK_TEST_PG_URL="postgresql://walltrack@/postgres?host=$DIR&port=$PORT"
echo "with_pg.sh: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on $DIR port $PORT"
set +e
"$@"
rc=$?
set -e
exit $rc
