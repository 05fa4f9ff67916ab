/**
 * Text that came from AWS or from a file (resource names, tags, error messages, template values)
 * is attacker-controlled: printed raw, an ESC sequence can rewrite a terminal line, hide output or
 * set the window title, and a bidi override can make a name read as another. Everything such text
 * passes through before it reaches a terminal or a plain-text report is escaped here.
 */

// C0 controls (but tab and newline, decided by the caller), DEL, C1 controls, the bidi
// embeddings/overrides/isolates, line/paragraph separators and lone surrogates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_WITH_LAYOUT = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * One line of untrusted text, safe for a terminal: every control character (newlines and tabs
 * included) is shown as an escape (`\x1b`, `\n`, `\u202e`), so the text cannot start a new line
 * or move the cursor.
 */
export function escapeControlChars(text: string): string {
  return text.replace(UNSAFE_WITH_LAYOUT, escapeOne);
}

/** As `escapeControlChars`, but newlines and tabs are kept (multi-line text such as a policy). */
export function escapeControlCharsKeepLayout(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}
