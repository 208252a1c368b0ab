#!/bin/sh
# Pathcheck: outbound allow rules for ufw (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Only needed when ufw denies outgoing traffic (ufw status verbose: "deny (outgoing)").
set -eu
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:192.0.2.10:3478
#   blocked at: perimeter
ufw allow out proto udp to 192.0.2.10 port 3478 comment pathcheck
ufw allow out proto udp to 2001:db8::10 port 3478 comment pathcheck
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group
#   blocked at: perimeter
ufw allow out proto udp to 192.0.2.30 port 10000:60000 comment pathcheck
# pathcheck-tcp-1: TCP 443
#   purpose: TURN over TLS
#   checks: turn:tls:[2001:db8::10]:443
#   blocked at: proxy
ufw allow out proto tcp to 2001:db8::10 port 443 comment pathcheck
