#!/bin/sh
# Pathcheck: outbound allow rules for ufw (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Only needed when ufw denies outgoing traffic (ufw status verbose: "deny (outgoing)").
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
set -eu
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
ufw allow out proto udp to 203.0.113.0/24 port 3478,10000:60000 comment pathcheck
ufw allow out proto udp to 198.51.100.128/25 port 3478,10000:60000 comment pathcheck
ufw allow out proto udp to 2001:db8:40::/48 port 3478,10000:60000 comment pathcheck
