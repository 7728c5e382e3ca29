import { createServer, connect } from 'node:net';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { commandLine, StartError, type ServiceHandle } from './proc.js';

const handedOut = new Set<number>();

/** True when 127.0.0.1:port can be bound right now. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1. Picked at random below the kernel's ephemeral range (which
 * outgoing connections use) and never handed out twice by this process, so stacks started side
 * by side do not collide.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if (await isPortFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('devstack: no free port found in 20000-31999');
}

/** Resolves true as soon as host:port accepts a TCP connection. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Which process listens on a TCP port (from /proc), for error messages. */
export function whoListens(port: number): { pid: number; cmd: string } | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (!local || state !== '0A' || !inode) continue;
      const hexPort = local.split(':').pop();
      if (hexPort !== undefined && parseInt(hexPort, 16) === port) inodes.add(inode);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m?.[1] !== undefined && inodes.has(m[1])) return { pid: Number(entry), cmd: commandLine(Number(entry)) };
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return { pid: 0, cmd: '(unknown process, maybe another user)' };
}

/** Starts a service; if its port was picked by us and it lost a race for it, tries other ports. */
export async function startWithPortRetry<H extends ServiceHandle>(fixed: number | undefined, make: (port: number) => H): Promise<H> {
  for (let attempt = 1; ; attempt++) {
    const handle = make(fixed ?? (await freePort()));
    try {
      await handle.start();
      return handle;
    } catch (err) {
      const lostRace = err instanceof StartError && err.exitedEarly && /in use|EADDRINUSE|bind/i.test(err.logTail);
      if (fixed !== undefined || !lostRace || attempt >= 3) throw err;
    }
  }
}
