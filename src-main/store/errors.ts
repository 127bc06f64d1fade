// Typed store errors: each names the bad value, what was expected and how to fix it.

/** Base class for every error raised by the store layer. */
export class StoreError extends Error {
  override readonly name: string = 'StoreError';
}

/** The database file was written by a newer version of the app than this one. */
export class SchemaTooNewError extends StoreError {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly dbPath: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `Database ${dbPath} has schema version ${found}, but this app only knows versions up to ${supported}. ` +
        'It was written by a newer Multitask Studio: update the app, or open a different project folder.',
    );
  }
}

/** A migration failed; its transaction was rolled back and the database keeps the previous version. */
export class MigrationError extends StoreError {
  override readonly name = 'MigrationError';
  constructor(
    readonly version: number,
    cause: unknown,
  ) {
    super(
      `Migration to schema version ${version} failed and was rolled back: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'The database is unchanged; report this error with the database file attached.',
      { cause },
    );
  }
}

/** A row that a caller referred to by id does not exist. */
export class NotFoundError extends StoreError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly id: number | string,
  ) {
    super(
      `No ${entity} with id ${String(id)}: it was deleted or never existed. List the ${entity}s to pick a valid id.`,
    );
  }
}

/** A write would break a rule of the data model (e.g. a span outside its text). */
export class ConstraintError extends StoreError {
  override readonly name = 'ConstraintError';
}
