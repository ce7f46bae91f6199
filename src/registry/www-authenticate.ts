/**
 * `WWW-Authenticate` challenges (RFC 7235): `Bearer realm="https://auth.example/token",service="registry",
 * scope="repository:a/b:pull"`, `Basic realm="Registry"`, possibly several in one header.
 */
export interface AuthChallenge {
  /** Lower-case: `bearer`, `basic`... */
  scheme: string;
  /** Parameter names lower-case, values unquoted. */
  parameters: Record<string, string>;
}

export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let position = 0;
  const skipSpace = (): void => {
    while (position < header.length && /[\s,]/.test(header[position])) position++;
  };
  const readToken = (): string => {
    const start = position;
    while (position < header.length && /[!#$%&'*+\-.^_`|~0-9A-Za-z/]/.test(header[position])) position++;
    return header.slice(start, position);
  };
  const readQuoted = (): string => {
    let value = '';
    position++; // opening quote
    while (position < header.length && header[position] !== '"') {
      if (header[position] === '\\' && position + 1 < header.length) position++;
      value += header[position++];
    }
    position++; // closing quote
    return value;
  };

  let current: AuthChallenge | undefined;
  while (true) {
    skipSpace();
    if (position >= header.length) break;
    const token = readToken();
    if (token === '') {
      position++; // a character no grammar allows here: skip it
      continue;
    }
    let look = position;
    while (look < header.length && header[look] === ' ') look++;
    if (header[look] === '=' && current !== undefined) {
      position = look + 1;
      while (position < header.length && header[position] === ' ') position++;
      const value = header[position] === '"' ? readQuoted() : readToken().replace(/=+$/, '');
      current.parameters[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), parameters: {} };
      challenges.push(current);
      // token68 form (`Basic abc==`) carries no parameters we use: skip it.
    }
  }
  return challenges;
}
