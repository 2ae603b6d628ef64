import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSiteGuard } from './site-guard.ts';

const loopback = createSiteGuard({
  bind: '127.0.0.1',
  allowedHosts: ['box.lan'],
  allowedOrigins: [],
});
const wide = createSiteGuard({
  bind: '0.0.0.0',
  allowedHosts: [],
  allowedOrigins: ['https://ops.example.com'],
});

describe('createSiteGuard', () => {
  it('bound to loopback, answers loopback names and --allowed-hosts only', () => {
    for (const host of [
      '127.0.0.1:8600',
      'localhost:8600',
      'LOCALHOST',
      'a.localhost',
      '[::1]:8600',
      'box.lan:8600',
    ]) {
      assert.equal(loopback.refusal('GET', { host }, false), undefined, host);
    }
    for (const host of ['evil.example:8600', '0.0.0.0:8600', '10.0.0.1', 'x/y', '']) {
      assert.match(loopback.refusal('GET', { host }, false) ?? '', /--allowed-hosts/, host);
    }
    assert.equal(loopback.refusal('GET', {}, false), undefined, 'HTTP/1.0 without Host');
  });

  it('bound beyond loopback, answers any Host', () => {
    assert.equal(wide.refusal('GET', { host: 'anything.example' }, false), undefined);
  });

  it('lets changes and subscriptions through from the own origin and listed origins', () => {
    const own = { host: '127.0.0.1:8600', origin: 'http://127.0.0.1:8600' };
    assert.equal(loopback.refusal('POST', own, false), undefined);
    assert.equal(loopback.refusal('GET', own, true), undefined);
    // Behind a TLS proxy the browser leaves the default port out of both.
    assert.equal(
      wide.refusal('POST', { host: 'bosun.example', origin: 'https://bosun.example' }, false),
      undefined,
    );
    assert.equal(
      wide.refusal('DELETE', { host: 'internal:8600', origin: 'https://ops.example.com' }, false),
      undefined,
    );
  });

  it('refuses changes and subscriptions from a foreign or null Origin, whatever the method', () => {
    for (const origin of ['http://evil.example', 'null', 'http://127.0.0.1:9999', 'file://']) {
      for (const [method, subscribes] of [
        ['POST', false],
        ['PUT', false],
        ['OPTIONS', false],
        ['GET', true],
      ] as const) {
        assert.match(
          loopback.refusal(method, { host: '127.0.0.1:8600', origin }, subscribes) ?? '',
          /cross-site request refused/,
          `${method} from ${origin}`,
        );
      }
    }
    // A plain read carries no risk beyond what CORS already stops.
    assert.equal(
      loopback.refusal('GET', { host: '127.0.0.1:8600', origin: 'http://evil.example' }, false),
      undefined,
    );
  });

  it('without Origin, refuses what the browser says is cross-site and passes everything else', () => {
    const host = '127.0.0.1:8600';
    for (const site of ['cross-site', 'same-site']) {
      assert.match(
        loopback.refusal('POST', { host, 'sec-fetch-site': site }, false) ?? '',
        /Sec-Fetch-Site/,
      );
    }
    assert.equal(
      loopback.refusal('POST', { host, 'sec-fetch-site': 'same-origin' }, false),
      undefined,
    );
    assert.equal(loopback.refusal('POST', { host, 'sec-fetch-site': 'none' }, false), undefined);
    // curl, scripts, Arthas and SeaTunnel clients: neither header.
    assert.equal(
      loopback.refusal(
        'POST',
        { host, 'content-type': 'application/x-www-form-urlencoded' },
        false,
      ),
      undefined,
    );
  });
});
