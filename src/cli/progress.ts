import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, label: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs and pipes stay clean). */
export function progressBar(total: number, unit: string): Progress {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {label}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, { label: '' });
  return {
    update: (done, label) => bar.update(Math.min(done, Math.max(total, 1)), { label }),
    stop: () => bar.stop(),
  };
}
