import { writeFile } from 'node:fs/promises';
import { it } from 'vitest';
import { GatewayHarness } from '../testing/gateway-harness.js';
it('dumps', async () => {
  const gateway = await GatewayHarness.start('dump');
  try {
    await writeFile('/tmp/openapi/doc.json', await (await fetch(`${gateway.url}/api/docs-json`)).text());
  } finally { await gateway.stop(); }
});
