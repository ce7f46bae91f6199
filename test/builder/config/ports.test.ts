import { describe, expect, it } from 'vitest';
import { parsePortSpec, parsePortSpecs, PortSpecError } from '../../../src/builder/config/index.js';

function failure(spec: string): string {
  try {
    parsePortSpec(spec);
  } catch (error) {
    if (error instanceof PortSpecError) return error.message;
    throw error;
  }
  throw new Error(`${spec} parsed`);
}

describe('parsePortSpec (BuildKit)', () => {
  it('defaults to tcp and lower-cases the protocol', () => {
    expect(parsePortSpec('80')).toEqual(['80/tcp']);
    expect(parsePortSpec('53/UDP')).toEqual(['53/udp']);
    expect(parsePortSpec('9/sctp')).toEqual(['9/sctp']);
    expect(parsePortSpec('0')).toEqual(['0/tcp']);
  });

  it('expands ranges', () => {
    expect(parsePortSpec('3000-3002/udp')).toEqual(['3000/udp', '3001/udp', '3002/udp']);
    expect(parsePortSpecs(['1', '2-3'])).toEqual(['1/tcp', '2/tcp', '3/tcp']);
  });

  it('accepts and drops host parts', () => {
    expect(parsePortSpec('8080:80')).toEqual(['80/tcp']);
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual(['80/udp']);
    expect(parsePortSpec('[::1]:8080:80')).toEqual(['80/tcp']);
    expect(parsePortSpec('8000-8001:80')).toEqual(['80/tcp']);
  });

  it('refuses what BuildKit refuses, with its messages', () => {
    expect(failure('/tcp')).toBe('no port specified: /tcp<empty>');
    expect(failure('80/http')).toBe('invalid proto: http');
    expect(failure('65536')).toBe('invalid containerPort: 65536');
    expect(failure('90-80')).toBe('invalid containerPort: 90-80');
    expect(failure('1-2-3')).toBe('invalid containerPort: 1-2-3');
    expect(failure('abc')).toBe('invalid containerPort: abc');
    expect(failure('x:80')).toBe('invalid hostPort: x');
    expect(failure('1.2.3:80:80')).toBe('invalid IP address: 1.2.3');
    expect(failure('8000-8002:80-81')).toBe('invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
  });
});
