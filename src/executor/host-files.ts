/**
 * The /etc/hosts and /etc/resolv.conf a run sees, written into the run's private directory and bind-mounted
 * read-only (as BuildKit does), so nothing the process does to them reaches the layer.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Docker's fallback when the host has no resolv.conf. */
const FALLBACK_RESOLV_CONF = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';

export function hostsFileText(hostname: string): string {
  return `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
}

/** The host's resolv.conf as it is, for both network modes (Docker copies it too; with `none` it is inert). */
export async function resolvConfText(hostResolvConf = '/etc/resolv.conf'): Promise<string> {
  return readFile(hostResolvConf, 'utf8').catch(() => FALLBACK_RESOLV_CONF);
}

export interface HostFiles {
  readonly hosts: string;
  readonly resolvConf: string;
}

export async function writeHostFiles(dir: string, hostname: string): Promise<HostFiles> {
  const files = { hosts: path.join(dir, 'hosts'), resolvConf: path.join(dir, 'resolv.conf') };
  await Promise.all([writeFile(files.hosts, hostsFileText(hostname), { mode: 0o644 }), writeFile(files.resolvConf, await resolvConfText(), { mode: 0o644 })]);
  return files;
}
