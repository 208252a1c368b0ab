#!/bin/sh
# Pathcheck: outbound allow rules for macOS pf (anchor "pathcheck") (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: pfctl -a pathcheck -F all
# Run with sudo. /etc/pf.conf must contain the line:  anchor "pathcheck"  (then pfctl -f /etc/pf.conf).
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
set -eu
pfctl -a pathcheck -f - <<'PATHCHECK_PF'
table <pathcheck_udp_1_v4> const { 203.0.113.0/24, 198.51.100.128/25 }
pass out quick inet proto udp from any to <pathcheck_udp_1_v4> port { 3478, 10000:60000 } keep state
table <pathcheck_udp_1_v6> const { 2001:db8:40::/48 }
pass out quick inet6 proto udp from any to <pathcheck_udp_1_v6> port { 3478, 10000:60000 } keep state
PATHCHECK_PF
pfctl -sr 2>/dev/null | grep -q 'anchor "pathcheck"' || echo 'Pathcheck: add  anchor "pathcheck"  to /etc/pf.conf, then run pfctl -f /etc/pf.conf' >&2
pfctl -E
