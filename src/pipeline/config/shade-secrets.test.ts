import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shadeConfig } from './shade-secrets.ts';

describe('shadeConfig', () => {
  it("encodes source and sink credentials with base64, SeaTunnel's own example values", () => {
    const doc = {
      env: { 'shade.identifier': 'base64' },
      source: [{ plugin_name: 'Jdbc', username: 'seatunnel', password: 'seatunnel_password' }],
      transform: [{ plugin_name: 'Sql', password: 'kept' }],
      sink: [{ plugin_name: 'Jdbc', user: 'app', token: 't', url: 'jdbc:postgresql://db/app' }],
    };
    assert.deepEqual(shadeConfig(doc), {
      env: { 'shade.identifier': 'base64' },
      source: [
        { plugin_name: 'Jdbc', username: 'c2VhdHVubmVs', password: 'c2VhdHVubmVsX3Bhc3N3b3Jk' },
      ],
      transform: [{ plugin_name: 'Sql', password: 'kept' }],
      sink: [{ plugin_name: 'Jdbc', user: 'YXBw', token: 'dA==', url: 'jdbc:postgresql://db/app' }],
    });
  });

  it('leaves the config as written under the default shade, an unknown one, or none', () => {
    for (const env of [{}, { 'shade.identifier': 'default' }, { 'shade.identifier': 'toString' }]) {
      const doc = { env, source: [{ password: 'p' }], sink: [] };
      assert.deepEqual(shadeConfig(structuredClone(doc)), doc);
    }
  });

  it('leaves what it cannot read as it is', () => {
    const doc = {
      env: { 'shade.identifier': 'base64' },
      source: 'not a list',
      sink: [null, ['a'], 'x', { password: 42 }],
    };
    assert.deepEqual(shadeConfig(structuredClone(doc)), doc);
  });
});
