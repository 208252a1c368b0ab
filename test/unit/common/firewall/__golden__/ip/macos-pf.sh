#!/bin/sh
# Pathcheck: outbound allow rules for macOS pf (anchor "pathcheck") (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: pfctl -a pathcheck -F all
# Run with sudo. /etc/pf.conf must contain the line:  anchor "pathcheck"  (then pfctl -f /etc/pf.conf).
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:192.0.2.10:3478
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 443
#   purpose: TURN over TLS
#   checks: turn:tls:[2001:db8::10]:443
#   blocked at: proxy
set -eu
pfctl -a pathcheck -f - <<'PATHCHECK_PF'
table <pathcheck_udp_1_v4> const { 192.0.2.10 }
pass out quick inet proto udp from any to <pathcheck_udp_1_v4> port 3478 keep state
table <pathcheck_udp_1_v6> const { 2001:db8::10 }
pass out quick inet6 proto udp from any to <pathcheck_udp_1_v6> port 3478 keep state
table <pathcheck_udp_2_v4> const { 192.0.2.30 }
pass out quick inet proto udp from any to <pathcheck_udp_2_v4> port 10000:60000 keep state
table <pathcheck_tcp_1_v6> const { 2001:db8::10 }
pass out quick inet6 proto tcp from any to <pathcheck_tcp_1_v6> port 443 keep state
PATHCHECK_PF
pfctl -sr 2>/dev/null | grep -q 'anchor "pathcheck"' || echo 'Pathcheck: add  anchor "pathcheck"  to /etc/pf.conf, then run pfctl -f /etc/pf.conf' >&2
pfctl -E
