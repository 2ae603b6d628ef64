import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from './catalog.ts';
import { connectors } from './registry.ts';

describe('connector catalog', () => {
  it('names exactly the connectors the registry has, in its order', () => {
    for (const role of ['source', 'transform', 'sink'] as const) {
      assert.deepEqual(catalog.names(role), connectors.names(role), role);
    }
  });

  it('finds every catalogued name in the registry, case-insensitively', () => {
    const lookups = [
      ['source', (name: string) => connectors.source(name.toUpperCase())],
      ['transform', (name: string) => connectors.transform(name)],
      ['sink', (name: string) => connectors.sink(name.toLowerCase())],
    ] as const;
    for (const [role, find] of lookups) {
      for (const name of catalog.names(role)) assert.equal(find(name).name, name);
    }
  });
});
