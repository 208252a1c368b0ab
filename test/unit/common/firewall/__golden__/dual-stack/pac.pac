// Pathcheck: outbound allow rules for a proxy auto-config (PAC) file (profile lab)
// Opens exactly what the diagnosis found blocked (layer: perimeter).
// Tag: pathcheck - undo: restore the previous PAC file
// No proxy was found in the report: other traffic is left DIRECT; put your proxy in the last return line.
function FindProxyForURL(url, host) {
  // TURN hosts: DIRECT (never through the proxy, never TLS-inspected)
  if (host == "turn.lab.test") return "DIRECT";
  return "DIRECT";
}
