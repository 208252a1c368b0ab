@echo off
REM Pathcheck: outbound allow rules for Windows Firewall (netsh, elevated cmd) (profile lab)
REM Opens exactly what the diagnosis found blocked (layer: perimeter).
REM Tag: pathcheck - undo deletes the rules named pathcheck-*
REM pathcheck-udp-3: the report names no destination, so this rule allows any destination on these ports
REM pathcheck-tcp-2: the report names no destination, so this rule allows any destination on these ports
REM pathcheck-udp-1: UDP 3478
REM   purpose: TURN over UDP
REM   checks: turn:udp:turn.lab.test:3478/v6, stun:udp:turn.lab.test:3478/v6, relay:udp:turn.lab.test:3478/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-1" dir=out action=allow protocol=UDP remoteip=fd77::10/128 remoteport=3478 description="pathcheck"
REM pathcheck-tcp-1: TCP 443, 3478
REM   purpose: TURN over TCP/TLS, signaling
REM   checks: tcp:sig.lab.test:443/v6, tls:sig.lab.test:443/v6, turn:tcp:turn.lab.test:3478/v6, turn:tls:turn.lab.test:443/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-tcp-1" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-tcp-1" dir=out action=allow protocol=TCP remoteip=fd77::10/128 remoteport=443,3478 description="pathcheck"
REM pathcheck-udp-2: UDP 10000-60000
REM   purpose: Group media
REM   checks: udp-range:group/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-2" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-2" dir=out action=allow protocol=UDP remoteip=fd77::/64 remoteport=10000-60000 description="pathcheck"
REM pathcheck-udp-3: UDP 10000-65535
REM   purpose: Peer-to-peer media
REM   checks: udp-range:p2p/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-udp-3" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-udp-3" dir=out action=allow protocol=UDP remoteport=10000-65535 description="pathcheck"
REM pathcheck-tcp-2: TCP 10000-65535
REM   purpose: Peer-to-peer media over TCP
REM   checks: tcp-range:p2p/v6
REM   blocked at: perimeter
netsh advfirewall firewall delete rule name="pathcheck-tcp-2" dir=out >nul 2>&1
netsh advfirewall firewall add rule name="pathcheck-tcp-2" dir=out action=allow protocol=TCP remoteport=10000-65535 description="pathcheck"
