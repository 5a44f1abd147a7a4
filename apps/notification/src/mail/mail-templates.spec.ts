import { describe, expect, it } from 'vitest';
import { quote } from './mail-templates.js';

describe('a comment body quoted in a mail', () => {
  it("leaves out the folded history of a body made from inbound mail and names its inline images, which need the console's session", () => {
    const body = '<p>See <img src="/api/v1/attachments/0190a0b1-2c3d-7e4f-8a9b-0c1d2e3f4a5b" alt="error.png" /></p><details><summary>Quoted text</summary><p>old words</p></details>';

    const quoted = quote(body);

    expect(quoted.html.value).toContain('<p>See [image: error.png]</p>');
    expect(quoted.html.value).not.toMatch(/old words|<img|<details/);
    expect(quoted.text).toBe('See [image: error.png]');
  });
});
