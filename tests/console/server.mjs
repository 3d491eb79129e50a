// SPDX-License-Identifier: MIT
// A throwaway restauthd for the browser tests: a temporary store with one account (e-mail and
// password for the console, one credential pair made by the CLI), a self-signed certificate,
// HTTPS on a free port of 127.0.0.1. Stopped by its PID.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EMAIL = 'owner@example.com';
export const PASSWORD = 'a long test password 42';

export function binary() {
  const path = process.env.RESTAUTHD || join(REPO, 'build', 'bin', 'restauthd');
  if (!existsSync(path)) throw new Error(`restauthd not found at ${path} (set RESTAUTHD)`);
  return path;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export class Server {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'ra-console-'));
    this.store = `sqlite:${join(this.dir, 'ra.db')}`;
    this.cert = join(this.dir, 'cert.pem');
    this.key = join(this.dir, 'key.pem');
    this.bin = binary();
    this.proc = null;
    this.port = 0;
  }

  cli(...args) {
    return execFileSync(this.bin, [...args, '--store', this.store],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  // Create the store, the account and its first pair (made by the CLI, secret shown once).
  init() {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', this.key, '-out', this.cert], { stdio: 'ignore' });
    this.cli('init');
    const pwFile = join(this.dir, 'password.txt');
    writeFileSync(pwFile, PASSWORD + '\n', { mode: 0o600 });
    this.cli('account', 'add', 'owner', '--email', EMAIL, '--password-file', pwFile);
    rmSync(pwFile);
    this.cli('secret', 'add', '--account', 'owner');
  }

  async start(...extra) {
    this.port = await freePort();
    this.proc = spawn(this.bin, ['serve', '--store', this.store, '--listen',
      `127.0.0.1:${this.port}`, '--tls-cert', this.cert, '--tls-key', this.key,
      '--access-log', 'off', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`restauthd did not start: ${stderr}`)), 10000);
      this.proc.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('listening on')) {
          clearTimeout(timer);
          ok();
        }
      });
      this.proc.once('exit', (code) => fail(new Error(`restauthd exited ${code}: ${stderr}`)));
    });
    this.url = `https://127.0.0.1:${this.port}`;
    return this;
  }

  // SIGTERM by PID, then wait for the exit; the temporary directory is removed.
  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((ok) => this.proc.once('exit', ok));
      process.kill(this.proc.pid, 'SIGTERM');
      await exited;
    }
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
