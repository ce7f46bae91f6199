/** Bearer tokens by registry and scope set, until they expire (less a margin for the time a request takes). */
export class TokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  static key(registry: string, scopes: readonly string[]): string {
    return `${registry} ${[...scopes].sort().join(' ')}`;
  }

  get(key: string): string | undefined {
    const entry = this.tokens.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: string, lifetimeMs: number): void {
    const margin = Math.min(10_000, lifetimeMs / 4);
    this.tokens.set(key, { token, expiresAt: this.now() + lifetimeMs - margin });
  }

  delete(key: string): void {
    this.tokens.delete(key);
  }
}
