#!/bin/sh
# Pathcheck: outbound allow rules for macOS pf (anchor "com.apple/250.Pathcheck") (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo: pfctl -a com.apple/250.Pathcheck -F all
# Run with sudo. The stock /etc/pf.conf already evaluates anchor "com.apple/*"; pf must be enabled.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
# pathcheck-tcp-1: TCP 443, 3478
#   purpose: TURN over TCP/TLS, signaling
#   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
#   blocked at: perimeter
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group/v6
#   blocked at: perimeter
# pathcheck-udp-3: UDP 10000-65535
#   purpose: Peer-to-peer media
#   checks: udp-range:p2p/v6
#   blocked at: perimeter
# pathcheck-tcp-2: TCP 10000-65535
#   purpose: Peer-to-peer media over TCP
#   checks: tcp-range:p2p/v6
#   blocked at: perimeter
set -eu
pfctl -a com.apple/250.Pathcheck -f - <<'PATHCHECK_PF'
pass out quick inet6 proto udp from any to { fd77::10/128 } port { 3478 } keep state
pass out quick inet6 proto tcp from any to { fd77::10/128 } port { 443 3478 } keep state
pass out quick inet6 proto udp from any to { fd77::/64 } port { 10000:60000 } keep state
pass out quick proto udp from any to any port { 10000:65535 } keep state
pass out quick proto tcp from any to any port { 10000:65535 } keep state
PATHCHECK_PF
pfctl -s info 2>/dev/null | grep -q '^Status: Enabled' || echo 'Pathcheck: pf is disabled, so these rules do nothing (and pf is not what blocks)' >&2
