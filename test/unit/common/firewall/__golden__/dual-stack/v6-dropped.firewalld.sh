#!/bin/sh
# Pathcheck: outbound allow rules for firewalld (policy object HOST -> ANY) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the policy "pathcheck"
# Run as root; needs firewalld 0.9+ (policy objects).
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
set -eu
firewall-cmd --permanent --info-policy pathcheck >/dev/null 2>&1 || firewall-cmd --permanent --new-policy pathcheck
firewall-cmd --permanent --policy pathcheck --add-ingress-zone HOST
firewall-cmd --permanent --policy pathcheck --add-egress-zone ANY
firewall-cmd --permanent --policy pathcheck --set-priority -32768
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::10/128" port port="3478" protocol="udp" accept'
# pathcheck-tcp-1: TCP 443, 3478
#   purpose: TURN over TCP/TLS, signaling
#   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::10/128" port port="443" protocol="tcp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::10/128" port port="3478" protocol="tcp" accept'
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::/64" port port="10000-60000" protocol="udp" accept'
# pathcheck-udp-3: UDP 10000-65535
#   purpose: Peer-to-peer media
#   checks: udp-range:p2p/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule port port="10000-65535" protocol="udp" accept'
# pathcheck-tcp-2: TCP 10000-65535
#   purpose: Peer-to-peer media over TCP
#   checks: tcp-range:p2p/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule port port="10000-65535" protocol="tcp" accept'
firewall-cmd --reload
