// How a value looks in text output (the Console sink, text and csv files): SeaTunnel prints lists as
// `[a, b]`, maps as JSON, rows as `[…]`, null as `null`, bytes as base64.
import type { DataType } from '../data-type.ts';

export function textOf(type: DataType, value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (type.kind) {
    case 'array':
      return `[${(value as unknown[]).map((v) => textOf(type.element, v)).join(', ')}]`;
    case 'row':
      return `[${type.fields.map((f, i) => textOf(f.type, (value as unknown[])[i])).join(', ')}]`;
    case 'map':
      return JSON.stringify(value);
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return String(value);
  }
}

/** A value as JSON: lists and maps as they are, rows as objects of their fields, bytes as base64. */
export function jsonOf(type: DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'array':
      return (value as unknown[]).map((v) => jsonOf(type.element, v));
    case 'row':
      return Object.fromEntries(
        type.fields.map((f, i) => [f.name, jsonOf(f.type, (value as unknown[])[i])]),
      );
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [
          k,
          jsonOf(type.value, v),
        ]),
      );
    case 'bytes':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}
