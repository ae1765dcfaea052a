import cliProgress from "cli-progress";

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; plain lines (at most every 10%) otherwise, e.g. in CI logs.
 * Writes to stderr so that stdout stays clean for results.
 */
export function createProgress(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet || total <= 0) return { update() {}, stop() {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {done}/{total} | eta {eta}s`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { done: 0 });
    return {
      // `done` may be fractional (part of an item, e.g. frames of a time series); the count shown is whole items
      update: (d) => bar.update(d, { done: Math.floor(d) }),
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    update(done) {
      const decile = Math.floor((10 * done) / total);
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${Math.min(100, decile * 10)}% (${Math.floor(done)}/${total})\n`);
      }
    },
    stop() {},
  };
}
