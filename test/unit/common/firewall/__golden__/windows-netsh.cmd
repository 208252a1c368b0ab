@echo off
REM Pathcheck: outbound allow rules for Windows Firewall (netsh, elevated cmd) (profile lab)
REM Opens exactly what the diagnosis found blocked (layer: perimeter).
REM Tag: pathcheck - undo deletes the rules named pathcheck-*
REM pathcheck-udp-1: turn.example.com, media.example.com covered by the profile's address ranges
REM pathcheck-udp-1: UDP 3478, 10000-60000
REM   purpose: TURN over UDP, Group media
REM   checks: turn:udp:turn.example.com:3478, udp-range:group
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-1" dir=out action=allow protocol=UDP remoteip=203.0.113.0/24,198.51.100.128/25,2001:db8:40::/48 remoteport=3478,10000-60000 description="pathcheck"
