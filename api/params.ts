import { z } from 'zod';

/** Route parameters shared by several route modules. */
export const sha256Param = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');
