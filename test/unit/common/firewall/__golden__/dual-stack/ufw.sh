#!/bin/sh
# Pathcheck: outbound allow rules for ufw (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Only needed when ufw denies outgoing traffic (ufw status verbose: "deny (outgoing)").
set -eu
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
ufw allow out proto udp to 10.77.0.10/32 port 3478 comment pathcheck
ufw allow out proto udp to fd77::10/128 port 3478 comment pathcheck
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
ufw allow out proto tcp to 10.77.0.10/32 port 3478 comment pathcheck
ufw allow out proto tcp to fd77::10/128 port 3478 comment pathcheck
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
ufw allow out proto udp to 10.77.0.0/24 port 10000:60000 comment pathcheck
ufw allow out proto udp to fd77::/64 port 10000:60000 comment pathcheck
