// Types for the synthetic estate generator, which the differential tests also use.
export const REGIONS: string[];
export const GENERATED_AT: string;
export function syntheticSnapshot(options?: { accounts?: number; regions?: number; resources?: number; seed?: number; pipelines?: number; buildProjects?: number; pipelineConnections?: number }): unknown;
export function addPipelineEstate(snapshot: unknown, options?: { pipelines?: number; buildProjects?: number; connections?: number; seed?: number }): unknown;
export function countResources(snapshot: unknown): Record<string, number>;
export function prng(seed: number): () => number;
