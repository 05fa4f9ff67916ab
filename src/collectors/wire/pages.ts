// Reading one successful answer with the projecting decoder: the one piece of code that both the
// collector's own thread and the page threads (page-threads.ts) run, so that a page reads the same
// wherever it is read. It imports no SDK code: a page thread loads this module graph alone.
import type { FastDecoder } from './fast-protocol.js';
import { EC2_DECODERS, IAM_DECODERS } from './shapes.js';
import { decodeXml } from './xml-decode.js';

/** The decoders of each protocol's client, by operation, under the name a page thread is told. */
export const DECODER_SETS = { ec2: EC2_DECODERS, iam: IAM_DECODERS } as const;
export type DecoderSet = keyof typeof DECODER_SETS;

const utf8 = new TextDecoder();

/** Whether `operation` of `set` has a projecting decoder. */
export function hasDecoder(set: DecoderSet, operation: string): boolean {
  return Object.hasOwn(DECODER_SETS[set], operation);
}

/** The projected members of `operation`'s successful answer, read from its UTF-8 bytes. */
export function readPage(set: DecoderSet, operation: string, bytes: Uint8Array): Record<string, unknown> {
  if (!hasDecoder(set, operation)) throw new Error(`no decoder for ${set}:${operation}`);
  const decoder = (DECODER_SETS[set] as Record<string, FastDecoder>)[operation] as FastDecoder;
  return decodeXml(utf8.decode(bytes), decoder.root, decoder.shape, decoder.result) as Record<string, unknown>;
}
