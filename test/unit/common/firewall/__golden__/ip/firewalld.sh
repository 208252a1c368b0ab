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
#   checks: turn:udp:192.0.2.10:3478
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="192.0.2.10" port port="3478" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="2001:db8::10" port port="3478" protocol="udp" accept'
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="192.0.2.30" port port="10000-60000" protocol="udp" accept'
# pathcheck-tcp-1: TCP 443
#   purpose: TURN over TLS
#   checks: turn:tls:[2001:db8::10]:443
#   blocked at: proxy
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="2001:db8::10" port port="443" protocol="tcp" accept'
firewall-cmd --reload
