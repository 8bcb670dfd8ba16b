#!/bin/sh
# Entrypoint of the redis-chain-local server images, behaving like the official redis and valkey
# images' entrypoints (written for this project). The build replaces @SERVER@ (redis-server or
# valkey-server) and @USER@ (redis or valkey, uid/gid 999).
set -e
server=@SERVER@
user=@USER@

# Arguments only ("--port 7000", "/path/server.conf"): they are for the server.
case "${1:-}" in
	-* | *.conf) set -- "$server" "$@" ;;
esac

# Started as root with the server's own binary name: hand what under the working directory
# (/data) is not the user's to the user, then run this script again as the user. Any other
# command, including the other project's binary name, keeps running as root, as in the official
# images.
if [ "${1:-}" = "$server" ] && [ "$(id -u)" = 0 ]; then
	find . \! -user "$user" -exec chown "$user" '{}' +
	if command -v gosu >/dev/null 2>&1; then
		exec gosu "$user" "$0" "$@"
	fi
	exec setpriv --reuid="$user" --regid="$user" --clear-groups -- "$0" "$@"
fi

# Files the server creates should not be world-readable, unless the caller chose a umask other
# than the default.
if [ "$(umask)" = 0022 ]; then
	umask 0077
fi

# The official images compile the server with protected-mode defaulting to "no"; the Debian
# binaries here default to "yes". Restore the official default by appending
# "--protected-mode no" unless the arguments or the config file set protected-mode (a config
# that uses include, or one read from stdin, is left alone).
# Both names (redis-server is also a name of valkey-server in the Valkey image) get it.
case "${1:-}" in
	redis-server | valkey-server) starts_server=yes ;;
	*) starts_server=no ;;
esac
if [ "$starts_server" = yes ] && [ "$#" -ge 2 ]; then
	add_pm_no=yes
	for arg in "$@"; do
		case "$arg" in
			--protected-mode | -) add_pm_no=no ;;
		esac
	done
	case "$2" in
		-*) ;;
		*)
			if ! [ -r "$2" ] || grep -qiE '^[[:space:]]*(protected-mode|include)[[:space:]]' "$2"; then
				add_pm_no=no
			fi
			;;
	esac
	if [ "$add_pm_no" = yes ]; then
		set -- "$@" --protected-mode no
	fi
elif [ "$starts_server" = yes ]; then
	set -- "$1" --protected-mode no
fi

exec "$@"
