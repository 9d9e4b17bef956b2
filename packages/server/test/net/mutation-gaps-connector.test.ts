// Gaps found by mutation testing: the connector takes only the address that was checked, never a name. Given a
// name it would resolve it itself, after the check (DNS rebinding): it must throw before opening anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createConnector } from '../../src/net/index.ts';

test('the connector refuses a host name, for plain and TLS connections, without connecting', async () => {
  let connections = 0;
  const server = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const opened: Socket[] = [];
  try {
    const connect = createConnector();
    for (const tls of [false, true]) {
      for (const address of ['localhost', 'example.test', '']) {
        assert.throws(
          () => opened.push(connect({ address, family: 4, port, hostname: 'localhost', tls })),
          /takes an IP address/,
          `${address || '(empty)'} tls=${tls}`,
        );
      }
    }
    // An address is taken as it is (the check before it is the fetch's business).
    const ok = connect({ address: '127.0.0.1', family: 4, port, hostname: '127.0.0.1', tls: false });
    opened.push(ok);
    await new Promise<void>((resolve, reject) => {
      ok.once('connect', resolve);
      ok.once('error', reject);
    });
    assert.equal(opened.length, 1, 'no socket was opened for a name');
  } finally {
    for (const s of opened) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.ok(connections <= 1);
});
