/**
 * The comma-separated fields of a `--mount` value as Go's `encoding/csv` reads one record, and back. BuildKit
 * expands each `key=value` field's value on its own, so the fields are split, expanded and joined again before
 * the mount is parsed once more.
 */

export function splitCsvRecord(text: string): string[] | undefined {
  const fields: string[] = [];
  let index = 0;
  for (;;) {
    if (text[index] === '"') {
      let value = '';
      index++;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote === -1) return undefined;
        value += text.slice(index, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          index = quote + 2;
          continue;
        }
        index = quote + 1;
        break;
      }
      fields.push(value);
      if (index === text.length) return fields;
      if (text[index] !== ',') return undefined;
      index++;
    } else {
      const comma = text.indexOf(',', index);
      const value = comma === -1 ? text.slice(index) : text.slice(index, comma);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma === -1) return fields;
      index = comma + 1;
    }
  }
}

export function joinCsvRecord(fields: readonly string[]): string {
  return fields.map((field) => (/[",\r\n]/.test(field) || field.startsWith(' ') ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
}
