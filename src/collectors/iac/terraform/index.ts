// Terraform plans (`terraform show -json PLAN`) → the snapshot model.
// Contract only: the adapter lands with issue 12's Terraform work.

import type { IacLoad, IacOptions } from '../types.js';

/** `terraform show -json` output: an object with `format_version` and `resource_changes`. */
export function isTerraformPlanText(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^\s*\{/.test(head) && /"format_version"\s*:/.test(head) && text.includes('"resource_changes"');
}

export async function loadTerraformPlan(_file: string, _text: string, _options: IacOptions): Promise<IacLoad> {
  throw new Error('Terraform adapter not built yet');
}
