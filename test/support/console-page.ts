import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Where the browser tests leave their screenshots (git-ignored); the best are copied to docs/console-screenshots/. */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'console');

/**
 * axe-core on the page as it is now: the serious and critical violations, one line each with the
 * rule and the elements, so a failed assertion says what to fix.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Colours are judged once transitions end: mid-way a drawer's content is still fading in over its
  // overlay, and axe then blends grey into the background (a false contrast finding on a busy machine).
  // Only animations that end: a spinner's runs forever. (A string, evaluated in the page: these tests have no DOM types.)
  await page.evaluate(`Promise.all(document.getAnimations().filter((animation) => animation.effect?.getComputedTiming().endTime !== Infinity).map((animation) => animation.finished.catch(() => undefined)))`);
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${node.target.join(' ')} [${node.any[0]?.message ?? node.failureSummary ?? ''}]`).join(' | ')}`);
}

/** A page in a context of its own (cookies, storage, cache), as another person's browser; closed with the browser. */
export async function openPage(browser: Browser, viewport = { width: 1280, height: 860 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Signs in through the console's login form and waits for the queue. */
export async function logIn(page: Page, consoleUrl: string, person: { email: string; password: string }): Promise<void> {
  await page.goto(`${consoleUrl}/login`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel(/^Password/).fill(person.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(/\/tickets/);
}

/** Fails the test (softly: one run lists every page's findings and the journey goes on) on serious or critical axe-core findings. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  expect.soft(await seriousAccessibilityViolations(page), `axe-core on ${name} (${page.url()})`).toEqual([]);
}

/** A full-page screenshot under test-results/console/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** How much wider than the viewport the document is (0 when nothing scrolls sideways). */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; viewport: number; widest: string[] }> {
  // A string, because the server tsconfig has no DOM types; it runs in the page.
  return page.evaluate(`(() => {
    const viewport = document.documentElement.clientWidth;
    // The elements sticking out name the culprit in a failed assertion.
    const widest = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > viewport + 1)
      .slice(0, 5)
      .map((element) => element.tagName.toLowerCase() + '.' + [...element.classList].join('.') + ' right=' + Math.round(element.getBoundingClientRect().right));
    return { scrollWidth: document.documentElement.scrollWidth, viewport, widest };
  })()`);
}
