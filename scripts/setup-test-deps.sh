#!/usr/bin/env bash
# What the tests need besides node_modules, checked before any test runs (`npm test` and `.ci/run`
# call this script):
#   - PostgreSQL server and client binaries (initdb, postgres, pg_dump, pg_restore, psql) and
#     redis-server: Debian's `postgresql` and `redis-server` packages (the tests start their own
#     servers on loopback in temp dirs; no system service is needed);
#   - chromium (Debian's package) for the screenshot test of `migrate report`'s HTML;
#   - openssl (Debian's package) for the self-signed certificate of the Redis TLS tests;
#   - moto_server (the AWS emulator) and cfn-lint (the CloudFormation linter): Python packages.
# Present: a few hundred milliseconds, nothing printed. Missing: installed where the machine allows
# it (root or password-less sudo with apt-get; pip for the Python tools), else the run stops at once
# with the one command that installs what is missing (exit 1).
#
#   H2A_SETUP=check     only check; never install (print the command instead)
#   H2A_SETUP=skip      do nothing (a machine set up some other way)
#   PG_BIN=DIR          PostgreSQL binaries somewhere other than /usr/lib/postgresql/<N>/bin
# Details: docs/testing.md
set -uo pipefail

mode="${H2A_SETUP:-install}"
[ "$mode" = skip ] && exit 0

say() { printf 'setup-test-deps: %s\n' "$*" >&2; }

pg_dir() {
  local want=(initdb postgres pg_ctl pg_dump pg_restore psql)
  local d
  # shellcheck disable=SC2046
  set -- ${PG_BIN:+"$PG_BIN"} $(ls -d "${H2A_PG_BASE:-/usr/lib/postgresql}"/*/bin 2>/dev/null | sort -t/ -k4 -n -r)
  for d in "$@"; do
    local ok=1 b
    for b in "${want[@]}"; do [ -x "$d/$b" ] || { ok=0; break; }; done
    if [ "$ok" = 1 ]; then echo "$d"; return 0; fi
  done
  return 1
}

# missing apt packages and pip packages, as words
missing_apt() {
  local m=()
  pg_dir >/dev/null || m+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || m+=(redis-server)
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || m+=(chromium)
  # the loopback TLS certificate of the Redis TLS tests (test/support/datastores.ts)
  command -v openssl >/dev/null 2>&1 || m+=(openssl)
  # as root the tests run PostgreSQL as the package's `postgres` user (it refuses to run as root)
  if [ "$(id -u)" = 0 ] && ! id -u postgres >/dev/null 2>&1; then
    case " ${m[*]-} " in *" postgresql "*) ;; *) m+=(postgresql) ;; esac
  fi
  echo "${m[*]-}"
}
missing_pip() {
  local m=()
  command -v moto_server >/dev/null 2>&1 || m+=("moto[server]")
  command -v cfn-lint >/dev/null 2>&1 || m+=(cfn-lint)
  echo "${m[*]-}"
}

apt_cmd() {
  local s=""
  [ "$(id -u)" = 0 ] || s="sudo "
  echo "${s}apt-get update && ${s}apt-get install -y $1"
}
pip_cmd() {
  local q="" p
  for p in $1; do q+=" '$p'"; done
  echo "python3 -m pip install${q}"
}

apt_missing="$(missing_apt)"
pip_missing="$(missing_pip)"
[ -z "$apt_missing" ] && [ -z "$pip_missing" ] && exit 0

install_apt() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || return 1
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  say "installing $1 (apt-get)"
  # keep apt from starting the packages' system services: the tests start their own servers
  local no_start="" policy="${H2A_POLICY_RC_D:-/usr/sbin/policy-rc.d}"
  if [ ! -e "$policy" ] && [ -d "$(dirname "$policy")" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && no_start=1
  fi
  local rc=0
  $sudo apt-get update -qq >&2 && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $1 >&2 || rc=1
  [ -n "$no_start" ] && $sudo rm -f "$policy"
  return $rc
}

install_pip() {
  command -v python3 >/dev/null 2>&1 || return 1
  say "installing $1 (pip)"
  # shellcheck disable=SC2086
  python3 -m pip install --quiet $1 >&2 || return 1
  hash -r
}

if [ "$mode" = install ]; then
  [ -n "$apt_missing" ] && install_apt "$apt_missing"
  [ -n "$pip_missing" ] && install_pip "$(for p in $pip_missing; do printf '%s ' "$p"; done)"
  apt_missing="$(missing_apt)"
  pip_missing="$(missing_pip)"
  [ -z "$apt_missing" ] && [ -z "$pip_missing" ] && { say "ready"; exit 0; }
fi

what=()
[ -n "$apt_missing" ] && what+=("$apt_missing")
[ -n "$pip_missing" ] && what+=("$pip_missing")
cmds=()
[ -n "$apt_missing" ] && cmds+=("$(apt_cmd "$apt_missing")")
[ -n "$pip_missing" ] && cmds+=("$(pip_cmd "$pip_missing")")
joined="${cmds[0]}"
[ "${#cmds[@]}" = 2 ] && joined="${cmds[0]} && ${cmds[1]}"
say "the tests need ${what[*]}, which this machine does not have$([ "$mode" = install ] && echo ' and this script could not install (needs root or password-less sudo with apt-get, and python3 with pip)')."
say "Install with:"
printf '  %s\n' "$joined" >&2
exit 1
