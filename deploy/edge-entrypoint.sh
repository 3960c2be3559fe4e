#!/bin/sh
# The edge container runs HAProxy (master-worker, runtime API on sockets) beside Rad.Edge, which drives it.
set -eu
dir="$(dirname "${Rad__Edge__ConfigPath:-/var/lib/rad-edge/haproxy.cfg}")"
mkdir -p "$dir"
cfg="${Rad__Edge__ConfigPath:-$dir/haproxy.cfg}"
[ -f "$cfg" ] || printf 'global\n    stats socket %s mode 600 level admin expose-fd listeners\n    httpclient.ssl.verify none\ndefaults\n    mode tcp\n    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n' \
  "${Rad__Edge__AdminSocket:-$dir/admin.sock}" >"$cfg"
haproxy -W -f "$cfg" -S "${Rad__Edge__MasterSocket:-$dir/master.sock},mode,600" &
exec dotnet Rad.Edge.dll
