// Property tests run on one seed by default, so a CI run is reproducible and a red run is a
// change's fault, not the dice's. FC_SEED=random explores new inputs (do it when changing a loader,
// parser or evaluator); FC_SEED=N replays the seed a failure printed.
import fc from 'fast-check';

const chosen = process.env.FC_SEED;
const seed = chosen === 'random' ? Date.now() ^ (Math.random() * 0x100000000) : chosen !== undefined && chosen !== '' ? Number(chosen) : 20261201;
fc.configureGlobal({ seed });
