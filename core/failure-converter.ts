import { DefaultFailureConverter } from '@temporalio/common';

// Failure messages and stack traces name files and say why they failed: they go into an encoded
// payload, which the payload codec encrypts (client/payload-codec.ts), instead of Temporal's
// plain failure fields. Loaded by path: workers load it into the workflow sandbox too.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
