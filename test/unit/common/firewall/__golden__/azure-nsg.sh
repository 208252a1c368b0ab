#!/bin/sh
# Pathcheck: outbound allow rules for Azure network security group (outbound) (profile lab)
# Opens exactly what the diagnosis found blocked (layer: perimeter).
# Tag: pathcheck - undo deletes the rules named pathcheck-*
# Set RG and NSG; priorities 1000+ must be lower (= evaluated earlier) than your outbound deny rules.
# pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
set -eu
: "${RG:?set RG to the resource group}"
: "${NSG:?set NSG to the network security group name}"
# pathcheck-udp-1: UDP 3478, 10000-60000
#   purpose: TURN over UDP, Group media
#   checks: turn:udp:turn.example.com:3478, udp-range:group
#   blocked at: perimeter
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-1-v4 --priority 1000 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes 203.0.113.0/24 198.51.100.128/25 --destination-port-ranges 3478 10000-60000 --description pathcheck
az network nsg rule create --resource-group "$RG" --nsg-name "$NSG" --name pathcheck-udp-1-v6 --priority 1010 --direction Outbound --access Allow --protocol Udp --source-address-prefixes '*' --source-port-ranges '*' --destination-address-prefixes 2001:db8:40::/48 --destination-port-ranges 3478 10000-60000 --description pathcheck
