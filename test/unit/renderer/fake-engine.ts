import type { DiagnosisEngine } from '#main/ipc/handlers';

/**
 * An engine for UI tests: emits a plan, one result at once and one a tick later, then runs until
 * it is cancelled. Real diagnoses are tested in electron/node and the lab.
 */
export const scriptedEngine: DiagnosisEngine = {
  diagnose: (_profile, { runId, onEvent, signal }) => {
    onEvent({
      type: 'plan',
      runId,
      checks: [
        {
          id: 'dns:global.turn.twilio.com',
          kind: 'dns',
          label: 'DNS global.turn.twilio.com',
          host: 'global.turn.twilio.com',
        },
        {
          id: 'turn:udp:global.turn.twilio.com:3478',
          kind: 'turn',
          label: 'TURN over UDP global.turn.twilio.com:3478',
          transport: 'udp',
          host: 'global.turn.twilio.com',
          port: 3478,
        },
      ],
    });
    onEvent({
      type: 'check',
      runId,
      result: {
        id: 'dns:global.turn.twilio.com',
        kind: 'dns',
        status: 'pass',
        reason: 'ok',
        detail: 'Resolved to 2 addresses.',
        evidence: {},
        rttMs: 4,
      },
    });
    setTimeout(() =>
      onEvent({
        type: 'check',
        runId,
        result: {
          id: 'turn:udp:global.turn.twilio.com:3478',
          kind: 'turn',
          transport: 'udp',
          status: 'fail',
          reason: 'timeout',
          detail: 'No answer within 3 s.',
          evidence: {},
        },
      }),
    );
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
  },
};
