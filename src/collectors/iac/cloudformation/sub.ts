// `Fn::Sub` template strings: literal text and `${Name}` / `${Res.Attr}` variables, with
// `${!Literal}` written out as `${Literal}`. One left-to-right pass (linear in the string).

export type SubPart = { text: string } | { name: string };

export function subParts(s: string): SubPart[] {
  const parts: SubPart[] = [];
  let lit = '';
  let i = 0;
  while (i < s.length) {
    const open = s.indexOf('${', i);
    if (open < 0) break;
    const close = s.indexOf('}', open + 2);
    if (close < 0) break;
    lit += s.slice(i, open);
    const inner = s.slice(open + 2, close);
    if (inner.startsWith('!')) lit += '${' + inner.slice(1) + '}';
    else {
      if (lit !== '') parts.push({ text: lit });
      lit = '';
      parts.push({ name: inner.trim() });
    }
    i = close + 1;
  }
  lit += s.slice(i);
  if (lit !== '') parts.push({ text: lit });
  return parts;
}
