import { Worker } from "node:worker_threads";

/**
 * Run jobs on a pool of worker threads. `workerUrl` is a TypeScript module that handles
 * `{ id, job }` messages and answers `{ id, ok: true, result }` or `{ id, ok: false, message, userError }`
 * (see `serveJobs`). Results come back in job order, so output never depends on the thread count.
 */
export async function runPool<J, R>(workerUrl: URL, jobs: J[], threads: number, onDone?: (done: number) => void): Promise<R[]> {
  const results: R[] = new Array(jobs.length);
  if (jobs.length === 0) return results;
  const tsxUrl = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsxUrl)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    const workers: Worker[] = [];
    const stopAll = () => {
      for (const x of workers) void x.terminate();
    };
    const feed = (w: Worker) => {
      if (next >= jobs.length) {
        void w.terminate();
        return;
      }
      const id = next++;
      w.postMessage({ id, job: jobs[id] });
    };
    for (let k = 0; k < Math.max(1, Math.min(threads, jobs.length)); k++) {
      // workerData must be an object: geotiff's web-worker shim reads workerData.mod inside worker threads
      const w = new Worker(code, { eval: true, workerData: {} });
      workers.push(w);
      w.on("message", (m: { id: number; ok: boolean; result?: R; message?: string; userError?: boolean }) => {
        if (!m.ok) {
          stopAll();
          reject(Object.assign(new Error(m.message ?? "worker failed"), { userError: m.userError }));
          return;
        }
        results[m.id] = m.result as R;
        onDone?.(++done);
        if (done === jobs.length) {
          stopAll();
          resolve();
        } else feed(w);
      });
      w.on("error", (e) => {
        stopAll();
        reject(e);
      });
      w.on("online", () => feed(w));
    }
  });
  return results;
}

/** Inside a worker module: answer each job with `handle(job)`. */
export async function serveJobs<J, R>(handle: (job: J) => R | Promise<R>): Promise<void> {
  const { parentPort } = await import("node:worker_threads");
  const { isUserError } = await import("./errors.ts");
  parentPort?.on("message", async (msg: { id: number; job: J }) => {
    try {
      parentPort?.postMessage({ id: msg.id, ok: true, result: await handle(msg.job) });
    } catch (e) {
      parentPort?.postMessage({ id: msg.id, ok: false, userError: isUserError(e), message: e instanceof Error ? e.message : String(e) });
    }
  });
}
