# shellcheck shell=bash
# Sourced by the project's shell scripts: messages prefixed with the calling script's name, and
# the apt install of missing Debian packages (as root; otherwise the exact command is printed).

LIB_PREFIX="$(basename "$0" .sh)"

say() { printf '%s: %s\n' "$LIB_PREFIX" "$*"; }
warn() { printf '%s: WARNING: %s\n' "$LIB_PREFIX" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$LIB_PREFIX" "$*" >&2; exit 1; }

# ensure_debian_packages [--with-recommends] PKG...: installs the packages dpkg does not report
# as installed. Quiet when nothing is missing; apt's output is shown only when it fails.
ensure_debian_packages() {
  local missing=() p apt_log recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then recommends=--install-recommends; shift; fi
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing Debian packages: ${missing[*]}, and apt-get is not available"
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]} (install as root: apt-get install -y ${missing[*]})"
  fi
  say "installing Debian packages: ${missing[*]}"
  apt_log="$(mktemp)"
  if ! { DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 \
            apt-get install -y -qq "$recommends" -o Dpkg::Use-Pty=0 "${missing[@]}"; } \
       </dev/null >"$apt_log" 2>&1; then
    tail -n 20 "$apt_log" >&2
    rm -f "$apt_log"
    die "apt-get could not install: ${missing[*]}"
  fi
  rm -f "$apt_log"
}

# elapsed_since NS: seconds (3 decimals) since the `date +%s%N` value NS.
elapsed_since() {
  local ms=$(( ($(date +%s%N) - $1) / 1000000 ))
  printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}
