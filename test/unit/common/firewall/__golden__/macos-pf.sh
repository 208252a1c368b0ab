#!/bin/sh
# Pathcheck: outbound allow rules for macOS pf (anchor "com.apple/250.Pathcheck") (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: pfctl -a com.apple/250.Pathcheck -F all
# Run with sudo. The stock /etc/pf.conf already evaluates anchor "com.apple/*"; pf must be enabled.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
set -eu
pfctl -a com.apple/250.Pathcheck -f - <<'PATHCHECK_PF'
pass out quick inet proto udp from any to { 203.0.113.0/24 198.51.100.128/25 } port { 3478 10000:60000 } keep state
pass out quick inet6 proto udp from any to { 2001:db8:40::/48 } port { 3478 10000:60000 } keep state
PATHCHECK_PF
pfctl -s info 2>/dev/null | grep -q '^Status: Enabled' || echo 'Pathcheck: pf is disabled, so these rules do nothing (and pf is not what blocks)' >&2
