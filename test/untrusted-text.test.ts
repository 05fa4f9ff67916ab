import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControlChars, escapeControlCharsKeepLayout } from '../src/io/untrusted-text.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('untrusted text for terminals', () => {
  it('escapes ESC sequences, CR, BEL and bidi overrides', () => {
    expect(escapeControlChars('a\u001b[2Jb\rc\u0007\u202ed')).toBe('a\\x1b[2Jb\\rc\\x07\\u202ed');
    expect(escapeControlChars('one\ntwo\tthree')).toBe('one\\ntwo\\tthree');
    expect(escapeControlCharsKeepLayout('one\ntwo\tthree\u001b')).toBe('one\ntwo\tthree\\x1b');
  });

  it('leaves printable text, including non-Latin scripts and emoji, unchanged', () => {
    expect(escapeControlChars('connection/ŝ-ĉ 日本 🔒')).toBe('connection/ŝ-ĉ 日本 🔒');
  });

  it('never lets a control character through, whatever the input (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(CONTROL.test(escapeControlChars(s))).toBe(false);
        expect(/[^\n\t]/.test(escapeControlCharsKeepLayout(s).replace(/[^\u0000-\u001f]/g, '')) ).toBe(false);
      }),
    );
  });
});
