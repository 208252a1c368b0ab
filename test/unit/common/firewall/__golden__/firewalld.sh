#!/bin/sh
# Pathcheck: outbound allow rules for firewalld (policy object HOST -> ANY) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the policy "pathcheck"
# Run as root; needs firewalld 0.9+ (policy objects).
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
set -eu
firewall-cmd --permanent --info-policy pathcheck >/dev/null 2>&1 || firewall-cmd --permanent --new-policy pathcheck
firewall-cmd --permanent --policy pathcheck --add-ingress-zone HOST
firewall-cmd --permanent --policy pathcheck --add-egress-zone ANY
firewall-cmd --permanent --policy pathcheck --set-priority -32768
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="203.0.113.0/24" port port="3478" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="203.0.113.0/24" port port="10000-60000" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="198.51.100.128/25" port port="3478" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv4" destination address="198.51.100.128/25" port port="10000-60000" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="2001:db8:40::/48" port port="3478" protocol="udp" accept'
firewall-cmd --permanent --policy pathcheck --add-rich-rule='rule family="ipv6" destination address="2001:db8:40::/48" port port="10000-60000" protocol="udp" accept'
firewall-cmd --reload
