/**
 * A private X server for headful Chromium (BROWSER_HEADLESS=false) on a machine without a screen.
 * Xvfb picks a free display itself (-displayfd) and exits on its own once its last client leaves
 * (-terminate); this process stays a client for as long as it lives, so Xvfb never outlives the
 * worker, however the worker ends (a SIGKILL included), and survives Chromium's restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface VirtualDisplayOptions {
  width: number;
  height: number;
  /** Called once if the X server goes away while we still need it. */
  onLost: (reason: string) => void;
  /** Program to run; default `Xvfb` from PATH. */
  command?: string;
}

// The X11 connection setup without authorisation: byte order 'l' (little-endian), protocol 11.0,
// empty auth name and data. Xvfb started without -auth accepts local clients.
const SETUP = Buffer.from([0x6c, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export class VirtualDisplay {
  private closing = false;

  private constructor(
    /** ":<n>", for Chromium's --display. */
    readonly display: string,
    private readonly proc: ChildProcess,
    private readonly client: Socket,
  ) {}

  get pid(): number | undefined {
    return this.proc.pid;
  }

  static async start(opts: VirtualDisplayOptions): Promise<VirtualDisplay> {
    const command = opts.command ?? 'Xvfb';
    // -nolisten tcp: only local clients, over the socket in /tmp/.X11-unix.
    const proc = spawn(command, ['-displayfd', '3', '-screen', '0', `${opts.width}x${opts.height}x24`, '-nolisten', 'tcp', '-terminate'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const displayFd = proc.stdio[3] as Readable | null;
    let number: string;
    try {
      number = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`Xvfb did not report its display within 15 s: ${stderr.trim()}`)), 15_000);
        proc.once('error', (err: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(
            err.code === 'ENOENT'
              ? new Error(`BROWSER_HEADLESS=false runs Chromium under Xvfb, and \`${command}\` is not installed (Debian: apt-get install xvfb; ./dev installs it when BROWSER_HEADLESS=false)`)
              : err,
          );
        });
        proc.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`Xvfb exited (code ${code}, signal ${signal}) before it was ready: ${stderr.trim()}`));
        });
        displayFd?.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^(\d+)\n/.exec(out);
          if (m?.[1] !== undefined) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    proc.removeAllListeners('exit');
    let client: Socket;
    try {
      client = await holdConnection(`/tmp/.X11-unix/X${number}`);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`could not connect to Xvfb on display :${number}: ${(err as Error).message}`);
    }
    const vd = new VirtualDisplay(`:${number}`, proc, client);
    proc.once('exit', (code, signal) => {
      if (!vd.closing) opts.onLost(`Xvfb on display :${number} exited (code ${code}, signal ${signal})`);
    });
    return vd;
  }

  /** Lets Xvfb go: it exits once Chromium has disconnected too; SIGTERM makes sure. */
  async stop(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.client.destroy();
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** Connects as an X client and waits for the server's answer (1: accepted). */
function holdConnection(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer to the connection setup within 10 s'));
    }, 10_000);
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.once('connect', () => sock.write(SETUP));
    sock.once('data', (d: Buffer) => {
      clearTimeout(timer);
      if (d[0] !== 1) {
        sock.destroy();
        reject(new Error(`the X server refused the connection (status ${d[0]})`));
        return;
      }
      // Further replies are read and dropped, so the server never blocks writing to us.
      sock.on('data', () => undefined);
      sock.removeAllListeners('error');
      sock.on('error', () => undefined);
      resolve(sock);
    });
  });
}
