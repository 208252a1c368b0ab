#!/bin/sh
# Pathcheck: outbound allow rules for macOS pf (anchor "com.apple/250.Pathcheck") (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: pfctl -a com.apple/250.Pathcheck -F all
# Run with sudo. The stock /etc/pf.conf already evaluates anchor "com.apple/*"; pf must be enabled.
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
set -eu
pfctl -a com.apple/250.Pathcheck -f - <<'PATHCHECK_PF'
pass out quick inet proto udp from any to { 10.77.0.10/32 } port { 3478 } keep state
pass out quick inet6 proto udp from any to { fd77::10/128 } port { 3478 } keep state
pass out quick inet proto tcp from any to { 10.77.0.10/32 } port { 3478 } keep state
pass out quick inet6 proto tcp from any to { fd77::10/128 } port { 3478 } keep state
pass out quick inet proto udp from any to { 10.77.0.0/24 } port { 10000:60000 } keep state
pass out quick inet6 proto udp from any to { fd77::/64 } port { 10000:60000 } keep state
PATHCHECK_PF
pfctl -s info 2>/dev/null | grep -q '^Status: Enabled' || echo 'Pathcheck: pf is disabled, so these rules do nothing (and pf is not what blocks)' >&2
