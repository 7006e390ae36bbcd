import { z } from 'zod';

/** Path parameters of the Trace-an-Object routes. */
export const cropIdParam = z.string().regex(/^TAO-[0-9A-F]{10}$/, 'expected a crop id such as TAO-0123456789');
export const tipIdParam = z.string().regex(/^[0-9a-f]{16}$/, 'expected a tip id');
