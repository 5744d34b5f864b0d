#!/bin/sh
# nginx-conf.sh DIR LISTEN... - write DIR/nginx.conf: nginx in the
# foreground, one worker, serving DIR/www on each LISTEN (an nginx `listen`
# argument, e.g. "0.0.0.0:8081 backlog=4096"), every file it writes under
# DIR, no access log.  For make bench (tools/bench/metrics.sh) and the
# nginx test (tests/integration/shim_nginx.sh).
set -eu
d=$1
shift
mkdir -p "$d/www" "$d/tmp"
{
	printf 'daemon off;\nuser root;\nworker_processes 1;\n'
	printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\n' "$d" "$d"
	printf 'events { worker_connections 4096; }\nhttp {\n\taccess_log off;\n'
	for t in client_body proxy fastcgi uwsgi scgi; do
		printf '\t%s_temp_path %s/tmp;\n' "$t" "$d"
	done
	printf '\tserver {'
	for l in "$@"; do
		printf ' listen %s;' "$l"
	done
	printf ' root %s/www; }\n}\n' "$d"
} >"$d/nginx.conf"
