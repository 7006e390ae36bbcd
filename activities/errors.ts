import { ApplicationFailure } from '@temporalio/activity';
import { INVALID_IMAGE } from '../core/clues';
import { EngineFailure } from '../engine/engine-errors';
import { InvalidImageError } from '../models/image-loader';

/** Error type names of engine failures that retrying cannot mend. */
export const ENGINE_FAILURE = 'EngineFailure';

/**
 * Bad images, and images that crash or hang an engine on their own, become non-retryable
 * failures; anything else is rethrown for Temporal to retry.
 */
export async function asActivityError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidImageError) {
      throw ApplicationFailure.create({ message: err.message, type: INVALID_IMAGE, nonRetryable: true, details: [err.code] });
    }
    if (err instanceof EngineFailure) {
      throw ApplicationFailure.create({ message: err.message, type: ENGINE_FAILURE, nonRetryable: true, details: [err.code] });
    }
    throw err;
  }
}
