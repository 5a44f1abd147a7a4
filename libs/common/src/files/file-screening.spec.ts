import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { screenFile } from './file-screening.js';

const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const EXECUTABLE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);
const WORD_CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

/** A zip archive with uncompressed entries, as the start of an Office document looks. */
function storedZip(entries: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(entries).map(([name, content]) => {
      const data = Buffer.from(content);
      const header = Buffer.alloc(30);
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt32LE(crc32(data), 14);
      header.writeUInt32LE(data.length, 18);
      header.writeUInt32LE(data.length, 22);
      header.writeUInt16LE(Buffer.byteLength(name), 26);
      return Buffer.concat([header, Buffer.from(name), data]);
    }),
  );
}

describe('screenFile', () => {
  it('accepts a file whose bytes are what its extension says, under the sniffed type', async () => {
    expect(await screenFile('scan.PNG', PIXEL_PNG)).toEqual({ accepted: true, contentType: 'image/png' });
    expect(await screenFile('invoice.pdf', PDF)).toEqual({ accepted: true, contentType: 'application/pdf' });
  });

  it('accepts a Word document as such, and an Office document it cannot see into as the zip it is', async () => {
    const docx = storedZip({ '[Content_Types].xml': WORD_CONTENT_TYPES, 'word/document.xml': '<w:document/>' });
    const opaqueZip = storedZip({ 'data.bin': 'x' });

    expect(await screenFile('contract.docx', docx)).toEqual({ accepted: true, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    expect(await screenFile('contract.docx', opaqueZip)).toEqual({ accepted: true, contentType: 'application/zip' });
  });

  it('refuses extensions outside the allow-list, executables and markup included', async () => {
    for (const name of ['setup.exe', 'run.bat', 'script.ps1', 'app.js', 'page.html', 'drawing.svg', 'feed.xml', 'lib.dll', 'tool.jar', 'installer.msi']) {
      expect(await screenFile(name, PIXEL_PNG)).toMatchObject({ accepted: false, reason: expect.stringMatching(/^Files with the \.\w+ extension are not accepted/) });
    }
    expect(await screenFile('README', Buffer.from('read me'))).toMatchObject({ accepted: false, reason: expect.stringMatching(/^Files without an extension/) });
  });

  it('refuses content of another type than the extension says', async () => {
    expect(await screenFile('photo.jpg', PIXEL_PNG)).toEqual({ accepted: false, reason: 'The file content does not match its .jpg extension' });
    expect(await screenFile('photo.png', EXECUTABLE)).toEqual({ accepted: false, reason: 'The file content does not match its .png extension' });
    expect(await screenFile('report.xlsx', storedZip({ '[Content_Types].xml': WORD_CONTENT_TYPES }))).toEqual({ accepted: false, reason: 'The file content does not match its .xlsx extension' });
  });

  it('refuses a binary extension whose content has no recognisable signature', async () => {
    expect(await screenFile('logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({ accepted: false, reason: 'The file content does not match its .png extension' });
    expect(await screenFile('empty.pdf', Buffer.alloc(0))).toEqual({ accepted: false, reason: 'The file content does not match its .pdf extension' });
  });

  it('accepts UTF-8 text under the type of its extension', async () => {
    expect(await screenFile('notes.txt', Buffer.from('Grüße aus Köln — 10 € 🙂\n'))).toEqual({ accepted: true, contentType: 'text/plain' });
    expect(await screenFile('export.csv', Buffer.from('id,amount\n1,9.99\n'))).toEqual({ accepted: true, contentType: 'text/csv' });
    expect(await screenFile('payload.json', Buffer.from('{"ok":true}'))).toEqual({ accepted: true, contentType: 'application/json' });
    expect(await screenFile('mail.eml', Buffer.from('From: ada@example.com\r\nSubject: Hi\r\n\r\n<p>Hello</p>'))).toEqual({ accepted: true, contentType: 'message/rfc822' });
    expect(await screenFile('quote.txt', Buffer.from('<John Doe> wrote: hello'))).toEqual({ accepted: true, contentType: 'text/plain' });
    expect(await screenFile('empty.log', Buffer.alloc(0))).toEqual({ accepted: true, contentType: 'text/plain' });
  });

  it('accepts text whose 8 KB sample ends in the middle of a multi-byte character', async () => {
    const text = Buffer.from('a'.repeat(8 * 1024 - 1) + 'é and more');

    expect(await screenFile('long.txt', text)).toEqual({ accepted: true, contentType: 'text/plain' });
  });

  it('refuses text files that start with HTML, SVG or XML markup, after any BOM and whitespace', async () => {
    for (const start of ['<!DOCTYPE html><p>x', '<html>', '\uFEFF\n  <script>alert(1)</script>', '<svg onload=alert(1)>', '<?xml version="1.0"?><a/>', '<!-- comment -->', '<iframe src=x>', '<b>bold</b>']) {
      expect(await screenFile('notes.txt', Buffer.from(start))).toMatchObject({ accepted: false });
    }
  });

  it('refuses text files that are not UTF-8, contain NUL bytes or carry a binary signature', async () => {
    expect(await screenFile('notes.txt', Buffer.from([0x68, 0x69, 0xff, 0xfe]))).toEqual({ accepted: false, reason: 'A .txt file must be UTF-8 text' });
    expect(await screenFile('data.csv', Buffer.from('a,b\u0000c'))).toEqual({ accepted: false, reason: 'A .csv file must be text, but contains NUL bytes' });
    expect(await screenFile('notes.txt', Buffer.from('GIF89a/*x*/=1;alert(1)//'))).toEqual({ accepted: false, reason: 'The file content does not match its .txt extension' });
  });
});
