#!/bin/sh
# Pathcheck: outbound allow rules for iptables/ip6tables (OUTPUT chain) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules with comment "pathcheck"
# Run as root. Rules are inserted at the top of OUTPUT.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
set -eu
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
iptables -I OUTPUT -p udp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
iptables -I OUTPUT -p tcp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp -d fd77::10/128 --dport 3478 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p tcp -d fd77::10/128 -m multiport --dports 443,3478 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp -d fd77::/64 --dport 10000:60000 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p udp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
ip6tables -I OUTPUT -p tcp --dport 10000:65535 -m comment --comment pathcheck -j ACCEPT
