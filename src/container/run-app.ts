import { UserError } from '../errors.js';
import type { App } from '../image/manifest.js';
import { planRun, type RunRequest } from './app.js';
import { Container, stackTree, type RunOptions } from './container.js';

/**
 * `jetpack run`: a throwaway container in `dir` over `stack` that runs what planRun says,
 * the app's pre-start handler first and its post-stop handler after (whatever the app's
 * status). Returns the status of the command or app.
 */
export async function runInImage(
  dir: string,
  stack: string[],
  cacheDir: string,
  app: App | undefined,
  request: RunRequest,
  network: 'host' | 'none',
): Promise<number> {
  const plan = await planRun(stackTree(stack), app, request);
  const container = await Container.create(dir, stack, cacheDir, { mountPoints: plan.binds.map((b) => ({ path: b.target, file: b.file })) });
  const opts: RunOptions = { cwd: plan.cwd, network, env: plan.env, identity: plan.identity, binds: plan.binds };
  if (plan.preStart) {
    const status = await container.run(plan.preStart, opts);
    if (status !== 0) throw new UserError(`the app's pre-start handler (${plan.preStart[0]}) exited with status ${status}; the app was not started`, status);
  }
  const status = await container.run(plan.command, opts);
  if (plan.postStop) {
    const stopped = await container.run(plan.postStop, opts);
    if (stopped !== 0) process.stderr.write(`jetpack: the app's post-stop handler (${plan.postStop[0]}) exited with status ${stopped}\n`);
  }
  return status;
}
