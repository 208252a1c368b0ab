// Types for test/lab/lab.mjs (the network lab driver), so TypeScript tests can import it:
//   import * as lab from './lab.mjs';

export type NatMode = 'none' | 'cone' | 'symmetric';
export type Layer = 'local' | 'perimeter';
export type NamespaceRole = 'client' | 'router' | 'server';

export type ScenarioName =
  | 'open'
  | 'only-udp-10000-60000'
  | 'only-udp-3478'
  | 'only-tcp-443'
  | 'proxy-only'
  | 'blocked'
  | 'nat-cone'
  | 'nat-symmetric'
  | 'tls-inspection'
  | 'tls-inspection-all'
  | 'tls-inspection-tcp-443'
  | 'drop-udp-3478'
  | 'local-drop-udp-3478'
  | 'perimeter-drop-udp-3478'
  | 'udp-partial'
  | 'udp-hole'
  | 'no-udp'
  | 'reject-udp'
  | 'proxy-auth-only'
  | 'v6-dropped'
  | 'v6-only'
  | 'v4-tcp-443-v6-open';

export interface PortRule {
  proto: 'udp' | 'tcp';
  from: number;
  to: number;
}

export interface ScenarioDef {
  description: string;
  /** What the client may open (outbound); 'all' = unfiltered. */
  allow?: 'all' | PortRule[];
  drop?: PortRule[];
  reject?: PortRule[];
  nat?: NatMode;
  /** TCP 443 goes through the TLS-inspecting middlebox: to the TURN servers only ('turn') or to every server ('all'). */
  inspect?: 'turn' | 'all';
  /** Only squid is reachable (true: the open one on ports.proxy; a number: that squid port, e.g. ports.proxyAuth). */
  proxy?: boolean | number;
  /** Drop every IPv6 packet (before the allow list). */
  drop6?: boolean;
  /** IPv6's own allow list; `allow` then applies to IPv4 only. */
  allow6?: 'all' | PortRule[];
  /** The client has no IPv4 default route in this scenario. */
  noIpv4Route?: boolean;
  /** Alias of another scenario with a fixed layer. */
  alias?: string;
  layer?: Layer;
}

export interface ExecResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

export interface UpOptions {
  /** Base NAT for scenarios that do not set one (default 'none'). */
  nat?: NatMode;
  /** Scenario applied after bring-up (default 'open'). */
  scenario?: ScenarioName;
  layer?: Layer;
  /** Leave the lab up when this process exits (the CLI uses it). Default false: torn down on exit/SIGINT/SIGTERM. */
  keep?: boolean;
}

export interface AppliedScenario {
  scenario: ScenarioName;
  layer: Layer;
  nat: NatMode;
  inspect: boolean;
  proxy: boolean;
}

export interface LabStatus {
  up: boolean;
  namespaces: string[];
  daemons: Record<string, { pid: number; alive: boolean }>;
  scenario: ScenarioName | null;
  layer: Layer | null;
  nat: NatMode | null;
  createdAt: string | null;
  runDir: string;
}

export declare const ns: Readonly<{ client: 'pc-client'; router: 'pc-router'; server: 'pc-server' }>;
export declare const addr: Readonly<{
  client: string;
  client6: string;
  routerInside: string;
  routerInside6: string;
  routerOutside: string;
  routerOutside6: string;
  turnA: string;
  turnA6: string;
  turnB: string;
  turnB6: string;
  web: string;
  web6: string;
  clientNet: string;
  clientNet6: string;
  serverNet: string;
  serverNet6: string;
}>;
export declare const hosts: Readonly<Record<string, string>>;
/** AAAA records of the dual-stack names (the lab profile's names have both families). */
export declare const hosts6: Readonly<Record<string, string>>;
export declare const ports: Readonly<{
  stun: number;
  stunAlt: number;
  turnTls: number;
  turnTlsAlt: number;
  restStun: number;
  restTls: number;
  signaling: number;
  relayMin: number;
  relayMax: number;
  reflectorMin: number;
  reflectorMax: number;
  proxy: number;
  proxyAuth: number;
  mitm: Record<string, number>;
  mitm6: Record<string, number>;
}>;
export declare const credentials: Readonly<{ username: string; credential: string; realm: string; restSecret: string }>;
export declare const runDir: string;
export declare const paths: Readonly<{
  dir: string;
  caPem: string;
  mitmCaPem: string;
  serverCert: string;
  serverKey: string;
  profile: string;
  state: string;
  logs: string;
}>;
export declare const proxyUrl: string;
export declare const proxyAuthUrl: string;
export declare const proxyAuthUrlWithCredentials: string;
export declare const proxyAuthCredentials: Readonly<{ username: string; password: string; realm: string }>;
export declare const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDef>>;
export declare const services: ReadonlyArray<{
  name: string;
  where: string;
  ports: string;
  auth?: string;
  relay?: string;
}>;

export declare function scenarioNames(): ScenarioName[];
export declare function up(options?: UpOptions): Promise<{ ms: number; reused: boolean }>;
/** Tears down (no-op with done=false while another live process owns the lab, unless force). */
export declare function down(options?: { force?: boolean }): Promise<{ ms: number; done: boolean }>;
export declare function downSync(options?: { force?: boolean }): boolean;
/** Pid of another live process that owns the lab (holds /run/pathcheck-lab.lock), or null. */
export declare function lockedBy(): number | null;
export declare const lockFile: string;
/** NSS db in <home>/.pki/nssdb trusting the given CA PEMs (default: lab CA), for Debian's Chromium. */
export declare function makeNssDb(home: string, caPems?: string[]): Promise<string>;
export declare function isUp(): boolean;
export declare function status(): LabStatus;
export declare function scenario(
  name: ScenarioName,
  options?: { layer?: Layer; nat?: NatMode },
): Promise<AppliedScenario>;
export declare const applyScenario: typeof scenario;
export declare function setNat(mode: NatMode): Promise<void>;
/** Shapes the client's link both ways (tbf rate, random UDP loss); no options = unshaped. */
export declare function shape(opts?: { rateKbit?: number; udpLossPct?: number; queueMs?: number }): Promise<void>;
export declare function firewallRules(name: ScenarioName, layer: Layer): string;
export declare function exec(which: NamespaceRole | string, argv: string[], options?: ExecOptions): Promise<ExecResult>;
export declare function clientExec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
export declare function routerExec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
export declare function serverExec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
/** Credentials for the TURN REST coturn instance (turn.lab.test:3480 / TLS 5350). */
export declare function turnRestCredentials(
  ttlSeconds?: number,
  user?: string,
): { username: string; credential: string };

declare const lab: {
  up: typeof up;
  down: typeof down;
  downSync: typeof downSync;
  lockedBy: typeof lockedBy;
  makeNssDb: typeof makeNssDb;
  scenario: typeof scenario;
  applyScenario: typeof scenario;
  setNat: typeof setNat;
  shape: typeof shape;
  exec: typeof exec;
  clientExec: typeof clientExec;
  routerExec: typeof routerExec;
  serverExec: typeof serverExec;
  status: typeof status;
  isUp: typeof isUp;
  turnRestCredentials: typeof turnRestCredentials;
  firewallRules: typeof firewallRules;
  scenarioNames: typeof scenarioNames;
  SCENARIOS: typeof SCENARIOS;
  ns: typeof ns;
  addr: typeof addr;
  hosts: typeof hosts;
  hosts6: typeof hosts6;
  ports: typeof ports;
  credentials: typeof credentials;
  paths: typeof paths;
  proxyUrl: typeof proxyUrl;
  services: typeof services;
};
export default lab;
