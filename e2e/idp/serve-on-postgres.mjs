// Runs `partnerdesk serve` the way an operator would: on an external
// PostgreSQL cluster, here one this script creates for the e2e run in a fresh
// directory under the system temp dir (initdb + pg_ctl, as the postgres user
// when running as root; reached over a Unix socket in that directory, so no
// TCP port can collide). On SIGTERM/SIGINT, or when serve exits, it stops
// serve, stops the cluster and removes the directory.
//
// Usage: node idp/serve-on-postgres.mjs <partnerdesk binary>
// Everything else reaches serve through the environment (PARTNERDESK_*);
// PARTNERDESK_DATABASE_URL is set here.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const binary = process.argv[2];
if (!binary) {
  console.error('serve-on-postgres: usage: serve-on-postgres.mjs <partnerdesk binary>');
  process.exit(2);
}

function pgBinDir() {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config: look where Debian puts the server binaries
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? execFileSync('ls', [root], { encoding: 'utf8' }).split('\n').filter(Boolean) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(root, v, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error('serve-on-postgres: PostgreSQL server binaries (initdb, pg_ctl) not found; `make deps-postgres` installs them');
}

const asRoot = process.getuid?.() === 0;
const bin = pgBinDir();
const dir = mkdtempSync(path.join(tmpdir(), 'partnerdesk-e2e-pg-'));
const dataDir = path.join(dir, 'data');

/** Runs a PostgreSQL server program as the cluster's owner (postgres when we are root). */
function pg(program, args) {
  const exe = path.join(bin, program);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
  execFileSync(cmd, argv, { cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
}

let clusterStarted = false;
function cleanUp() {
  if (clusterStarted) {
    try {
      pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } catch (err) {
      console.error(`serve-on-postgres: stopping the cluster: ${err.message}`);
    }
    clusterStarted = false;
  }
  rmSync(dir, { recursive: true, force: true });
}

try {
  chmodSync(dir, 0o755);
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  pg('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions']);
  // Unix socket only, in our own directory.
  pg('pg_ctl', ['-D', dataDir, '-w', '-l', path.join(dir, 'postgres.log'), '-o', `-c listen_addresses= -c unix_socket_directories=${dir}`, 'start']);
  clusterStarted = true;
  execFileSync(path.join(bin, 'createdb'), ['-h', dir, '-U', 'postgres', 'partnerdesk'], { cwd: '/', stdio: 'inherit' });
} catch (err) {
  console.error(`serve-on-postgres: could not start PostgreSQL: ${err.message}`);
  cleanUp();
  process.exit(1);
}
console.log(`serve-on-postgres: PostgreSQL cluster in ${dataDir}`);

const serve = spawn(binary, ['serve'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    PARTNERDESK_DATABASE_URL: `postgres://postgres@/partnerdesk?host=${encodeURIComponent(dir)}&sslmode=disable`,
  },
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (serve.exitCode === null && serve.signalCode === null) serve.kill(signal);
}
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => stop(sig));

serve.on('exit', (code, signal) => {
  if (!stopping) console.error(`serve-on-postgres: partnerdesk serve exited (${signal ?? code})`);
  cleanUp();
  process.exit(stopping ? 0 : (code ?? 1));
});
