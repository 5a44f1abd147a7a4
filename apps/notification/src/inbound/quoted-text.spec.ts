import { describe, expect, it } from 'vitest';
import { foldHtml, foldPlainText } from './quoted-text.js';

describe('folding quoted history and signatures', () => {
  it('folds the "On … wrote:" history and the "-- " signature of plain text, in order, and keeps a reply without them whole', () => {
    expect(foldPlainText('Fixed, thanks.\n\n-- \nAnna\n\nOn Tue, 3 Dec 2026, Support wrote:\n> restart it\n')).toEqual({
      visible: 'Fixed, thanks.',
      folded: '-- \nAnna\n\nOn Tue, 3 Dec 2026, Support wrote:\n> restart it',
    });
    expect(foldPlainText('Just one line.')).toEqual({ visible: 'Just one line.', folded: '' });
  });

  it.each([
    ['Gmail', '<div>New</div><div class="gmail_quote gmail_quote_container"><div class="gmail_attr">On Mon wrote:</div><blockquote class="gmail_quote">old</blockquote></div>'],
    ['Apple Mail', '<div>New</div><div><br><blockquote type="cite"><div>On 1 Dec, Support wrote:</div>old</blockquote></div>'],
    ['Thunderbird', '<p>New</p><div class="moz-cite-prefix">On 01.12.26 Support wrote:<br></div><blockquote type="cite">old</blockquote>'],
    ['Outlook', '<div class="WordSection1"><p>New</p><div id="divRplyFwdMsg"><b>From:</b> Support</div><div>old</div></div>'],
  ])('folds %s HTML from the client\'s quote marker to the end, whatever the nesting', (_client, html) => {
    const { visible, folded } = foldHtml(html);
    expect(visible).toContain('New');
    expect(visible).not.toContain('old');
    expect(folded).toContain('old');
    expect(folded).not.toContain('New');
  });

  it('leaves HTML without a quote marker as it is', () => {
    expect(foldHtml('<p>Only <b>new</b> text</p>')).toEqual({ visible: '<p>Only <b>new</b> text</p>', folded: '' });
  });
});
