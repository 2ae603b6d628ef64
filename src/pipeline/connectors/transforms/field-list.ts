// What the transforms share: a list option of existing field names, checked with a message that
// lists the fields there are.
import type { Field } from '../../data-type.ts';
import { configError } from '../../config-error.ts';

export function fieldList(
  value: unknown,
  option: string,
  plugin: string,
  input: readonly Field[],
): Field[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw configError(
      `${plugin}: option '${option}' must be a list of field names, e.g. ["name", "age"]`,
    );
  }
  return value.map((name) => fieldNamed(name, option, plugin, input));
}

export function fieldNamed(
  name: unknown,
  option: string,
  plugin: string,
  input: readonly Field[],
): Field {
  const field = input.find((f) => f.name === name);
  if (!field) {
    throw configError(
      `${plugin}: ${option} names "${String(name)}", which is not a field; the fields are ${input.map((f) => f.name).join(', ')}`,
    );
  }
  return field;
}

/** A mapping option (`fields { a = b }`), as its entries; `example` shows the fix. */
export function fieldMapping(value: unknown, message: string): Array<[string, unknown]> {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    Object.keys(value).length === 0
  ) {
    throw configError(message);
  }
  return Object.entries(value);
}
