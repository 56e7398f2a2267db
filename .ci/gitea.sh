#!/usr/bin/env bash
# A real Gitea server for the real-server tests (make test-gitea).
#
#   .ci/gitea.sh bin             build Gitea once (cached) and print the binary's path
#   .ci/gitea.sh start DIR       start a throw-away instance in the empty directory DIR on a free
#                                loopback port with SQLite, its built-in SSH server on another;
#                                prints URL=…, SSH=host:port, PID=…, BIN=…, CONFIG=…
#                                (GITEA_ROOT_URL, if set, is the ROOT_URL its answers name)
#   .ci/gitea.sh cli DIR ARGS…   run the instance's admin command line (gitea --config DIR/app.ini ARGS…)
#   .ci/gitea.sh stop DIR        stop the instance by the PID it recorded in DIR/gitea.pid
#
# The binary is built from the Go module proxy (code.gitea.io/gitea: its go.mod names another module
# and has replace lines, so `go install …@version` refuses it) and cached outside the tree in
# ${XDG_CACHE_HOME:-$HOME/.cache}/gitopscfg/gitea-$GITEA_VERSION/ (the source copy stays there too:
# Gitea reads its templates and locale files from it). Only the first run pays for the build.
set -euo pipefail

GITEA_VERSION="${GITEA_VERSION:-1.27.3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/gitopscfg/gitea-$GITEA_VERSION"
BIN="$CACHE/gitea"
SRC="$CACHE/src"

die() { echo "gitea.sh: $*" >&2; exit 1; }

build() {
  if [ -x "$BIN" ] && [ -d "$SRC/options" ]; then
    return 0
  fi
  command -v go >/dev/null || die "go is not installed"
  mkdir -p "$CACHE"
  # One build at a time: a second caller waits for the first.
  exec 9>"$CACHE/.lock"
  if command -v flock >/dev/null; then flock 9; fi
  if [ -x "$BIN" ] && [ -d "$SRC/options" ]; then
    return 0
  fi
  echo "gitea.sh: building Gitea $GITEA_VERSION once into $CACHE (several minutes)" >&2
  local start dir
  start=$(date +%s)
  dir=$(go mod download -json "code.gitea.io/gitea@v$GITEA_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download did not give the source of code.gitea.io/gitea@v$GITEA_VERSION"
  rm -rf "$SRC.tmp" && mkdir -p "$SRC.tmp"
  cp -r "$dir"/. "$SRC.tmp" && chmod -R u+w "$SRC.tmp"
  (cd "$SRC.tmp" && go build -tags "sqlite sqlite_unlock_notify" -ldflags "-X main.Version=$GITEA_VERSION" -o "$BIN.tmp" .)
  rm -rf "$SRC" && mv "$SRC.tmp" "$SRC" && mv "$BIN.tmp" "$BIN"
  echo "gitea.sh: built in $(( $(date +%s) - start )) s" >&2
}

# free_port prints a loopback TCP port nothing listens on now.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

# api_up reports whether the API answers GET /api/v1/version with 200 (bash's /dev/tcp: CI machines
# may lack curl).
api_up() {
  local line
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /api/v1/version HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r line <&3 || exit 1
    case "$line" in *" 200 "*) exit 0 ;; esac
    exit 1
  ) 2>/dev/null
}

start() {
  local dir="$1" port url pid
  [ -d "$dir" ] || die "start: $dir is not a directory"
  dir=$(cd "$dir" && pwd)
  build
  for attempt in 1 2 3; do
    port=$(free_port)
    sshport=$(free_port)
    url="http://127.0.0.1:$port/"
    root_url="${GITEA_ROOT_URL:-$url}"   # e.g. a counting proxy in front of the server
    mkdir -p "$dir/data" "$dir/repos" "$dir/log"
    cat >"$dir/app.ini" <<EOF
APP_NAME = gitopscfg test
RUN_USER = $(id -un)
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
RUN_MODE = prod
WORK_PATH = $dir
[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = $port
ROOT_URL = $root_url
DISABLE_SSH = false
START_SSH_SERVER = true
BUILTIN_SSH_SERVER_USER = git
SSH_USER = git
SSH_DOMAIN = 127.0.0.1
SSH_PORT = $sshport
SSH_LISTEN_HOST = 127.0.0.1
SSH_LISTEN_PORT = $sshport
OFFLINE_MODE = true
STATIC_ROOT_PATH = $SRC
APP_DATA_PATH = $dir/data
LFS_START_SERVER = false
[database]
DB_TYPE = sqlite3
PATH = $dir/data/gitea.db
[security]
INSTALL_LOCK = true
SECRET_KEY = gitopscfg-throwaway-$port
INTERNAL_TOKEN = gitopscfg-throwaway-internal-token-$port-0123456789abcdef
[service]
DISABLE_REGISTRATION = true
[repository]
ROOT = $dir/repos
[log]
MODE = file
LEVEL = Warn
ROOT_PATH = $dir/log
[cron]
ENABLED = false
[indexer]
REPO_INDEXER_ENABLED = false
[mailer]
ENABLED = false
EOF
    "$BIN" --config "$dir/app.ini" --work-path "$dir" migrate >"$dir/log/migrate.out" 2>&1 ||
      { cat "$dir/log/migrate.out" >&2; die "migrate failed"; }
    "$BIN" --config "$dir/app.ini" --work-path "$dir" web >"$dir/log/web.out" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/gitea.pid"
    # Wait on state: the API answering, or the process ending.
    for _ in $(seq 1 600); do
      if ! kill -0 "$pid" 2>/dev/null; then
        break
      fi
      if api_up "$port" && (exec 3<>"/dev/tcp/127.0.0.1/$sshport") 2>/dev/null; then
        echo "URL=$url"
        echo "SSH=127.0.0.1:$sshport"
        echo "PID=$pid"
        echo "BIN=$BIN"
        echo "CONFIG=$dir/app.ini"
        return 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "gitea.sh: attempt $attempt on port $port failed:" >&2
    tail -20 "$dir/log/web.out" >&2 || true
  done
  die "Gitea did not start"
}

stop() {
  local dir="$1" pid
  [ -f "$dir/gitea.pid" ] || return 0
  pid=$(cat "$dir/gitea.pid")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/gitea.pid"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  bin) build; echo "$BIN" ;;
  start) [ $# -eq 1 ] || die "usage: $0 start DIR"; start "$1" ;;
  stop) [ $# -eq 1 ] || die "usage: $0 stop DIR"; stop "$1" ;;
  cli) [ $# -ge 2 ] || die "usage: $0 cli DIR ARGS…"; d="$1"; shift; build; exec "$BIN" --config "$d/app.ini" --work-path "$d" "$@" ;;
  *) die "usage: $0 bin | start DIR | cli DIR ARGS… | stop DIR" ;;
esac
