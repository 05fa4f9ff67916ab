// Escaping for the HTML report. Text from AWS or a file (names, tags, messages) is attacker-
// controlled: in markup it is escaped here; in the embedded data it is JSON whose `<`, `>`, `&`
// and line separators are written as \u escapes, so no byte sequence in it can close the
// <script> element or start markup, and the page's script puts it in the DOM with textContent only.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value. Control characters are shown, not kept. */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => HTML[c] as string)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON safe inside `<script type="application/json">`. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Only http(s) links to known places are ever written as href. */
export function safeHref(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  return /^https:\/\/[A-Za-z0-9.-]+\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]*$/.test(uri) ? uri : undefined;
}
