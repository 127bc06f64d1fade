/** A training or eval graph that cannot be assembled as specified; says what to change. */
export class TrainingGraphError extends Error {
  override readonly name = 'TrainingGraphError';
}
