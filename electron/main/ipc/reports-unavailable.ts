import type { Handlers } from '#common/ipc/contract';
import { FirewallErrorCode } from '#common/ipc/firewall';
import { HistoryErrorCode } from '#common/ipc/history';
import { fail } from '#common/ipc/result';

const noHistory = async () =>
  fail<never>(HistoryErrorCode.unavailable, 'Report history is not available in this build.');
const noFirewall = async () =>
  fail<never>(FirewallErrorCode.unavailable, 'Firewall fixes are not available in this build.');

/** What the history/report/firewall channels answer when main was built without their dependencies. */
export const unavailableReportsHandlers = {
  history: {
    'history:list': noHistory,
    'history:open': noHistory,
    'history:delete': noHistory,
    'history:import': noHistory,
    'history:export-json': noHistory,
    'history:summary': noHistory,
    'report:pdf': noHistory,
    'report:compare': noHistory,
  },
  firewall: {
    'firewall:plan': noFirewall,
    'firewall:apply': noFirewall,
    'firewall:undo': noFirewall,
    'firewall:recheck': noFirewall,
    'firewall:ticket': noFirewall,
  },
} satisfies { history: Partial<Handlers>; firewall: Partial<Handlers> };
