/** Public surface of the STUN/TURN module: probes for the engine, codec for tests and tools. */
export type { ProbeOutcome, ProbeStatus, ProbeOptions, StunEndpoint, StunTransport, TlsProbeOptions } from './types';
export { stunBinding, transact, type BindingOptions, type BindingEvidence } from './client';
export { turnAllocate, type TurnOptions, type TurnCredentials, type AllocateEvidence } from './turn';
export { turnRelayProbe, type RelayProbeEvidence } from './relay-probe';
export { natBehavior, type NatOptions, type NatEvidence, type NatBehaviour } from './nat';
export * from './codec';
export * from './attributes';
export * from './constants';
export * from './address';
export { StunDecodeError, type StunDecodeErrorCode } from './errors';
export { ProbeError, ProbeScope } from './transport';
