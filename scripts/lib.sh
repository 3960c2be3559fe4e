# Shared by scripts/*: where things live and how to start and stop what RAD runs. Source it, don't run it.
set -euo pipefail

RAD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RAD_STATE="${RAD_STATE:-$RAD_ROOT/.rad}"
RUN_DIR="$RAD_STATE/run"
LOG_DIR="$RAD_STATE/logs"
mkdir -p "$RUN_DIR" "$LOG_DIR"

RAD_API="${RAD_API:-http://127.0.0.1:7080}"
RAD_REGISTRY="${RAD_REGISTRY:-127.0.0.1:5000}"
RAD_GIT_PORT="${RAD_GIT_PORT:-9418}"
RAD_CONFIGURATION="${RAD_CONFIGURATION:-Release}"

# name:port of every RAD service, in start order.
RAD_SERVICES=(status:7080 webhooks:7081 cloner:7082 builder:7083 cluster-provisioner:7084 deployer:7085 edge:7086)

say() { printf '[rad] %s\n' "$*" >&2; }
die() { printf '[rad] error: %s\n' "$*" >&2; exit 1; }

# curl for RAD's API, with the bearer token when RAD_API_TOKEN is set. The header reaches curl through a pipe that
# bash's builtin printf fills (curl -H @FILE), never as an argument: arguments show in every user's `ps`.
rad_curl() {
  if [[ -n "${RAD_API_TOKEN:-}" ]]; then
    curl -H @<(printf 'Authorization: Bearer %s\n' "$RAD_API_TOKEN") "$@"
  else
    curl "$@"
  fi
}

# Asks RAD to deploy branch main of REPOSITORY; prints the deployment's id.
rad_request_deployment() {
  local id
  id="$(rad_curl -fsS -X POST "$RAD_API/api/deployments" -H 'Content-Type: application/json' \
    -d "{\"repository\": \"$1\", \"ref\": \"main\"}" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)"
  [[ -n "$id" ]] || die "RAD did not accept a deployment of $1"
  printf '%s\n' "$id"
}

# Returns once deployment ID has ended (at most LIMIT seconds, default 300), from its event stream's "end" event: no
# polling; then prints the deployment's final view.
rad_wait_for_end() {
  local id="$1" limit="${2:-300}"
  # grep leaves at the first "end"; curl then stops on the closed pipe, which is not a failure here.
  { rad_curl --max-time "$limit" -fsSN "$RAD_API/api/deployments/$id/events" || true; } | grep -q -m1 '^event: end' \
    || die "deployment $id did not end within $limit s"
  rad_curl -fsS "$RAD_API/api/deployments/$id"
}

# docker build -q ARGS..., quiet unless it fails: the engine's legacy builder warns on every build (no buildx here).
docker_build_quiet() {
  local errors
  errors="$(docker build -q "$@" 2>&1 >/dev/null)" || die "docker build $*: $errors"
}

# The runtime's settings every RAD service runs with (scripts/up; scripts/bench-memory-floor runs its skeleton with them).
export_service_runtime() {
  export DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  # A small first-generation budget (4 MiB): the default follows the CPU's cache size and let each idle service hold
  # tens of MB of garbage between collections.
  export DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}"
  # Precompiled (ReadyToRun) code is recompiled by the optimising tier only after 1,000 calls (default 30): with the
  # default, the first deployment after a start spent 1.1-1.8 s of JIT per busy service recompiling precompiled methods
  # while it ran; with tiers off it spent 0.2-0.5 s but the status API served half the requests per second (docs/performance.md).
  export DOTNET_TC_CallCountThreshold="${DOTNET_TC_CallCountThreshold:-1000}"
}

