// The .tf block finder: lines of `resource "T" "N" {` … `}` and of top-level arguments, through
// strings, interpolations, heredocs and comments; hostile text gives fewer blocks, never an error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanModuleDir, scanTf } from '../../../src/collectors/iac/terraform/tf-files.js';

const TF = `# resource "aws_iam_role" "commented" {
/* resource "aws_iam_role" "block_comment" {
} */
resource "aws_iam_role" "tricky" {
  name = "a } { \\" quote"
  description = "\${jsonencode({ a = "}" })} %{ if true }x%{ endif }"
  assume_role_policy = <<-EOT
    { "Statement": [ } ] resource "x" "y" {
    EOT
  tags = {
    Team = "ci" // }
  }

  inline_policy {
    name   = "p"
    policy = jsonencode({})
  }
  path = "/"
}

resource "aws_vpc_endpoint" "after" { service_name = "x" }
`;

describe('scanTf', () => {
  it('finds blocks and top-level arguments through strings, heredocs and comments', () => {
    const blocks = scanTf(TF);
    expect([...blocks.keys()]).toEqual(['aws_iam_role.tricky', 'aws_vpc_endpoint.after']);
    const b = blocks.get('aws_iam_role.tricky');
    expect(b && { line: b.line, column: b.column, endLine: b.endLine, endColumn: b.endColumn }).toEqual({ line: 4, column: 1, endLine: 19, endColumn: 2 });
    expect(Object.fromEntries(b?.args ?? [])).toEqual({
      name: { line: 5, column: 3, endLine: 5, endColumn: 26 },
      description: { line: 6, column: 3, endLine: 6, endColumn: 69 },
      assume_role_policy: { line: 7, column: 3, endLine: 9, endColumn: 8 },
      tags: { line: 10, column: 3, endLine: 12, endColumn: 4 },
      inline_policy: { line: 14, column: 3, endLine: 17, endColumn: 4 },
      path: { line: 18, column: 3, endLine: 18, endColumn: 13 },
    });
    // A one-line block: its arguments are not on lines of their own, so none are recorded.
    expect(blocks.get('aws_vpc_endpoint.after')).toMatchObject({ line: 21, column: 1, endLine: 21, endColumn: 59 });
  });

  it('gives nothing for an unterminated block and keeps earlier blocks', () => {
    const blocks = scanTf('resource "a" "one" {\n}\nresource "a" "two" {\n  x = "{"\n');
    expect([...blocks.keys()]).toEqual(['a.one']);
  });

  it('is total on arbitrary text (binary, unbalanced) and linear enough for large files', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        scanTf(s);
        scanTf(`resource "a" "b" {\n${s}\n}\n`);
      }),
    );
    // 200,000 blocks: one pass; deeply nested brackets and many quotes do not blow a stack.
    const big = 'resource "aws_iam_role" "r" {\n  name = "x"\n}\n'.repeat(200_000);
    expect(scanTf(big).size).toBe(1);
    expect(scanTf(`${'['.repeat(100_000)}${'"${'.repeat(100_000)}`).size).toBe(0);
  });

  it('reads only .tf files of a directory, first declaration winning, and tolerates a missing directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-'));
    writeFileSync(join(dir, 'b.tf'), 'resource "t" "n" {\n}\n');
    writeFileSync(join(dir, 'a.tf'), '\n\nresource "t" "n" {\n}\n');
    writeFileSync(join(dir, 'c.tf.json'), '{}');
    writeFileSync(join(dir, 'bin.tf'), Buffer.from([0, 255, 254, 0x7b, 0x22]));
    expect(scanModuleDir(dir).get('t.n')).toMatchObject({ file: 'a.tf', line: 3 });
    expect(scanModuleDir(join(dir, 'missing')).size).toBe(0);
  });
});
