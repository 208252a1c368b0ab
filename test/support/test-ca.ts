import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throw-away CA and a server certificate for `names` (DNS or IP SANs), made with the real openssl.
 * `caName` lets a test play a TLS-inspecting middlebox ("Corp Inspection CA").
 */
export function makeTestPki(names: string[] = ['localhost', '127.0.0.1'], caName = 'Pathcheck Test CA'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pc-pki-'));
  const f = (n: string) => join(dir, n);
  const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=${caName}/O=${caName}`,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ossl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-subj',
    `/CN=${names[0]}`,
    '-keyout',
    f('server.key'),
    '-out',
    f('server.csr'),
  );
  const san = names.map((n) => (/^[\d.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(f('ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  ossl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    f('server.pem'),
    '-extfile',
    f('ext.cnf'),
  );
  return {
    dir,
    caFile: f('ca.pem'),
    certFile: f('server.pem'),
    keyFile: f('server.key'),
    caPem: readFileSync(f('ca.pem'), 'utf8'),
    certPem: readFileSync(f('server.pem'), 'utf8'),
    keyPem: readFileSync(f('server.key'), 'utf8'),
  };
}
