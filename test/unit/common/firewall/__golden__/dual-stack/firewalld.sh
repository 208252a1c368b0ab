#!/bin/sh
# Pathcheck: outbound allow rules for firewalld (policy object HOST -> ANY) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the policy "pathcheck"
# Run as root; needs firewalld 0.9+ (policy objects).
set -eu
firewall-cmd --permanent --info-policy pathcheck >/dev/null 2>&1 || firewall-cmd --permanent --new-policy pathcheck
firewall-cmd --permanent --policy pathcheck --add-ingress-zone HOST
firewall-cmd --permanent --policy pathcheck --add-egress-zone ANY
firewall-cmd --permanent --policy pathcheck --set-priority -32768
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="10.77.0.10/32" port port="3478" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::10/128" port port="3478" protocol="udp" accept'
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="10.77.0.10/32" port port="3478" protocol="tcp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::10/128" port port="3478" protocol="tcp" accept'
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="10.77.0.0/24" port port="10000-60000" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="fd77::/64" port port="10000-60000" protocol="udp" accept'
firewall-cmd --reload
