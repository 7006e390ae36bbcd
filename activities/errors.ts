import { ApplicationFailure } from '@temporalio/activity';
import { INVALID_IMAGE } from '../core/clues';
import { InvalidImageError } from '../models/image-loader';

/** Bad images become non-retryable failures; anything else is rethrown for Temporal to retry. */
export async function asActivityError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidImageError) {
      throw ApplicationFailure.create({ message: err.message, type: INVALID_IMAGE, nonRetryable: true, details: [err.code] });
    }
    throw err;
  }
}
