import { isIP } from 'node:net';

/** A port spec that BuildKit's `parsePortSpec` refuses; `message` is BuildKit's. */
export class PortSpecError extends Error {
  override readonly name = 'PortSpecError';
}

/** Go's `strconv.ParseUint(text, 10, 16)`. */
function parsePort(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 0xffff ? value : undefined;
}

/** `8000` or `8000-8010`. */
function parsePortRange(text: string): [number, number] | undefined {
  if (text === '') return undefined;
  if (!text.includes('-')) {
    const port = parsePort(text);
    return port === undefined ? undefined : [port, port];
  }
  const parts = text.split('-');
  if (parts.length !== 2) return undefined;
  const start = parsePort(parts[0]);
  const end = parsePort(parts[1]);
  if (start === undefined || end === undefined || end < start) return undefined;
  return [start, end];
}

function splitParts(raw: string): { ip: string; hostPort: string; containerPort: string } {
  const parts = raw.split(':');
  if (parts.length === 1) return { ip: '', hostPort: '', containerPort: parts[0] };
  if (parts.length === 2) return { ip: '', hostPort: parts[0], containerPort: parts[1] };
  const n = parts.length;
  return { ip: parts.slice(0, n - 2).join(':'), hostPort: parts[n - 2], containerPort: parts[n - 1] };
}

/**
 * BuildKit's `parsePortSpec`: `[ip:][hostPort:]port[-end][/proto]` → `port/proto` entries (`tcp` by default, a
 * range expanded to every port in it). Host parts are checked and then dropped, as BuildKit does.
 */
export function parsePortSpec(raw: string): string[] {
  const { ip: rawIp, hostPort, containerPort: withProto } = splitParts(raw);
  const slash = withProto.indexOf('/');
  const port = slash === -1 ? withProto : withProto.slice(0, slash);
  let proto = slash === -1 ? '' : withProto.slice(slash + 1).toLowerCase();
  if (port === '') throw new PortSpecError(`no port specified: ${withProto}<empty>`);
  if (proto === '') proto = 'tcp';
  else if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new PortSpecError(`invalid proto: ${proto}`);

  let ip = rawIp;
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new PortSpecError(`invalid IP address ${ip}`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) throw new PortSpecError(`invalid IP address: ${ip}`);

  const range = parsePortRange(port);
  if (range === undefined) throw new PortSpecError(`invalid containerPort: ${port}`);
  if (hostPort !== '') {
    const hostRange = parsePortRange(hostPort);
    if (hostRange === undefined) throw new PortSpecError(`invalid hostPort: ${hostPort}`);
    if (range[1] - range[0] !== hostRange[1] - hostRange[0] && range[1] !== range[0]) {
      throw new PortSpecError(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
    }
  }
  const ports: string[] = [];
  for (let value = range[0]; value <= range[1]; value++) ports.push(`${value}/${proto}`);
  return ports;
}

/** BuildKit's `parsePortSpecs`: every spec in order. */
export function parsePortSpecs(specs: readonly string[]): string[] {
  return specs.flatMap(parsePortSpec);
}
