import type { SourceRange } from '../source-range.js';
import { csvFields } from './csv-fields.js';
import { parseGoBool } from './go-strconv.js';
import { withSuggestion } from './suggest.js';
import type { Device } from './types.js';

/**
 * `RUN --device=...`, BuildKit's `ParseDevice`: CSV fields; the device name is the first field that is not a known
 * `key=value` (`vendor.com/class=name` is a name), or `name=...`; `required` may be bare or `required=<bool>`.
 * Returns the device, or the problems found.
 */
export function parseDevice(text: string, range: SourceRange): { device: Device | undefined; problems: string[] } {
  const problems: string[] = [];
  const csv = csvFields(text);
  if (!csv.ok) return { device: undefined, problems: [`failed to parse csv devices: ${csv.message}`] };

  const device: Device = { text, range, name: '', required: false };
  for (const field of csv.fields) {
    const equals = field.indexOf('=');
    const key = (equals === -1 ? field : field.slice(0, equals)).toLowerCase();
    if (equals === -1) {
      if (key === 'required') device.required = true;
      else if (device.name === '') device.name = field;
      else problems.push(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const value = field.slice(equals + 1);
    if (key === 'name') {
      if (device.name !== '') problems.push(`device name already set to ${device.name}`);
      else device.name = value;
    } else if (key === 'required') {
      const required = parseGoBool(value);
      if (required === undefined) problems.push(`invalid value for ${key}: ${value}`);
      else device.required = required;
    } else if (device.name === '') {
      device.name = field;
    } else {
      problems.push(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
    }
  }
  return problems.length === 0 ? { device, problems } : { device: undefined, problems };
}
