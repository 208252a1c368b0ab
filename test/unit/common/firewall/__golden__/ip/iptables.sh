#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
set -eu
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
iptables -I OUTPUT -p udp -d 192.0.2.10 --dport 3478 -m comment --comment pathcheck -j ACCEPT
iptables -I OUTPUT -p udp -d 192.0.2.30 --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp -d 2001:db8::10 --dport 3478 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p tcp -d 2001:db8::10 --dport 443 -m comment --comment pathcheck -j ACCEPT
