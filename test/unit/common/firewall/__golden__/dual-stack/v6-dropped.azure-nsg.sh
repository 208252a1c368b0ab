#!/bin/sh
# Pathcheck: outbound allow rules for Azure network security group (outbound) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules named pathcheck-*
# Set RG and NSG; priorities 1000+ must be lower (= evaluated earlier) than your outbound deny rules.
# pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
# pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
set -eu
: "${RG:?set RG to the resource group}"
: "${NSG:?set NSG to the network security group name}"
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-1-v6 --priority 1000 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::10/128 --destination-port-ranges 3478 --description pathcheck
# pathcheck-tcp-1: TCP 443, 3478
#   purpose: TURN over TCP/TLS, signaling
#   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-tcp-1-v6 --priority 1010 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::10/128 --destination-port-ranges 443 3478 --description pathcheck
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-2-v6 --priority 1020 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::/64 --destination-port-ranges 10000-60000 --description pathcheck
# pathcheck-udp-3: UDP 10000-65535
#   purpose: Peer-to-peer media
#   checks: udp-range:p2p/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-3 --priority 1030 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes '*' --destination-port-ranges 10000-65535 --description pathcheck
# pathcheck-tcp-2: TCP 10000-65535
#   purpose: Peer-to-peer media over TCP
#   checks: tcp-range:p2p/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-tcp-2 --priority 1040 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes '*' --destination-port-ranges 10000-65535 --description pathcheck
