@echo off
REM Pathcheck: outbound allow rules for Windows Firewall (netsh, elevated cmd) (profile lab)
REM Opens exactly what the diagnosis found blocked (layer: perimeter).
REM Tag: pathcheck - undo deletes the rules named pathcheck-*
REM pathcheck-udp-1: UDP 3478
REM   purpose: TURN over UDP
REM   checks: turn:udp:turn.lab.test:3478, stun:udp:turn.lab.test:3478, turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-1" dir=out action=allow protocol=UDP remoteip=10.77.0.10/32,fd77::10/128 remoteport=3478 description="pathcheck"
REM pathcheck-tcp-1: TCP 3478
REM   purpose: TURN over TCP
REM   checks: turn:tcp:turn.lab.test:3478, turn:tcp:turn.lab.test:3478/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-tcp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-tcp-1" dir=out action=allow protocol=TCP remoteip=10.77.0.10/32,fd77::10/128 remoteport=3478 description="pathcheck"
REM pathcheck-udp-2: UDP 10000-60000
REM   purpose: Group media
REM   checks: udp-range:group, udp-range:group/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-2" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-2" dir=out action=allow protocol=UDP remoteip=10.77.0.0/24,fd77::/64 remoteport=10000-60000 description="pathcheck"
