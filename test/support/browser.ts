import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (installed by the test preparation); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Headless Chromium for the console's browser tests. Without the background-networking flags Chromium
 * keeps trying to reach Google's hosts, which a closed network refuses many times a second.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
