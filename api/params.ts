import { z } from 'zod';

/** Route parameters shared by several route modules. */
export const sha256Param = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');

/**
 * Batch run ids, and only those: `run-<yyyymmddThhmmss>-<suffix>` from startRun
 * (client/batch-runs.ts), and the runs a schedule starts (client/schedules.ts), which Temporal
 * names `<scheduleId>-workflow-<RFC 3339 time>` with scheduleId `watch-<folder>`. Anything else
 * (an image's workflow, a query's) is answered 404 before Temporal is asked.
 */
export const BATCH_RUN_ID = /^(run-\d{8}T\d{6}-[a-z0-9]{0,8}|watch-[A-Za-z0-9-]{0,60}-workflow-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/;
