/**
 * The single-line CSV reading BuildKit applies to `--mount` and `--device` values (go-csvvalue, which behaves like
 * Go's `encoding/csv` on one record): fields split on commas; a field starting with `"` is quoted, `""` inside it is
 * one quote; a quote anywhere else is an error. An empty value has no record at all.
 */
export type CsvResult = { ok: true; fields: string[] } | { ok: false; message: string };

function parseError(column: number, problem: string): CsvResult {
  return { ok: false, message: `parse error on line 1, column ${column}: ${problem}` };
}

export function csvFields(input: string): CsvResult {
  let line = input;
  if (line.endsWith('\r\n')) line = line.slice(0, -2);
  else if (line.endsWith('\n')) line = line.slice(0, -1);
  if (line === '') return { ok: false, message: 'EOF' };

  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    if (line[pos] !== '"') {
      const comma = line.indexOf(',', pos);
      const field = comma === -1 ? line.slice(pos) : line.slice(pos, comma);
      const quote = field.indexOf('"');
      if (quote !== -1) return parseError(pos + quote + 1, 'bare " in non-quoted-field');
      fields.push(field);
      if (comma === -1) return { ok: true, fields };
      pos = comma + 1;
      continue;
    }
    // Quoted field.
    pos++;
    let field = '';
    for (;;) {
      const quote = line.indexOf('"', pos);
      if (quote === -1) return parseError(pos + 1, 'extraneous or missing " in quoted-field');
      field += line.slice(pos, quote);
      pos = quote + 1;
      const next = line[pos];
      if (next === '"') {
        field += '"';
        pos++;
      } else if (next === ',') {
        fields.push(field);
        pos++;
        break;
      } else if (next === undefined) {
        fields.push(field);
        return { ok: true, fields };
      } else {
        return parseError(pos, 'extraneous or missing " in quoted-field');
      }
    }
  }
}
