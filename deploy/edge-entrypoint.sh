#!/bin/sh
# The edge container runs HAProxy (master-worker, runtime API on sockets) beside Rad.Edge, which drives it.
set -eu
cfg="${Rad__Edge__ConfigPath:-/var/lib/rad-edge/haproxy.cfg}"
dir="$(dirname "$cfg")"
mkdir -p "$dir"
# HAProxy and Rad.Edge both read the admin socket's path from this variable.
export Rad__Edge__AdminSocket="${Rad__Edge__AdminSocket:-$dir/admin.sock}"
[ -f "$cfg" ] || cp /usr/local/share/rad/haproxy-initial.cfg "$cfg"
haproxy -W -f "$cfg" -S "${Rad__Edge__MasterSocket:-$dir/master.sock},mode,600" &
exec dotnet Rad.Edge.dll
