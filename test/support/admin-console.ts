import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { logIn, openPage } from './console-page.js';
import { ConsoleStack } from './console-stack.js';

export interface ConsoleAdmin {
  name: string;
  email: string;
  password: string;
}

/**
 * The admin screens' browser tests start alike: all five services, a new organization signed up
 * through the API with its admin, and Chromium. `signedInPage` opens a page logged in as that admin.
 */
export class AdminConsole {
  private constructor(
    readonly stack: ConsoleStack,
    readonly browser: Browser,
    readonly admin: ConsoleAdmin,
    /** The admin's access token, for the API calls that set up and check what the browser does. */
    readonly token: string,
    readonly adminId: string,
  ) {}

  /** `label` names the stack's database and queues; the admin's address is unique per run; `env` is added to every service's configuration. */
  static async start(label: string, organizationName: string, admin: { name: string; password: string }, env: Record<string, string> = {}): Promise<AdminConsole> {
    const person = { ...admin, email: `${admin.name.split(' ')[0]!.toLowerCase()}-${randomBytes(3).toString('hex')}@${label}.example.test` };
    const stack = await ConsoleStack.start(label, env);
    let browser: Browser | undefined;
    try {
      const signup = await stack.api('POST', '/auth/signup', { body: { organizationName, ...person } });
      if (signup.status !== 201) throw new Error(`signup answered ${signup.status}: ${JSON.stringify(signup.body)}`);
      browser = await launchChromium();
      return new AdminConsole(stack, browser, person, signup.body.accessToken, signup.body.user.id);
    } catch (error) {
      // The caller gets no handle to stop: nothing started here may outlive the failure.
      await browser?.close();
      await stack.stop();
      throw error;
    }
  }

  /** A page of its own (a fresh browser context) on the console, logged in as the admin through the login form. */
  async signedInPage(): Promise<Page> {
    const page = await openPage(this.browser);
    await logIn(page, this.stack.url, this.admin);
    return page;
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await this.stack.stop();
  }
}
