// A seeded PRNG whose state can be checkpointed (shuffling, sampling, weight init).
export { Rng } from './rng';
