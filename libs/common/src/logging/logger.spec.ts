import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger with LOG_DIR', () => {
  const directory = mkdtempSync(join(tmpdir(), 'helpdesk-logs-'));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('writes JSON lines to a service log and errors also to a separate error log', async () => {
    const logger = createLogger({ service: 'ticket', config: { NODE_ENV: 'production', LOG_LEVEL: 'info', LOG_DIR: directory } });
    logger.info('ticket created', { context: 'Tickets', requestId: 'req-1' });
    logger.error('outbox relay failed', { context: 'Outbox' });
    await new Promise((resolve) => {
      logger.on('finish', resolve);
      logger.end();
    });
    const lines = (file: string) =>
      readFileSync(join(directory, file), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines('ticket.log')).toEqual([
      expect.objectContaining({ level: 'info', message: 'ticket created', service: 'ticket', requestId: 'req-1', timestamp: expect.any(String) }),
      expect.objectContaining({ level: 'error', message: 'outbox relay failed', service: 'ticket' }),
    ]);
    expect(lines('ticket.error.log')).toEqual([expect.objectContaining({ level: 'error', message: 'outbox relay failed' })]);
  });
});
