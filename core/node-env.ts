// The environment of the Node processes the project starts (worker, API, engines).

/**
 * Environment for our Node processes. glibc gives threads their own malloc arenas; libvips and
 * onnxruntime threads allocating images of every size leave each arena fragmented, and RSS
 * creeps up over a night's run. Two arenas is what sharp's documentation recommends.
 */
export const nodeEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' });
