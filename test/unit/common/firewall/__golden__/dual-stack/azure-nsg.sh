#!/bin/sh
# Pathcheck: outbound allow rules for Azure network security group (outbound) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules named pathcheck-*
# Set RG and NSG; priorities 1000+ must be lower (= evaluated earlier) than your outbound deny rules.
set -eu
: "${RG:?set RG to the resource group}"
: "${NSG:?set NSG to the network security group name}"
# pathcheck-udp-1: UDP 3478
#   purpose: TURN over UDP
#   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-1-v4 --priority 1000 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes 10.77.0.10/32 --destination-port-ranges 3478 --description pathcheck
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-1-v6 --priority 1010 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::10/128 --destination-port-ranges 3478 --description pathcheck
# pathcheck-tcp-1: TCP 3478
#   purpose: TURN over TCP
#   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-tcp-1-v4 --priority 1020 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes 10.77.0.10/32 --destination-port-ranges 3478 --description pathcheck
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-tcp-1-v6 --priority 1030 --direction Outbound --access Allow --protocol Tcp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::10/128 --destination-port-ranges 3478 --description pathcheck
# pathcheck-udp-2: UDP 10000-60000
#   purpose: Group media
#   checks: udp-range:group, udp-range:group/v6
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-2-v4 --priority 1040 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes 10.77.0.0/24 --destination-port-ranges 10000-60000 --description pathcheck
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-2-v6 --priority 1050 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes fd77::/64 --destination-port-ranges 10000-60000 --description pathcheck
