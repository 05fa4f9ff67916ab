import { catalog } from './catalog.js';
import type { CharOne, CharRun, FormShape } from './wildcard.js';

/**
 * What the values of a condition key look like, so that a condition can be told to match every
 * value (and so exclude nothing) or none: a union of shapes. Forms are supersets of the values
 * AWS sends, never narrower, except where the catalogue documents an enumeration.
 */
export interface ValueForm {
  describe: string;
  shapes: readonly FormShape[];
}

const ANY_ONE: CharOne = { one: () => true };
const ANY_RUN: CharRun = { run: () => true };
const PART_ONE: CharOne = { one: (c) => c !== ':' };
const PART_RUN: CharRun = { run: (c) => c !== ':' };

const TAG_VALUE: ValueForm = { describe: 'tag value (any text, possibly empty)', shapes: [[ANY_RUN]] };
const NON_EMPTY: ValueForm = { describe: 'non-empty value', shapes: [[ANY_ONE, ANY_RUN]] };
// GitHub and Bitbucket name owner/repository, GitLab group/subgroup/…/project: at least one slash.
const REPOSITORY: ValueForm = { describe: 'repository id (owner/repository)', shapes: [[ANY_ONE, ANY_RUN, '/', ANY_ONE, ANY_RUN]] };
// The catalogue: "Valid types include read_only and read_write".
const PERMISSIONS: ValueForm = { describe: 'provider permission (read_only or read_write)', shapes: [[...'read_only'], [...'read_write']] };
// arn:partition:service:region:account:resource, region and account possibly empty.
const ARN: ValueForm = {
  describe: 'ARN',
  shapes: [[...'arn:', PART_ONE, PART_RUN, ':', PART_ONE, PART_RUN, ':', PART_RUN, ':', PART_RUN, ':', ANY_ONE, ANY_RUN]],
};

export function valueForm(keyLower: string): ValueForm {
  if (keyLower.startsWith('aws:resourcetag/') || keyLower.startsWith('aws:requesttag/')) return TAG_VALUE;
  const name = keyLower.slice(keyLower.indexOf(':') + 1);
  if (name === 'fullrepositoryid') return REPOSITORY;
  if (name === 'providerpermissionsrequired') return PERMISSIONS;
  if (catalog().keyTypes.get(keyLower) === 'ARN') return ARN;
  return NON_EMPTY;
}