# Stops RAD's own services (not the infrastructure), last started first, by their recorded pids.
stop_rad_services() {
  local i
  for ((i = ${#RAD_SERVICES[@]} - 1; i >= 0; i--)); do stop_recorded "${RAD_SERVICES[$i]%%:*}"; done
}

# Alive when the recorded pid runs (a zombie or a recycled pid of another program does not count).
pid_alive() {
  local file="$RUN_DIR/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]]
}

# Waits up to $2 seconds (in 0.2 s steps) for command $3... to succeed.
wait_for() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what did not come up within ${seconds}s (logs: $LOG_DIR)"
}

# Stops the process recorded in $RUN_DIR/$1.pid, and only that one: TERM, then KILL after $2 seconds.
stop_recorded() {
  local name="$1" grace="${2:-10}" pid i
  pid_alive "$name" || { rm -f "$RUN_DIR/$name.pid"; return 0; }
  pid="$(cat "$RUN_DIR/$name.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.2
  done
  [[ -d "/proc/$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
  say "stopped $name (pid $pid)"
}

# Stops service $1 when it runs with a value of environment variable $2 other than the current one, so that
# scripts/up starts it again with the current value (the value itself is never printed).
stop_if_env_differs() {
  local name="$1" variable="$2" pid
  pid_alive "$name" || return 0
  pid="$(cat "$RUN_DIR/$name.pid")"
  if ! tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "$variable=${!variable:-}"; then
    if [[ -z "${!variable:-}" ]] && ! tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -q "^$variable="; then return 0; fi
    stop_recorded "$name"
  fi
}

# True when a source of RAD's services changed since the last build that scripts/up or scripts/test made.
services_changed() {
  local stamp="$RAD_STATE/build.stamp"
  [[ ! -f "$stamp" ]] || [[ -n "$(find "$RAD_ROOT/services" "$RAD_ROOT/shared" "$RAD_ROOT/tools" "$RAD_ROOT/Directory.Build.props" "$RAD_ROOT/Directory.Packages.props" \
      \( -name bin -o -name obj \) -prune -o -type f -newer "$stamp" -print -quit 2>/dev/null)" ]]
}

# Builds the solution (always with "always", else only when a service's source changed). Services still running on
# the binaries a build replaced are stopped, so that scripts/up starts them again on the new ones: a running service
# that loads a replaced assembly later fails with "Could not load file or assembly" (seen).
build_rad() {
  local changed=false
  services_changed && changed=true
  [[ "$changed" == true || "${1:-}" == always ]] || return 0
  say "building RAD ($RAD_CONFIGURATION)"
  dotnet build "$RAD_ROOT/Rad.Services.sln" -c "$RAD_CONFIGURATION" -v q -nologo >"$LOG_DIR/build.log" 2>&1 \
    || { tail -40 "$LOG_DIR/build.log" >&2; die "dotnet build failed (see $LOG_DIR/build.log)"; }
  # What scripts/up runs: every service published ReadyToRun (precompiled), in parallel. The first time on a machine it
  # compiles every dependency for every service (2-3 min here); after that only what changed (seconds).
  say "publishing the services ReadyToRun"
  dotnet msbuild "$RAD_ROOT/services/ReadyToRun.proj" -t:Publish -m -p:Configuration="$RAD_CONFIGURATION" -v q -nologo >>"$LOG_DIR/build.log" 2>&1 \
    || { tail -40 "$LOG_DIR/build.log" >&2; die "the ReadyToRun publish of the services failed (see $LOG_DIR/build.log)"; }
  touch "$RAD_STATE/build.stamp"
  if [[ "$changed" == true ]]; then
    for entry in "${RAD_SERVICES[@]}"; do stop_recorded "${entry%%:*}"; done
  fi
}

service_project() {
  case "$1" in
    status) echo Rad.Status ;;
    cloner) echo Rad.Cloner ;;
    builder) echo Rad.Builder ;;
    cluster-provisioner) echo Rad.ClusterProvisioner ;;
    deployer) echo Rad.Deployer ;;
    edge) echo Rad.Edge ;;
    webhooks) echo Rad.Webhooks ;;
    *) die "unknown service $1" ;;
  esac
}
