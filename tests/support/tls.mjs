// Throwaway TLS certificates for the suites, made with the `openssl` CLI at test time:
//
//   const ca = createTestCA();                                      // ca.certFile: PEM for ca_file
//   const server = ca.issueServerCert({ altNames: ['IP:127.0.0.1', 'DNS:localhost'] });
//   const mock = await startOpenAIMock({ tls: { key: server.key, cert: server.cert } });
//
// Everything lives in a temp dir that is removed when the test process exits. Keys are P-256
// (fast to generate); certificates are valid for two days from now.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { makeTempDir } from './gateway.mjs';

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args, cwd) {
  try {
    return execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    if (err.code === 'ENOENT') throw new Error('the openssl CLI is needed to make test certificates');
    throw new Error(`openssl ${args.join(' ')} failed:\n${err.stderr ?? err.message}`);
  }
}

/** A random positive, non-zero 64-bit serial number in hex. */
function serial() {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return `0x${bytes.toString('hex')}`;
}

/**
 * Creates a self-signed CA (key + certificate) in a fresh temp dir. Returns
 * { dir, certFile, keyFile, cert, issueServerCert }.
 */
export function createTestCA({ commonName = 'Switchyard Test CA' } = {}) {
  const dir = makeTempDir();
  const certFile = path.join(dir, 'ca.pem');
  const keyFile = path.join(dir, 'ca.key');
  openssl(
    [
      'req', '-x509', ...KEY_ARGS, '-keyout', keyFile, '-out', certFile,
      '-days', '2', '-subj', `/CN=${commonName}`, '-set_serial', serial(),
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  let issued = 0;

  /**
   * A server certificate signed by this CA. altNames: subjectAltName entries such as
   * 'IP:127.0.0.1' or 'DNS:localhost' (the CN is the first name and is not used for matching).
   * Returns { certFile, keyFile, cert, key } (PEM text in cert/key).
   */
  function issueServerCert({ altNames = ['IP:127.0.0.1', 'DNS:localhost'] } = {}) {
    const name = `server-${++issued}`;
    const files = Object.fromEntries(['key', 'csr', 'pem', 'ext'].map((ext) => [ext, path.join(dir, `${name}.${ext}`)]));
    const commonName = altNames[0].replace(/^[A-Za-z]+:/, '');
    openssl(['req', ...KEY_ARGS, '-keyout', files.key, '-out', files.csr, '-subj', `/CN=${commonName}`], dir);
    writeFileSync(
      files.ext,
      [
        `subjectAltName=${altNames.join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    openssl(
      [
        'x509', '-req', '-in', files.csr, '-CA', certFile, '-CAkey', keyFile, '-set_serial', serial(),
        '-days', '2', '-sha256', '-extfile', files.ext, '-out', files.pem,
      ],
      dir,
    );
    return {
      certFile: files.pem,
      keyFile: files.key,
      cert: readFileSync(files.pem, 'utf8'),
      key: readFileSync(files.key, 'utf8'),
    };
  }

  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), issueServerCert };
}
