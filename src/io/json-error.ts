// Where JSON text first goes wrong, found without quoting it: V8's own messages for some errors
// ("Unexpected token 'g', "…ghp_…" is not valid JSON") carry a piece of the text and no position,
// and a plan's text holds secrets. One linear pass; called only after JSON.parse has failed.

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Offset of the first syntax error and what is wrong there, or undefined when the text parses. */
export function jsonErrorAt(text: string): { offset: number; reason: string } | undefined {
  const n = text.length;
  let i = 0;
  // What the parser expects next, per open container: 'value' | 'key' | 'colon' | 'comma'.
  const stack: Array<{ kind: '{' | '['; want: 'key' | 'colon' | 'value' | 'comma' | 'keyOrEnd' | 'valueOrEnd' }> = [];
  let top = 'value' as 'value' | 'done';
  const skipWs = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (reason: string) => ({ offset: Math.min(i, n), reason });
  const afterValue = (): void => {
    const frame = stack[stack.length - 1];
    if (frame) frame.want = 'comma';
    else top = 'done';
  };
  for (;;) {
    skipWs();
    const frame = stack[stack.length - 1];
    if (i >= n) return frame || top === 'value' ? fail('unexpected end of the text') : undefined;
    const c = text[i] as string;
    if (!frame && top === 'done') return fail('unexpected text after the end of the JSON value');
    const want = frame ? frame.want : 'value';
    if (want === 'colon') {
      if (c !== ':') return fail("expected ':' after a property name");
      i++;
      (frame as NonNullable<typeof frame>).want = 'value';
      continue;
    }
    if (want === 'comma') {
      const f = frame as NonNullable<typeof frame>;
      if (c === ',') {
        i++;
        f.want = f.kind === '{' ? 'key' : 'value';
        continue;
      }
      if ((c === '}' && f.kind === '{') || (c === ']' && f.kind === '[')) {
        i++;
        stack.pop();
        afterValue();
        continue;
      }
      return fail(f.kind === '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    if (want === 'key' || want === 'keyOrEnd') {
      if (c === '}' && want === 'keyOrEnd') {
        i++;
        stack.pop();
        afterValue();
        continue;
      }
      if (c !== '"') return fail('expected a property name in double quotes');
      const end = stringEnd(text, i);
      if (end < 0) return fail('unterminated string or a bad character in it');
      i = end;
      (frame as NonNullable<typeof frame>).want = 'colon';
      continue;
    }
    // A value.
    if (c === ']' && want === 'valueOrEnd') {
      i++;
      stack.pop();
      afterValue();
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= 10_000) return fail('nested too deep');
      i++;
      stack.push({ kind: c, want: c === '{' ? 'keyOrEnd' : 'valueOrEnd' });
      continue;
    }
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return fail('unterminated string or a bad character in it');
      i = end;
      afterValue();
      continue;
    }
    const lit = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(text.slice(i, i + 400));
    if (!lit) return fail('unexpected character where a value should be');
    i += lit[0].length;
    afterValue();
  }
}

/** Index after the closing quote of the string opening at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return -1;
        i += 6;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
      else return -1;
    } else i++;
  }
  return -1;
}
